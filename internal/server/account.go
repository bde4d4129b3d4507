package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Log-in, log-out and sign-up as form posts, for the web board's pages and
// for remote clients alike: a client posts username and password to login
// and keeps the session cookie it gets back. A browser form (one that
// sends "next", or accepts HTML) is redirected; anyone else gets a short
// plain-text answer.

// postLogin checks the credentials and opens a new session for the user.
func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) error {
	form, err := s.readForm(w, r)
	if err != nil {
		return err
	}
	u, err := s.checkPassword(r, strings.TrimSpace(form.Get("username")), form.Get("password"))
	if err != nil {
		return s.formFailed(w, r, form, "login", err)
	}
	if err := s.openSession(w, r, u); err != nil {
		return err
	}
	return s.formDone(w, r, form, i18n.T(langOf(r), "account.logged_in", u.Username))
}

// openSession starts a fresh session for u (a new token: a session id known
// before the log-in is never the logged-in one), keeping the visitor's
// filters and preferences.
func (s *Server) openSession(w http.ResponseWriter, r *http.Request, u *model.User) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	if sess.exists {
		if err := s.st.DeleteSession(r.Context(), sess.id); err != nil {
			return err
		}
	}
	fresh := &session{user: u, data: sess.data}
	// A user's preferences follow them from browser to browser.
	if b, err := s.st.UserPrefs(r.Context(), u.ID); err == nil && len(b) > 2 {
		var p prefs
		if json.Unmarshal(b, &p) == nil {
			fresh.data.Prefs = &p
		}
	}
	// A user's saved filters come back with each log-in, unless the
	// visitor already has rules of their own; on or off stays as it was.
	if fresh.data.Bak == nil || len(fresh.data.Bak.Rules) == 0 {
		rules, err := filterStore{s.st}.LoadRules(r.Context(), u.ID)
		if err != nil {
			return err
		}
		if len(rules) > 0 {
			if fresh.data.Bak == nil {
				fresh.data.Bak = bak.New()
			}
			fresh.data.Bak.SetRules(rules)
		}
	}
	visitOf(r).sess = fresh
	return s.saveSession(w, r, fresh)
}

// postLogout ends the session.
func (s *Server) postLogout(w http.ResponseWriter, r *http.Request) error {
	form, sess, err := s.formAndSession(w, r)
	if err != nil {
		return err
	}
	if sess.exists {
		if err := s.st.DeleteSession(r.Context(), sess.id); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: s.cfg.SessionCookieName, Path: s.cookiePath(), Domain: s.cfg.CookieDomain, MaxAge: -1})
	visitOf(r).sess = &session{}
	return s.formDone(w, r, form, i18n.T(langOf(r), "account.logged_out"))
}

// postSignup creates an account and logs it in.
func (s *Server) postSignup(w http.ResponseWriter, r *http.Request) error {
	lang := langOf(r)
	if !s.cfg.Signup {
		return httpError(http.StatusForbidden, i18n.T(lang, "account.signup_closed"))
	}
	form, err := s.readForm(w, r)
	if err != nil {
		return err
	}
	name := strings.TrimSpace(form.Get("username"))
	password := form.Get("password")
	if err := s.signupAllowed(r); err != nil {
		return s.formFailed(w, r, form, "signup", err)
	}
	if err := usernameError(lang, name); err != nil {
		return s.formFailed(w, r, form, "signup", err)
	}
	if err := passwordError(lang, password); err != nil {
		return s.formFailed(w, r, form, "signup", err)
	}
	if again, ok := form["password2"]; ok && again[0] != password {
		return s.formFailed(w, r, form, "signup", httpError(http.StatusBadRequest, i18n.T(lang, "account.passwords_differ")))
	}
	hash, err := auth.Hash(password, s.passwordParams())
	if err != nil {
		return err
	}
	u, err := s.st.CreateUser(r.Context(), name, hash, model.RoleUser)
	if errors.Is(err, store.ErrConflict) {
		return s.formFailed(w, r, form, "signup", httpError(http.StatusConflict, i18n.T(lang, "account.name_taken", name)))
	}
	if err != nil {
		return err
	}
	if err := s.openSession(w, r, &u); err != nil {
		return err
	}
	return s.formDone(w, r, form, i18n.T(lang, "account.signed_up", u.Username))
}

// signupAllowed limits account creation per address like posts.
func (s *Server) signupAllowed(r *http.Request) error {
	if ok, wait := s.signups.Allow(visitOf(r).ip); !ok {
		return tooMany(langOf(r), "error.too_many", wait)
	}
	return nil
}

func usernameError(lang i18n.Lang, name string) error {
	if err := auth.ValidUsername(name); err != nil {
		return httpError(http.StatusBadRequest, i18n.T(lang, "account.bad_username"))
	}
	return nil
}

func passwordError(lang i18n.Lang, pw string) error {
	if err := auth.ValidPassword(pw); err != nil {
		return httpError(http.StatusBadRequest, i18n.T(lang, "account.bad_password"))
	}
	return nil
}

// browserForm tells a form sent by the web board's pages from a remote
// client's post.
func browserForm(r *http.Request, form url.Values) bool {
	return form.Has("next") || strings.Contains(r.Header.Get("Accept"), "text/html")
}

// localNext is the page to go back to: a path of this site, else the
// tribune's root.
func (s *Server) localNext(form url.Values) string {
	next := form.Get("next")
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return s.cfg.Prefix + "/"
	}
	return next
}

// formDone answers a successful form: back to the page for a browser,
// a line of text for a client.
func (s *Server) formDone(w http.ResponseWriter, r *http.Request, form url.Values, msg string) error {
	if browserForm(r, form) {
		http.Redirect(w, r, s.localNext(form), http.StatusSeeOther)
		return nil
	}
	writeBody(w, r, http.StatusOK, "text/plain; charset=utf-8", []byte(msg))
	return nil
}

// formFailed answers a refused form: the page again with the error for a
// browser, the error itself for a client.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, form url.Values, page string, err error) error {
	if browserForm(r, form) && s.pages != nil {
		return s.formPageWithError(w, r, page, form, err)
	}
	return err
}
