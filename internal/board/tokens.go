package board

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Personal access tokens: a registered user gives one to a coincoin or a
// script, which then reads, posts and runs commands as the user without a
// password (so without an argon2 check per request) and without a session
// cookie to copy. A token is random, shown once, and kept as its SHA-256:
// a fast hash is right for a secret with 256 bits of randomness, and it
// makes a check one indexed read.
//
// A token has no session cookie; what a session keeps for a client (its
// BaK filters) the token keeps on its own row, so each client's filters
// are its own, as with a session cookie. A new token starts with the
// filters saved to the profile, as a log-in does; /bak save and /bak load
// move them between the token and the profile.

// TokenPrefix starts every token, so that people and secret scanners
// know one when they see it.
const TokenPrefix = "trb_"

const (
	tokenSecretBytes = 32                                          // randomness of a token
	accessTokenLen   = len(TokenPrefix) + (tokenSecretBytes*8+5)/6 // base64url, no padding
	// MaxTokens is how many tokens an account may hold: each is a row,
	// and a profile page lists them all.
	MaxTokens = 50
	// MaxTokenName is the longest token name, in characters.
	MaxTokenName = 100
	// tokenTouchEvery is how often a token's last use is written: not
	// on every request.
	tokenTouchEvery = time.Minute
)

// Refusals about tokens.
var (
	ErrBadToken      = errors.New("the access token is unknown or was revoked")
	ErrTokenScope    = errors.New("the access token may not moderate: it was not created with the moderate scope")
	ErrScopeRole     = errors.New("only moderators and admins may hold a token with the moderate scope")
	ErrBadScope      = errors.New("a token's scope is post or moderate")
	ErrTokenName     = errors.New("a token's name has at most 100 characters")
	ErrTooManyTokens = errors.New("an account holds at most 50 tokens: revoke one first")
	ErrNoToken       = errors.New("no such token")
)

// NewToken is a token just created: Secret is shown once, and never
// again.
type NewToken struct {
	model.Token
	Secret string
}

// TokenUse is a request made with a token: the token, its user as it is
// now, and its session (its filters; saving it writes the token's row).
type TokenUse struct {
	Token   model.Token
	User    *model.User
	Session *Session
}

// MayModerate tells whether the token may use the moderation API: it has
// the moderate scope, and its user's role (read at this use, so a lowered
// role counts at once) may moderate.
func (t *TokenUse) MayModerate() error {
	if t.Token.Scope != model.ScopeModerate {
		return ErrTokenScope
	}
	return MayModerate(t.User)
}

// HashToken is the store's key of a token.
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// LooksLikeToken tells whether s has a token's shape (prefix and length),
// without a lookup.
func LooksLikeToken(s string) bool {
	return len(s) == accessTokenLen && strings.HasPrefix(s, TokenPrefix)
}

// CreateToken gives the account named username a new token. by is who
// asks: the user themself or an admin (nil: the command line). A token of
// the moderate scope is for moderators and admins only.
func (b *Board) CreateToken(ctx context.Context, by *model.User, username, name string, scope model.TokenScope) (NewToken, error) {
	var nt NewToken
	if _, ok := model.ParseTokenScope(string(scope)); !ok {
		return nt, ErrBadScope
	}
	name = strings.TrimSpace(markup.Sanitize(name))
	if utf8.RuneCountInString(name) > MaxTokenName {
		return nt, ErrTokenName
	}
	owner, err := b.User(ctx, username)
	if err != nil {
		return nt, err
	}
	if by != nil && by.ID != owner.ID && by.Role != model.RoleAdmin {
		return nt, ErrForbidden
	}
	if scope == model.ScopeModerate && !owner.Role.CanModerate() {
		return nt, ErrScopeRole
	}
	// The token starts with the filters saved to the profile, as a
	// session does at log-in.
	var data SessionData
	rules, err := filterStore{b.st}.LoadRules(ctx, owner.ID)
	if err != nil {
		return nt, err
	}
	if len(rules) > 0 {
		data.Bak = bak.New()
		data.Bak.SetRules(rules)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		return nt, err
	}
	r := make([]byte, tokenSecretBytes)
	rand.Read(r)
	nt.Secret = TokenPrefix + base64.RawURLEncoding.EncodeToString(r)
	nt.Token, err = b.st.AddToken(ctx, store.NewToken{UserID: owner.ID, Hash: HashToken(nt.Secret), Name: name,
		Scope: scope, Data: raw, Max: MaxTokens})
	switch {
	case errors.Is(err, store.ErrTooMany):
		return NewToken{}, ErrTooManyTokens
	case errors.Is(err, store.ErrNotFound):
		return NewToken{}, &UserError{Name: username, Err: ErrNoUser} // deleted meanwhile
	case err != nil:
		return NewToken{}, err
	}
	nt.Username = owner.Username
	b.audit(ctx, "token_created", slog.String("user", owner.Username), slog.Int64("id", nt.ID),
		slog.String("scope", string(scope)), slog.String("name", name), slog.String("by", actor(by)))
	return nt, nil
}

