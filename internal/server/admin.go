package server

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/tribune-go/tribune/internal/logctx"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/moderation"
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

// admin returns the requester if it is an admin; an anonymous browser is
// sent to the log-in page (ok false: the answer is written).
func (s *Server) admin(w http.ResponseWriter, r *http.Request) (u *model.User, ok bool, err error) {
	u, ok, err = s.pageUser(w, r)
	if !ok || err != nil {
		return nil, false, err
	}
	if u.Role != model.RoleAdmin {
		return nil, false, httpError(http.StatusForbidden, s.t(r, "admin.forbidden"))
	}
	return u, true, nil
}

func (s *Server) showAdmin(w http.ResponseWriter, r *http.Request) error {
	if _, ok, err := s.admin(w, r); !ok || err != nil {
		return err
	}
	p, err := s.newPage(r, "admin", s.t(r, "admin.title"))
	if err != nil {
		return err
	}
	cs, err := s.board.ReadChannels(r.Context())
	if err != nil {
		return err
	}
	us, err := s.board.Users(r.Context())
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
func (s *Server) postAdminChannel(w http.ResponseWriter, r *http.Request, form url.Values) error {
	me, ok, err := s.admin(w, r)
	if !ok || err != nil {
		return err
	}
	slug := strings.TrimSpace(form.Get("slug"))
	ctx := logctx.With(r.Context(), slog.String("by", me.Username)) // for the audit trail
	var msg string
	switch form.Get("op") {
	case "create":
		if _, err := s.board.CreateChannel(ctx, slug, form.Get("title")); err != nil {
			return refuse(err)
		}
		msg = s.t(r, "admin.created", slug)
	case "rename":
		title, err := s.board.RenameChannel(ctx, slug, form.Get("title"))
		if err != nil {
			return refuse(err)
		}
		msg = s.t(r, "admin.renamed", title)
	case "delete":
		if form.Get("confirm") != "yes" {
			return refuse(httpError(http.StatusBadRequest, s.t(r, "admin.confirm_delete")))
		}
		if err := s.board.DeleteChannel(ctx, slug); err != nil {
			return refuse(err)
		}
		msg = s.t(r, "admin.deleted", slug)
	case "moderate":
		var specs []string
		for line := range strings.SplitSeq(form.Get("moderators"), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				specs = append(specs, line)
			}
		}
		mode := form.Get("mode")
		if err := s.board.SetModeration(ctx, slug, mode, specs, form.Get("auto_moderate_as")); err != nil {
			return refuse(err)
		}
		msg = s.t(r, "admin.moderated", s.t(r, "admin.mode."+mode))
	default:
		return httpError(http.StatusBadRequest, s.t(r, "admin.bad_op"))
	}
	return s.doneWithFlash(w, r, s.cfg.Prefix+"/admin/", msg)
}

// postAdminRole changes an account's role.
func (s *Server) postAdminRole(w http.ResponseWriter, r *http.Request, form url.Values) error {
	me, ok, err := s.admin(w, r)
	if !ok || err != nil {
		return err
	}
	role, ok := model.ParseRole(form.Get("role"))
	if !ok {
		return refuse(httpError(http.StatusBadRequest, s.t(r, "admin.bad_role")))
	}
	name := form.Get("username")
	ctx := logctx.With(r.Context(), slog.String("by", me.Username)) // for the audit trail
	if err := s.board.SetRole(ctx, me, name, role); err != nil {
		return refuse(err)
	}
	return s.doneWithFlash(w, r, s.cfg.Prefix+"/admin/", s.t(r, "admin.role_set", name, s.t(r, "role."+string(role))))
}
