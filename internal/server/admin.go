package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/moderation"
	"github.com/tribune-go/tribune/internal/store"
)

// The administration pages: channels (create, rename, delete, moderation
// mode and chain) and account roles. For admins only.

type adminData struct {
	Channels []adminChannel
	Users    []model.User
	Roles    []model.Role
	Modes    []string
	Kinds    []string
}

type adminChannel struct {
	model.Channel
	Specs string // one spec per line, for the textarea
}

// admin returns the requester if it is an admin.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) (*model.User, bool, error) {
	u, ok, err := s.pageUser(w, r)
	if !ok || err != nil {
		return nil, false, err
	}
	if u.Role != model.RoleAdmin {
		return nil, false, httpError(http.StatusForbidden, i18n.T(langOf(r), "admin.forbidden"))
	}
	return u, true, nil
}

func (s *Server) showAdmin(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.admin(w, r); !ok || err != nil {
		return err
	}
	p, err := s.newPage(r, "admin", i18n.T(langOf(r), "admin.title"))
	if err != nil {
		return err
	}
	cs, err := s.st.Channels(r.Context())
	if err != nil {
		return err
	}
	us, err := s.st.Users(r.Context())
	if err != nil {
		return err
	}
	d := adminData{Users: us, Roles: []model.Role{model.RoleUser, model.RoleModerator, model.RoleAdmin},
		Modes: []string{"open", "auto", "manual"}, Kinds: moderation.Kinds()}
	for _, c := range cs {
		d.Channels = append(d.Channels, adminChannel{Channel: c, Specs: strings.Join(c.Moderators, "\n")})
	}
	p.Data = d
	s.showFlash(w, r, p)
	return s.render(w, r, http.StatusOK, p)
}

// postAdminChannel creates, renames, deletes or sets the moderation of a
// channel, by op.
func (s *Server) postAdminChannel(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.admin(w, r); !ok || err != nil {
		return err
	}
	form, err := s.readForm(w, r)
	if err != nil {
		return err
	}
	lang := langOf(r)
	slug := strings.TrimSpace(form.Get("slug"))
	title := strings.TrimSpace(form.Get("title"))
	ctx := r.Context()
	var msg string
	switch form.Get("op") {
	case "create":
		if err := model.ValidateSlug(slug); err != nil {
			return s.adminFailed(w, r, i18n.T(lang, "admin.bad_slug", slugProblem(lang, slug, err)))
		}
		if err := validChannelTitle(title); err != nil {
			return s.adminFailed(w, r, i18n.T(lang, "admin.bad_title"))
		}
		if _, err := s.st.CreateChannel(ctx, slug, title); errors.Is(err, store.ErrConflict) {
			return s.adminFailed(w, r, i18n.T(lang, "admin.slug_taken", slug))
		} else if err != nil {
			return err
		}
		msg = i18n.T(lang, "admin.created", slug)
	case "rename":
		if err := validChannelTitle(title); err != nil {
			return s.adminFailed(w, r, i18n.T(lang, "admin.bad_title"))
		}
		if err := s.st.RenameChannel(ctx, slug, title); err != nil {
			return s.adminStoreFailed(w, r, err)
		}
		msg = i18n.T(lang, "admin.renamed", title)
	case "delete":
		if form.Get("confirm") != "yes" {
			return s.adminFailed(w, r, i18n.T(lang, "admin.confirm_delete"))
		}
		c, err := s.st.Channel(ctx, slug)
		if err != nil {
			return s.adminStoreFailed(w, r, err)
		}
		if err := s.st.DeleteChannel(ctx, slug); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return s.adminStoreFailed(w, r, err)
			}
			return s.adminFailed(w, r, i18n.T(lang, "admin.default_undeletable"))
		}
		s.hub.Forget(c.ID)
		msg = i18n.T(lang, "admin.deleted", slug)
	case "moderate":
		var specs []string
		for line := range strings.SplitSeq(form.Get("moderators"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				specs = append(specs, line)
			}
		}
		mode, fallback := form.Get("mode"), form.Get("auto_moderate_as")
		if problem := s.policyProblem(lang, mode, specs, fallback); problem != "" {
			return s.adminFailed(w, r, i18n.T(lang, "admin.bad_policy", problem))
		}
		if err := s.st.SetModeration(ctx, slug, mode, specs, fallback); err != nil {
			return s.adminStoreFailed(w, r, err)
		}
		msg = i18n.T(lang, "admin.moderated", i18n.T(lang, "admin.mode."+mode))
	default:
		return httpError(http.StatusBadRequest, i18n.T(lang, "admin.bad_op"))
	}
	s.setFlash(w, msg)
	http.Redirect(w, r, s.cfg.Prefix+"/admin/", http.StatusSeeOther)
	return nil
}

