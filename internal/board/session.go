package board

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Sessions are server-side: the client keeps a random, signed token (the
// HTTP layer puts it in a cookie), the database keeps its SHA-256 (so a leaked
// database does not leak live sessions) and the session's data. A session
// row exists only once there is something to keep (filters, preferences, a
// logged-in user); an anonymous poster just gets a token, whose hash marks
// its messages as its own.

// Session is one visitor's session.
type Session struct {
	Token  string // "" until one is issued
	ID     string // hash of Token: the store's key, and the mark of owned messages
	Exists bool   // a row is stored
	User   *model.User
	Data   SessionData
	issued bool  // Token was issued since the last call to Issued
	token  int64 // the access token whose session this is (TokenUse); 0: a cookie's
}

// SessionData is what a session row keeps.
type SessionData struct {
	Bak   *bak.State `json:"bak,omitempty"`
	Prefs *Prefs     `json:"prefs,omitempty"`
}

// Prefs are the web board's preferences.
type Prefs struct {
	Refresh     *bool  `json:"refresh,omitempty"`      // live refresh; nil is on
	RefreshSecs int    `json:"refresh_secs,omitempty"` // polling interval; 0 is the site's
	Theme       string `json:"theme,omitempty"`        // light, dark or "" (follow the system)
}

// A session token is 32 random bytes signed for "session" (see signer):
// 64 base64url characters. The signature tells a token this tribune issued
// from one a client made up, without a lookup: anonymous visitors have a
// token but no row, so "no row" cannot mean "not ours". Tokens of the
// unsigned format of earlier versions (43 characters) are refused like any
// made-up one: their holders get a new token (and log in again).
const (
	tokenLen     = 32 // bytes of randomness in a session token
	tokenPurpose = "session"
)

func tokenID(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// SessionID is the store id of a session token, "" for a token this
// tribune did not issue (so a client cannot pick its own session id).
func (b *Board) SessionID(token string) string {
	if _, ok := b.signer.open(tokenPurpose, token, tokenLen); !ok {
		return ""
	}
	return tokenID(token)
}

// EnsureToken gives the session a token if it has none.
func (b *Board) EnsureToken(s *Session) {
	if s.Token != "" {
		return
	}
	r := make([]byte, tokenLen)
	rand.Read(r)
	s.Token = b.signer.sign(tokenPurpose, r)
	s.ID = tokenID(s.Token)
	s.issued = true
}

// WatchID is the key of the session's live streams (WatchSession): its
// store id, or its access token's.
func (s *Session) WatchID() string {
	if s.token != 0 {
		return tokenWatchID(s.token)
	}
	return s.ID
}

// Issued reports whether a token was issued since the last call, that the
// client must be given.
func (s *Session) Issued() bool {
	issued := s.issued
	s.issued = false
	return issued
}

// UserID is the session's account id, 0 when anonymous (or nil).
func (s *Session) UserID() int64 {
	if s == nil || s.User == nil {
		return 0
	}
	return s.User.ID
}

// id is the session's store id, "" for none.
func (s *Session) id() string {
	if s == nil {
		return ""
	}
	return s.ID
}

// Hide is the session's active BaK filter, nil when none.
func (s *Session) Hide() func(*model.Message) bool { return s.Data.Bak.Filter() }

// Owns tells whether the session's visitor wrote m.
func (s *Session) Owns(m *model.Message) bool { return m.OwnedBy(s.ID, s.UserID()) }

// Refresh tells whether the visitor keeps the board refreshing live.
func (s *Session) Refresh() bool {
	p := s.Data.Prefs
	return p == nil || p.Refresh == nil || *p.Refresh
}

// RefreshSecs is the visitor's polling interval, def when unset.
func (s *Session) RefreshSecs(def int) int {
	if p := s.Data.Prefs; p != nil && p.RefreshSecs > 0 {
		return p.RefreshSecs
	}
	return def
}

// Theme is the visitor's theme: light, dark or "" (the system's).
func (s *Session) Theme() string {
	if p := s.Data.Prefs; p != nil {
		return p.Theme
	}
	return ""
}

// LoadSession reads the session of a token; a missing, expired or
// made-up one gives a new empty session (without a token when the token
// was not one the tribune issued).
func (b *Board) LoadSession(ctx context.Context, token string) (*Session, error) {
	sess := &Session{}
	id := b.SessionID(token)
	if id == "" {
		return sess, nil
	}
	sess.Token, sess.ID = token, id
	row, err := b.st.Session(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return sess, nil
	case err != nil:
		return nil, err
	}
	sess.Exists = true
	if len(row.Data) > 0 {
		if err := json.Unmarshal(row.Data, &sess.Data); err != nil {
			b.log.Warn("board: unreadable session data, starting afresh", "err", err)
		}
	}
	if row.UserID != 0 {
		u, err := b.st.UserByID(ctx, row.UserID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if err == nil {
			sess.User = &u
		}
	}
	return sess, nil
}

// SaveSession stores the session's data, giving it a token if it has none,
// and wakes its live streams in this process (WatchSession).
func (b *Board) SaveSession(ctx context.Context, sess *Session) error {
	data, err := json.Marshal(sess.Data)
	if err != nil {
		return err
	}
	if sess.token != 0 {
		// An access token's session is kept on the token's row; a token
		// revoked meanwhile keeps nothing.
		if err := b.st.SaveTokenData(ctx, sess.token, data); errors.Is(err, store.ErrNotFound) {
			return ErrBadToken
		} else if err != nil {
			return err
		}
		b.sessions.changed(sess.WatchID())
		return nil
	}
	b.EnsureToken(sess)
	row := store.SessionRow{ID: sess.ID, Data: data, UserID: sess.UserID(),
		Expires: time.Now().Add(time.Duration(b.cfg.SessionCookieAge) * time.Second)}
	if err := b.st.SaveSession(ctx, row); err != nil {
		return err
	}
	sess.Exists = true
	b.sessions.changed(sess.ID)
	return nil
}

// EndSession forgets a session (log-out), and wakes its live streams in
// this process, which find it gone.
func (b *Board) EndSession(ctx context.Context, sess *Session) error {
	if !sess.Exists || sess.token != 0 {
		return nil
	}
	if err := b.st.DeleteSession(ctx, sess.ID); err != nil {
		return err
	}
	b.sessions.changed(sess.ID)
	return nil
}

// openSession ends old and starts a fresh session for u, with a new token
// (a session id known before the log-in is never the logged-in one). The
// visitor's preferences and filters carry over, but the account's saved
// preferences win, and so do its saved filters when it has any: rules
// planted in a visitor's session before the log-in do not replace them.
// Only when old was already u's session (a password change) do its rules
// stay. On or off stays as it was.
func (b *Board) openSession(ctx context.Context, old *Session, u *model.User) (*Session, error) {
	if err := b.EndSession(ctx, old); err != nil {
		return nil, err
	}
	fresh := &Session{User: u, Data: old.Data}
	if raw, err := b.st.UserPrefs(ctx, u.ID); err == nil && len(raw) > 2 {
		var p Prefs
		if json.Unmarshal(raw, &p) == nil {
			fresh.Data.Prefs = &p
		}
	}
	same := old.User != nil && old.User.ID == u.ID
	if !same || fresh.Data.Bak == nil || len(fresh.Data.Bak.Rules) == 0 {
		rules, err := filterStore{b.st}.LoadRules(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		if len(rules) > 0 {
			if fresh.Data.Bak == nil {
				fresh.Data.Bak = bak.New()
			}
			fresh.Data.Bak.SetRules(rules)
		}
	}
	return fresh, b.SaveSession(ctx, fresh)
}

// WatchSession registers a live stream of session id: the returned channel
// receives a value when the session is saved or ended in this process. A
// change made elsewhere (another process, a password change ending every
// session of an account, an account deleted) is not told: the stream reads
// its session again now and then. Call stop when the stream ends.
func (b *Board) WatchSession(id string) (changed <-chan struct{}, stop func()) {
	c := make(chan struct{}, 1)
	stop = b.sessions.add(id, func() {
		select {
		case c <- struct{}{}:
		default: // already woken
		}
	})
	return c, stop
}

// OnSessionChange is WatchSession for a stream without a goroutine of its
// own: fn is called, in the goroutine that saved or ended the session,
// before that call returns; it must not block.
func (b *Board) OnSessionChange(id string, fn func()) (stop func()) {
	return b.sessions.add(id, fn)
}

// watchers wakes the live streams of a session when the session is saved
// or ended.
type watchers struct {
	mu    sync.Mutex
	watch map[string]map[*watcher]struct{}
}

type watcher struct{ fn func() }

func (ws *watchers) add(id string, fn func()) (stop func()) {
	w := &watcher{fn: fn}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.watch == nil {
		ws.watch = map[string]map[*watcher]struct{}{}
	}
	if ws.watch[id] == nil {
		ws.watch[id] = map[*watcher]struct{}{}
	}
	ws.watch[id][w] = struct{}{}
	return func() {
		ws.mu.Lock()
		defer ws.mu.Unlock()
		delete(ws.watch[id], w)
		if len(ws.watch[id]) == 0 {
			delete(ws.watch, id)
		}
	}
}

// changed wakes the streams of session id, without blocking.
func (ws *watchers) changed(id string) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for w := range ws.watch[id] {
		w.fn()
	}
}

// filterStore keeps BaK rules in a user's profile.
type filterStore struct{ st *store.Store }

func (f filterStore) SaveRules(ctx context.Context, userID int64, rules []bak.Rule) error {
	fs := make([]store.Filter, len(rules))
	for i, r := range rules {
		fs[i] = store.Filter{Target: r.Target, Kind: r.Kind, Value: r.Pattern}
	}
	return f.st.SaveFilters(ctx, userID, fs)
}

func (f filterStore) LoadRules(ctx context.Context, userID int64) ([]bak.Rule, error) {
	fs, err := f.st.Filters(ctx, userID)
	if err != nil {
		return nil, err
	}
	rules := make([]bak.Rule, 0, len(fs))
	for _, f := range fs {
		// Rules saved by hand in the database are checked like typed ones.
		if bak.ValidTarget(f.Target) && bak.ValidKind(f.Kind) && f.Value != "" {
			rules = append(rules, bak.Rule{Target: f.Target, Kind: f.Kind, Pattern: f.Value})
		}
	}
	return rules, nil
}
