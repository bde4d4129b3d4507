package server

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/board"
)

// The profile page: preferences and filters (for every visitor, kept in
// the session), the visitor's messages sent to moderated channels with
// their fate, and for registered users their access tokens (tokens.go)
// and the password.

type profileData struct {
	Prefs   prefsJSON
	Kinds   []string
	Targets []string
	Mine    []profileSubmission
	Tokens  []profileToken // a registered user's
	Fresh   *board.NewToken
}

type profileSubmission struct {
	Channel   string
	Submitted string
	Web       template.HTML
	Status    string
	Reason    string
	MessageID int64
}

func (s *Server) showProfile(w http.ResponseWriter, r *http.Request) error {
	return s.profilePage(w, r, http.StatusOK, nil)
}

// profilePage renders the profile, with fresh, a token just created,
// shown this once.
func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, status int, fresh *board.NewToken) error {
	p, err := s.newPage(r, "profile", s.t(r, "profile.title"))
	if err != nil {
		return err
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	subs, err := s.board.SubmissionsOf(r.Context(), sess)
	if err != nil {
		return err
	}
	d := profileData{Prefs: s.prefsOf(r, sess), Fresh: fresh,
		Targets: []string{bak.TargetUA, bak.TargetAuthor, bak.TargetMessage},
		Kinds:   []string{bak.Contains, bak.IContains, bak.Exact, bak.IExact, bak.StartsWith, bak.EndsWith}}
	for _, sub := range subs {
		d.Mine = append(d.Mine, profileSubmission{Channel: sub.ChannelSlug, Web: template.HTML(sub.Web), Status: sub.Status,
			Reason: sub.Reason, MessageID: sub.MessageID, Submitted: sub.Submitted.In(s.cfg.Location).Format(time.DateTime)})
	}
	if sess.User != nil {
		ts, err := s.board.Tokens(r.Context(), sess.User)
		if err != nil {
			return err
		}
		d.Tokens = s.profileTokens(ts)
	}
	p.Data = d
	s.showFlash(w, r, p)
	return s.render(w, r, status, p)
}

// postPassword changes the password of the logged-in user, after checking
// the current one; the user's other sessions end.
func (s *Server) postPassword(w http.ResponseWriter, r *http.Request, form url.Values) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	if sess.User == nil {
		return httpError(http.StatusUnauthorized, s.t(r, "profile.login_needed"))
	}
	fresh, err := s.board.ChangePassword(r.Context(), sess, form.Get("current"), form.Get("password"), form.Get("password2"), visitOf(r).ip)
	if err != nil {
		return refuse(err)
	}
	s.useSession(w, r, fresh)
	msg := s.t(r, "profile.password_changed")
	if visitOf(r).answer == answerPage {
		return s.doneWithFlash(w, r, s.cfg.Prefix+"/profile", msg)
	}
	writeText(w, r, http.StatusOK, msg)
	return nil
}
