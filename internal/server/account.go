package server

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tribune-go/tribune/internal/board"
)

// Log-in, log-out and sign-up as form posts, for the web board's pages and
// for remote clients alike: a client posts username and password to login
// and keeps the session cookie it gets back. A browser is sent on to the
// page next; anyone else gets a short plain-text answer.

// postLogin checks the credentials and opens a new session for the user.
func (s *Server) postLogin(w http.ResponseWriter, r *http.Request, form url.Values) error {
	old, err := s.session(r)
	if err != nil {
		return err
	}
	sess, err := s.board.LogIn(r.Context(), old, strings.TrimSpace(form.Get("username")), form.Get("password"), visitOf(r).ip)
	if err != nil {
		return refuse(err)
	}
	s.useSession(w, r, sess)
	return s.done(w, r, s.localNext(form), s.t(r, "account.logged_in", sess.User.Username))
}

// postLogout ends the session.
func (s *Server) postLogout(w http.ResponseWriter, r *http.Request, form url.Values) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	if err := s.board.EndSession(r.Context(), sess); err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(r, s.cfg.SessionCookieName, "", -1))
	visitOf(r).sess = &board.Session{}
	return s.done(w, r, s.localNext(form), s.t(r, "account.logged_out"))
}

// postSignup creates an account and logs it in.
func (s *Server) postSignup(w http.ResponseWriter, r *http.Request, form url.Values) error {
	old, err := s.session(r)
	if err != nil {
		return err
	}
	password := form.Get("password")
	again := password // the form may not ask twice
	if v, ok := form["password2"]; ok {
		again = v[0]
	}
	sess, err := s.board.SignUp(r.Context(), old, strings.TrimSpace(form.Get("username")), password, again, visitOf(r).ip)
	if errors.Is(err, board.ErrSignupClosed) {
		return err // no form to go back to
	}
	if err != nil {
		return refuse(err)
	}
	s.useSession(w, r, sess)
	return s.done(w, r, s.localNext(form), s.t(r, "account.signed_up", sess.User.Username))
}
