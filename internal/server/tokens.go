package server

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/model"
)

// Personal access tokens on the HTTP side: where a request carries one,
// which routes take it, and the profile's forms that create and revoke
// them (the rules are the board's, tokens.go there).
//
// A token comes in the Authorization header (Bearer), in a post's body
// (the field token) or in the cookie tribune_token, which every coincoin
// can be told to send. The header and the field are sent on purpose; the
// cookie is sent by a browser on its own, so, like the session cookie, it
// is ignored when a browser posts for another site, and on the pages it
// does not open (they go by the session). Tokens open the clients' routes
// (backends, posts, the live stream, the clock finder, my/messages.json)
// and, with the moderate scope, the moderation API: never the other pages.

// tokenCookie is the cookie a coincoin may send a token in.
const tokenCookie = "tribune_token"

// tokenField is the post body's field a token may come in.
const tokenField = "token"

// bearerChallenge answers a refused token (RFC 6750).
const bearerChallenge = `Bearer realm="tribune", error="invalid_token"`

// tokenAnswer is the token a request carries, once checked.
type tokenAnswer struct {
	secret string
	use    *board.TokenUse // nil when it must be checked again (forgetSession)
}

// presentedToken is the token r carries, "" for none; explicit says it
// came in the header or the body, which a browser never sends by itself.
func presentedToken(r *http.Request, form url.Values, foreign bool) (secret string, explicit bool) {
	if scheme, rest, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && strings.EqualFold(scheme, "Bearer") {
		return strings.TrimSpace(rest), true
	}
	if v := form.Get(tokenField); v != "" {
		return strings.TrimSpace(v), true
	}
	if foreign {
		return "", false
	}
	if c, err := r.Cookie(tokenCookie); err == nil && c.Value != "" {
		return c.Value, false
	}
	return "", false
}

// takeToken checks the token the request carries, before anything reads
// who asks. An unknown or revoked token is refused (401), never taken for
// an anonymous visitor; a token sent on purpose to a route that takes
// none is refused (403).
func (s *Server) takeToken(r *http.Request, rt route, form url.Values) error {
	v := visitOf(r)
	secret, explicit := presentedToken(r, form, v.foreign)
	switch {
	case secret == "":
		return nil
	case !rt.tokens && explicit:
		return httpError(http.StatusForbidden, s.t(r, "error.token_not_here"))
	case !rt.tokens:
		return nil // a browser's cookie: the page goes by the session
	}
	use, err := s.board.UseToken(r.Context(), secret)
	if err != nil {
		return err
	}
	v.token = &tokenAnswer{secret: secret, use: use}
	v.sess = use.Session
	return nil
}

// tokenSession is the session of the request's token, checked again when
// forgotten (a live stream's keep-alive): a token revoked since is
// refused.
func (s *Server) tokenSession(r *http.Request, t *tokenAnswer) (*board.Session, error) {
	if t.use == nil {
		use, err := s.board.UseToken(r.Context(), t.secret)
		if err != nil {
			return nil, err
		}
		t.use = use
	}
	return t.use.Session, nil
}

// mayModerateWithToken refuses the moderation API to a token without the
// moderate scope, or whose user may no longer moderate.
func (s *Server) mayModerateWithToken(r *http.Request) error {
	if t := visitOf(r).token; t != nil && t.use != nil {
		return t.use.MayModerate()
	}
	return nil
}

// profileToken is a token as the profile lists it.
type profileToken struct {
	ID       int64
	Name     string
	Scope    model.TokenScope
	Created  string
	LastUsed string // "" for never
}

func (s *Server) profileTokens(ts []model.Token) []profileToken {
	out := make([]profileToken, len(ts))
	for i, t := range ts {
		out[i] = profileToken{ID: t.ID, Name: t.Name, Scope: t.Scope, Created: s.localTime(t.Created)}
		if !t.LastUsed.IsZero() {
			out[i].LastUsed = s.localTime(t.LastUsed)
		}
	}
	return out
}

func (s *Server) localTime(t time.Time) string { return t.In(s.cfg.Location).Format(time.DateTime) }

// postToken creates a token for the logged-in user. The page shows it
// once, in the answer to this post (never in a cookie or the session, so
// the secret is written nowhere); a script gets it as one line of text,
// board.js as JSON.
func (s *Server) postToken(w http.ResponseWriter, r *http.Request, form url.Values) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	if sess.User == nil {
		return httpError(http.StatusUnauthorized, s.t(r, "profile.login_needed"))
	}
	scope := model.ScopePost
	if v := form.Get("scope"); v != "" {
		scope = model.TokenScope(v)
	}
	nt, err := s.board.CreateToken(r.Context(), sess.User, sess.User.Username, form.Get("name"), scope)
	if err != nil {
		return refuse(err)
	}
	switch visitOf(r).answer {
	case answerPage:
		return s.profilePage(w, r, http.StatusCreated, &nt)
	case answerJSON:
		return writeJSON(w, r, http.StatusCreated, struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			Scope string `json:"scope"`
			Token string `json:"token"`
		}{nt.ID, nt.Name, string(nt.Scope), nt.Secret})
	}
	writeText(w, r, http.StatusCreated, nt.Secret)
	return nil
}

// revokeToken revokes one of the logged-in user's tokens.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, form url.Values) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	if sess.User == nil {
		return httpError(http.StatusUnauthorized, s.t(r, "profile.login_needed"))
	}
	id, err := s.pathID(r)
	if err != nil {
		return err
	}
	t, err := s.board.RevokeToken(r.Context(), sess.User, id)
	if err != nil {
		return refuse(err)
	}
	name := t.Name
	if name == "" {
		name = "#" + r.PathValue("id")
	}
	msg := s.t(r, "profile.token_revoked", name)
	if visitOf(r).answer == answerPage {
		return s.doneWithFlash(w, r, s.cfg.Prefix+"/profile", msg)
	}
	writeText(w, r, http.StatusOK, msg)
	return nil
}