// postAdminRole changes an account's role.
func (s *Server) postAdminRole(w http.ResponseWriter, r *http.Request) error {
	me, ok, err := s.admin(w, r)
	if !ok || err != nil {
		return err
	}
	form, err := s.readForm(w, r)
	if err != nil {
		return err
	}
	lang := langOf(r)
	role, ok := model.ParseRole(form.Get("role"))
	if !ok {
		return s.adminFailed(w, r, i18n.T(lang, "admin.bad_role"))
	}
	name := form.Get("username")
	if strings.EqualFold(name, me.Username) && role != model.RoleAdmin {
		// An admin cannot lock everybody out by demoting themselves.
		return s.adminFailed(w, r, i18n.T(lang, "admin.not_yourself"))
	}
	if err := s.st.SetRole(r.Context(), name, role); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return s.adminFailed(w, r, i18n.T(lang, "admin.no_user", name))
		}
		return err
	}
	s.setFlash(w, i18n.T(lang, "admin.role_set", name, i18n.T(lang, "role."+string(role))))
	http.Redirect(w, r, s.cfg.Prefix+"/admin/", http.StatusSeeOther)
	return nil
}

func (s *Server) adminFailed(w http.ResponseWriter, r *http.Request, msg string) error {
	if !wantsHTML(r) {
		return httpError(http.StatusBadRequest, msg)
	}
	s.setErrorFlash(w, msg)
	http.Redirect(w, r, s.cfg.Prefix+"/admin/", http.StatusSeeOther)
	return nil
}

func (s *Server) adminStoreFailed(w http.ResponseWriter, r *http.Request, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return s.adminFailed(w, r, i18n.T(langOf(r), "error.unknown_channel"))
	}
	return err
}

func validChannelTitle(t string) error {
	if n := len([]rune(t)); n == 0 || n > 100 {
		return errors.New("bad title")
	}
	return nil
}

// slugProblem says in lang why model.ValidateSlug refused slug with err.
func slugProblem(lang i18n.Lang, slug string, err error) string {
	switch {
	case errors.Is(err, model.ErrSlugLength):
		return i18n.T(lang, "admin.slug_length")
	case errors.Is(err, model.ErrSlugChars):
		return i18n.T(lang, "admin.slug_chars")
	}
	return i18n.T(lang, "admin.slug_reserved", slug)
}

// policyProblem checks a channel's moderation policy as the channel will
// use it and says in lang what is wrong with it, "" when nothing is. The
// moderation package's errors are English and meant for logs: each refused
// spec is named with the part of it that is wrong.
func (s *Server) policyProblem(lang i18n.Lang, mode string, specs []string, fallback string) string {
	p, err := moderation.ParsePolicy(mode, specs, fallback)
	if err == nil {
		site, _ := moderation.ParseFallback(s.cfg.AutoModerateAs)
		if _, err = p.Compile(s.moderationDeps(), site); err == nil {
			return ""
		}
	}
	var problems []string
	for _, e := range specErrors(err) {
		problems = append(problems, specProblem(lang, e))
	}
	if len(problems) > 0 {
		return strings.Join(problems, " ")
	}
	if _, err := moderation.ParseMode(mode); err != nil {
		return i18n.T(lang, "admin.policy_mode", mode)
	}
	if _, err := moderation.ParseFallback(fallback); fallback != "" && err != nil {
		return i18n.T(lang, "admin.policy_fallback", fallback)
	}
	return i18n.T(lang, "admin.policy_invalid")
}

// specErrors finds the refused specs in an error tree (ParseChain joins
// one error per bad spec).
func specErrors(err error) []*moderation.SpecError {
	switch e := err.(type) {
	case *moderation.SpecError:
		return []*moderation.SpecError{e}
	case interface{ Unwrap() []error }:
		var out []*moderation.SpecError
		for _, x := range e.Unwrap() {
			out = append(out, specErrors(x)...)
		}
		return out
	case interface{ Unwrap() error }:
		return specErrors(e.Unwrap())
	}
	return nil
}

// specProblem says in lang what is wrong with a refused auto-moderator
// spec.
func specProblem(lang i18n.Lang, e *moderation.SpecError) string {
	switch {
	case errors.Is(e, moderation.ErrShape):
		return i18n.T(lang, "admin.spec_shape", e.Spec)
	case errors.Is(e, moderation.ErrKind):
		return i18n.T(lang, "admin.spec_kind", e.Spec)
	case errors.Is(e, moderation.ErrNoArgument):
		return i18n.T(lang, "admin.spec_argument", e.Spec)
	}
	return i18n.T(lang, "admin.spec_invalid", e.Spec, e.Kind)
}
