package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Sessions are server-side: the cookie holds a random token, the database
// holds its SHA-256 (so a leaked database does not leak live sessions) and
// the session's data. A session row exists only once there is something to
// keep (a BaK, a preference, a logged-in user); an anonymous poster just
// gets a token, whose hash marks its messages as "owned".

// session is one visitor's session, as loaded for a request.
type session struct {
	token  string // cookie value; "" until one is issued
	id     string // store id: hash of token
	exists bool   // a row is stored
	user   *model.User
	data   sessionData
}

// sessionData is what a session row keeps.
type sessionData struct {
	Bak   *bak.State `json:"bak,omitempty"`
	Prefs *prefs     `json:"prefs,omitempty"`
}

// prefs are the web board's preferences.
type prefs struct {
	Refresh     *bool  `json:"refresh,omitempty"`      // active refresh
	RefreshSecs int    `json:"refresh_secs,omitempty"` // interval
	Theme       string `json:"theme,omitempty"`        // light, dark or "" (follow the system)
}

const tokenLen = 32 // bytes of randomness in a session token

func newToken() string {
	b := make([]byte, tokenLen)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// validToken accepts only tokens of the shape this server issues, so a
// client cannot pick its own session id.
func validToken(t string) bool {
	if len(t) != base64.RawURLEncoding.EncodedLen(tokenLen) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(t)
	return err == nil
}

// session returns the request's session, reading it on first use.
func (s *Server) session(r *http.Request) (*session, error) {
	v := visitOf(r)
	if v.sess != nil {
		return v.sess, nil
	}
	sess := &session{}
	if c, err := r.Cookie(s.cfg.SessionCookieName); err == nil && validToken(c.Value) {
		sess.token, sess.id = c.Value, tokenID(c.Value)
		row, err := s.st.Session(r.Context(), sess.id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return nil, err
		default:
			sess.exists = true
			if len(row.Data) > 0 {
				if err := json.Unmarshal(row.Data, &sess.data); err != nil {
					s.log.Warn("server: unreadable session data, starting afresh", "err", err)
				}
			}
			if row.UserID != 0 {
				u, err := s.st.UserByID(r.Context(), row.UserID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return nil, err
				}
				if err == nil {
					sess.user = &u
				}
			}
		}
	}
	v.sess = sess
	return sess, nil
}

// ensureToken gives the session a token (and its cookie) if it has none.
func (s *Server) ensureToken(w http.ResponseWriter, sess *session) {
	if sess.token != "" {
		return
	}
	sess.token = newToken()
	sess.id = tokenID(sess.token)
	s.setSessionCookie(w, sess.token)
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cfg.SessionCookieName, Value: token, Path: s.cookiePath(), Domain: s.cfg.CookieDomain,
		MaxAge: s.cfg.SessionCookieAge, HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secureCookies(),
	})
}

func (s *Server) cookiePath() string {
	if s.cfg.Prefix == "" {
		return "/"
	}
	return s.cfg.Prefix + "/"
}

// secureCookies marks cookies Secure when the site is known to be served
// over HTTPS.
func (s *Server) secureCookies() bool {
	return len(s.cfg.SiteURL) > 8 && s.cfg.SiteURL[:8] == "https://"
}

// saveSession stores the session's data (creating its row and cookie if
// needed).
func (s *Server) saveSession(w http.ResponseWriter, r *http.Request, sess *session) error {
	s.ensureToken(w, sess)
	data, err := json.Marshal(sess.data)
	if err != nil {
		return err
	}
	row := store.SessionRow{ID: sess.id, Data: data,
		Expires: time.Now().Add(time.Duration(s.cfg.SessionCookieAge) * time.Second)}
	if sess.user != nil {
		row.UserID = sess.user.ID
	}
	if err := s.st.SaveSession(r.Context(), row); err != nil {
		return err
	}
	sess.exists = true
	s.watchers.changed(sess.id) // open streams apply the new filters
	return nil
}

// user is the requester's account: the session's, or (when basic is set,
// on post routes) the one named by valid HTTP Basic credentials. nil means
// anonymous.
func (s *Server) user(r *http.Request, basic bool) (*model.User, error) {
	if basic {
		if u, err := s.basicUser(r); u != nil || err != nil {
			return u, err
		}
	}
	sess, err := s.session(r)
	if err != nil {
		return nil, err
	}
	return sess.user, nil
}

// hideFilter is the requester's active BaK filter, nil when none.
func (sess *session) hideFilter() func(*model.Message) bool {
	return sess.data.Bak.Filter()
}

// owned tells whether the requester wrote a message.
func (sess *session) owned(m *model.Message) bool {
	var uid int64
	if sess.user != nil {
		uid = sess.user.ID
	}
	return m.OwnedBy(sess.id, uid)
}