// actor names who did something, for the audit log.
func actor(by *model.User) string {
	if by == nil {
		return "command line"
	}
	return by.Username
}

// Tokens lists u's tokens, oldest first.
func (b *Board) Tokens(ctx context.Context, u *model.User) ([]model.Token, error) {
	if u == nil {
		return nil, ErrLoginNeeded
	}
	return b.st.Tokens(ctx, u.ID)
}

// AllTokens lists every account's tokens, oldest first (the command
// line).
func (b *Board) AllTokens(ctx context.Context) ([]model.Token, error) { return b.st.Tokens(ctx, 0) }

// RevokeToken revokes token id: it stops working at once, in every
// process. by is who asks: the token's user or an admin (nil: the command
// line); another user's token is ErrNoToken, as one that does not exist.
func (b *Board) RevokeToken(ctx context.Context, by *model.User, id int64) (model.Token, error) {
	t, err := b.st.Token(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && by != nil && by.ID != t.UserID && by.Role != model.RoleAdmin {
		return t, ErrNoToken
	}
	if err != nil {
		return t, err
	}
	if err := b.st.DeleteToken(ctx, id); errors.Is(err, store.ErrNotFound) {
		return t, ErrNoToken // revoked meanwhile
	} else if err != nil {
		return t, err
	}
	b.sessions.changed(tokenWatchID(id)) // its live streams end
	b.audit(ctx, "token_revoked", slog.String("user", t.Username), slog.Int64("id", t.ID), slog.String("name", t.Name),
		slog.String("by", actor(by)))
	return t, nil
}

// UseToken checks a token a client sent: one indexed read gives the
// token, its user and its session. An unknown, revoked or malformed token
// is ErrBadToken: never an anonymous visitor. The token's last use is
// written at most once a minute.
func (b *Board) UseToken(ctx context.Context, secret string) (*TokenUse, error) {
	if !LooksLikeToken(secret) {
		return nil, ErrBadToken
	}
	row, err := b.st.TokenByHash(ctx, HashToken(secret))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, err
	}
	u := row.User
	use := &TokenUse{Token: row.Token, User: &u, Session: &Session{User: &u, Exists: true, token: row.Token.ID}}
	if len(row.Data) > 0 {
		if err := json.Unmarshal(row.Data, &use.Session.Data); err != nil {
			b.log.Warn("board: unreadable token data, starting afresh", "token", row.Token.ID, "err", err)
		}
	}
	b.touchToken(ctx, row.Token)
	return use, nil
}

// touchToken records a use of t when the last one recorded is older than
// tokenTouchEvery, and this process has not tried lately: a failed write
// (a full disk) is not tried again on every request. It does not fail
// the request.
func (b *Board) touchToken(ctx context.Context, t model.Token) {
	now := b.st.Now()
	since := now.Add(-tokenTouchEvery)
	if t.LastUsed.After(since) || !b.tokenTouches.try(t.ID, now, since) {
		return
	}
	if err := b.st.TouchToken(context.WithoutCancel(ctx), t.ID, now, since); err != nil {
		b.log.Warn("board: recording a token's use", "token", t.ID, "err", err)
	}
}

// touches remembers when this process last wrote each token's last use.
type touches struct {
	mu   sync.Mutex
	last map[int64]time.Time
}

// try reports whether token id's use may be written now: not since
// since. Entries older than since are dropped as they are met.
func (ts *touches) try(id int64, now, since time.Time) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.last == nil {
		ts.last = map[int64]time.Time{}
	}
	if t, ok := ts.last[id]; ok && t.After(since) {
		return false
	}
	if len(ts.last) > 10000 {
		for k, t := range ts.last {
			if !t.After(since) {
				delete(ts.last, k)
			}
		}
	}
	ts.last[id] = now
	return true
}

// tokenWatchID is the key of a token's session among the watched
// sessions (session ids are hex, so no session has it).
func tokenWatchID(id int64) string { return "token:" + strconv.FormatInt(id, 10) }
