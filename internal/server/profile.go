package server

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/i18n"
)

// The profile page: preferences and filters (for every visitor, kept in
// the session), the visitor's messages sent to moderated channels with
// their fate, and for registered users the password.

type profileData struct {
	Prefs   prefsJSON
	Kinds   []string
	Targets []string
	Mine    []profileSubmission
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
	p, err := s.newPage(r, "profile", i18n.T(langOf(r), "profile.title"))
	if err != nil {
		return err
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	var uid int64
	if sess.user != nil {
		uid = sess.user.ID
	}
	subs, err := s.st.SubmissionsOf(r.Context(), uid, sess.id, 100)
	if err != nil {
		return err
	}
	d := profileData{Prefs: s.prefsOf(r, sess),
		Targets: []string{bak.TargetUA, bak.TargetAuthor, bak.TargetMessage},
		Kinds:   []string{bak.Contains, bak.IContains, bak.Exact, bak.IExact, bak.StartsWith, bak.EndsWith}}
	for _, sub := range subs {
		d.Mine = append(d.Mine, profileSubmission{Channel: sub.ChannelSlug, Web: template.HTML(sub.Web), Status: sub.Status,
			Reason: sub.Reason, MessageID: sub.MessageID, Submitted: sub.Submitted.In(s.cfg.Location).Format(time.DateTime)})
	}
	p.Data = d
	s.showFlash(w, r, p)
	return s.render(w, r, http.StatusOK, p)
}

// postPassword changes the password of the logged-in user, after checking
// the current one; the user's other sessions end.
func (s *Server) postPassword(w http.ResponseWriter, r *http.Request) error {
	lang := langOf(r)
	form, sess, err := s.formAndSession(w, r)
	if err != nil {
		return err
	}
	if sess.user == nil {
		return httpError(http.StatusUnauthorized, i18n.T(lang, "moderation.login_needed"))
	}
	back := func(e error) error { return s.backWithError(w, r, form, e) }
	if _, err := s.checkPassword(r, sess.user.Username, form.Get("current")); err != nil {
		return back(err)
	}
	if err := passwordError(lang, form.Get("password")); err != nil {
		return back(err)
	}
	if form.Get("password") != form.Get("password2") {
		return back(httpError(http.StatusBadRequest, i18n.T(lang, "account.passwords_differ")))
	}
	hash, err := auth.Hash(form.Get("password"), s.passwordParams())
	if err != nil {
		return err
	}
	if err := s.st.SetPassword(r.Context(), sess.user.Username, hash); err != nil {
		return err
	}
	if err := s.st.DeleteUserSessions(r.Context(), sess.user.ID); err != nil {
		return err
	}
	// This session goes on, under a new token, with its filters and
	// preferences.
	visitOf(r).sess = &session{data: sess.data}
	if err := s.openSession(w, r, sess.user); err != nil {
		return err
	}
	if browserForm(r, form) {
		s.setFlash(w, i18n.T(lang, "profile.password_changed"))
		http.Redirect(w, r, s.cfg.Prefix+"/profile", http.StatusSeeOther)
		return nil
	}
	writeBody(w, r, http.StatusOK, "text/plain; charset=utf-8", []byte(i18n.T(lang, "profile.password_changed")))
	return nil
}

// backWithError answers a refused form: a browser goes back to the form's
// page (next, else the profile) with the error shown there; a script gets
// the error itself. Server errors are never shown in place.
func (s *Server) backWithError(w http.ResponseWriter, r *http.Request, form url.Values, err error) error {
	var e *Error
	if !browserForm(r, form) || !errors.As(err, &e) || e.Status >= 500 {
		return err
	}
	s.setErrorFlash(w, e.Msg)
	next := s.cfg.Prefix + "/profile"
	if form.Has("next") {
		next = s.localNext(form)
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
