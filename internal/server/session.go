package server

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/model"
)

// The visitor's session and cookies. The board keeps sessions; the HTTP
// layer carries their tokens in a cookie, and the name chosen with /name in
// another.

// session returns the request's session, reading it on first use.
func (s *Server) session(r *http.Request) (*board.Session, error) {
	v := visitOf(r)
	if v.sess != nil {
		return v.sess, nil
	}
	if v.token != nil {
		// A token's request has the token's session, not the cookie's.
		sess, err := s.tokenSession(r, v.token)
		if err != nil {
			return nil, err
		}
		v.sess = sess
		return sess, nil
	}
	if v.foreign {
		v.sess = &board.Session{}
		return v.sess, nil
	}
	var token string
	if c, err := r.Cookie(s.cfg.SessionCookieName); err == nil {
		token = c.Value
	}
	sess, err := s.board.LoadSession(r.Context(), token)
	if err != nil {
		return nil, err
	}
	v.sess = sess
	return sess, nil
}

// forgetSession makes the next session call read the session again (and
// check an access token again).
func (s *Server) forgetSession(r *http.Request) {
	v := visitOf(r)
	v.sess = nil
	if v.token != nil {
		v.token.use = nil
	}
}

// sessionID is the key the request's session is watched by
// (board.WatchSession): its cookie's store id, or its access token's; ""
// when it has none. It reads no session.
func (s *Server) sessionID(r *http.Request) string {
	v := visitOf(r)
	if v.token != nil && v.token.use != nil {
		return v.token.use.Session.WatchID()
	}
	if v.foreign {
		return ""
	}
	if c, err := r.Cookie(s.cfg.SessionCookieName); err == nil {
		return s.board.SessionID(c.Value)
	}
	return ""
}

// useSession makes sess the request's session (after a log-in) and gives
// the client its token.
func (s *Server) useSession(w http.ResponseWriter, r *http.Request, sess *board.Session) {
	visitOf(r).sess = sess
	s.sendToken(w, r, sess)
}

// sendToken gives the client the session's token when the board issued
// one (but never to a browser posting for another site).
func (s *Server) sendToken(w http.ResponseWriter, r *http.Request, sess *board.Session) {
	if !sess.Issued() || visitOf(r).foreign {
		return
	}
	http.SetCookie(w, s.cookie(r, s.cfg.SessionCookieName, sess.Token, s.cfg.SessionCookieAge))
}

// saveSession stores the session (giving the client its token if it is
// new).
func (s *Server) saveSession(w http.ResponseWriter, r *http.Request, sess *board.Session) error {
	err := s.board.SaveSession(r.Context(), sess)
	s.sendToken(w, r, sess)
	return err
}

// apply does what a command asked: the name cookie, the session. A
// browser posting for another site has no session nor cookies to change:
// nothing is kept (a session nobody holds would only fill the database),
// but for the session of an access token it sent on purpose (a
// browser-hosted coincoin), which keeps its filters.
func (s *Server) apply(w http.ResponseWriter, r *http.Request, sess *board.Session, eff board.Effects) error {
	v := visitOf(r)
	if v.foreign && v.token == nil {
		return nil
	}
	if eff.SetName && !v.foreign {
		http.SetCookie(w, s.nameCookie(r, eff.Name))
		if s.cfg.Prefix != "" {
			// Releases before the prefixed cookie set it at /: that one
			// would still be sent, and read, beside the new one.
			old := s.cookie(r, s.cfg.UACookieName, "", -1)
			old.Path = "/"
			http.SetCookie(w, old)
		}
	}
	if eff.SaveSession {
		return s.saveSession(w, r, sess)
	}
	s.sendToken(w, r, sess)
	return nil
}

// user is the requester's account: its access token's (checked by the
// route, tokens.go), the session's, or (when basic is set, on post routes)
// the one named by valid HTTP Basic credentials. nil means anonymous. A
// browser posting for another site sends the credentials it cached for
// the tribune without its user's intent, like cookies: they are ignored.
func (s *Server) user(r *http.Request, basic bool) (*model.User, error) {
	if visitOf(r).token != nil {
		sess, err := s.session(r)
		if err != nil {
			return nil, err
		}
		return sess.User, nil
	}
	if basic && !visitOf(r).foreign {
		if u, err := s.basicUser(r); u != nil || err != nil {
			return u, err
		}
	}
	sess, err := s.session(r)
	if err != nil {
		return nil, err
	}
	return sess.User, nil
}

// basicUser returns the account named by the request's HTTP Basic
// credentials, nil when there are none, and a 401 error when they are
// wrong. The answer is kept for the rest of the request.
func (s *Server) basicUser(r *http.Request) (*model.User, error) {
	name, password, ok := r.BasicAuth()
	if !ok {
		return nil, nil
	}
	v := visitOf(r)
	if v.basic != nil {
		return v.basic.user, v.basic.err
	}
	u, err := s.board.CheckPassword(r.Context(), name, password, v.ip)
	if errors.Is(err, board.ErrBadCredentials) {
		err = s.word(r, err).withHeader("WWW-Authenticate", `Basic realm="tribune", charset="UTF-8"`)
	}
	v.basic = &basicAnswer{u, err}
	return u, err
}

// basicAnswer is the check of a request's HTTP Basic credentials.
type basicAnswer struct {
	user *model.User
	err  error
}

// chosenName is the name chosen with /name, as the tribune shows it; ""
// when there is none.
func (s *Server) chosenName(r *http.Request) string { return s.board.CleanName(s.nameCookieValue(r)) }

// nameCookieValue reads the name cookie, "" when there is none or it is
// not valid (djangotribune answered 500 to a bad cookie), or when a browser
// posts for another site.
func (s *Server) nameCookieValue(r *http.Request) string {
	if visitOf(r).foreign {
		return ""
	}
	c, err := r.Cookie(s.cfg.UACookieName)
	if err != nil {
		return ""
	}
	v := strings.Trim(c.Value, `"`)
	if len(v) <= 2 {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		if b, err = base64.URLEncoding.DecodeString(v); err != nil {
			return ""
		}
	}
	return string(b)
}

// nameCookie is the cookie /name sets: the name in base64, quoted as
// Python's cookie library quoted it (the value holds "="); "" removes it.
func (s *Server) nameCookie(r *http.Request, name string) *http.Cookie {
	if utf8.RuneCountInString(name) < s.cfg.UALengthMin {
		return s.cookie(r, s.cfg.UACookieName, "", -1)
	}
	c := s.cookie(r, s.cfg.UACookieName, base64.StdEncoding.EncodeToString([]byte(name)), s.cfg.UACookieMaxAge)
	c.Quoted = true
	return c
}

// poster is who posts with r, for the board.
func (s *Server) poster(r *http.Request, user *model.User, sess *board.Session, via board.Via) board.Poster {
	v := visitOf(r)
	return board.Poster{User: user, Session: sess, Name: s.nameCookieValue(r), UserAgent: r.Header.Get("User-Agent"),
		Address: v.ip, Lang: v.lang, Via: via, Site: s.siteURL(r)}
}
