package board

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Accounts: log-in, sign-up, passwords and roles, for the web board, its
// remote clients and the command line.

// LogIn checks a user name and password, and on success opens a fresh
// session for the account (see openSession), replacing old. address is the
// client's, for the rate limit of failures.
func (b *Board) LogIn(ctx context.Context, old *Session, name, password, address string) (*Session, error) {
	u, err := b.CheckPassword(ctx, name, password, address)
	if err != nil {
		return nil, err
	}
	return b.openSession(ctx, old, u)
}

// CheckPassword verifies a user name and password (HTTP Basic credentials,
// a log-in form). Failures are rate limited per account and per address;
// every failure, whether the account exists or not, is ErrBadCredentials.
func (b *Board) CheckPassword(ctx context.Context, name, password, address string) (*model.User, error) {
	if wait := b.logins.blocked(name, address); wait > 0 {
		return nil, &LimitError{Limit: LimitLogins, Wait: wait}
	}
	u, err := b.st.UserByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		// Spend the same time as a real check, so timing does not tell
		// which accounts exist.
		if dummy, err := b.dummyHash(); err == nil {
			auth.Verify(dummy, password)
		}
		b.logins.failed(name, address)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if err := auth.Verify(u.PasswordHash, password); err != nil {
		if !errors.Is(err, auth.ErrMismatch) {
			b.log.Error("board: checking a password", "user", u.Username, "err", err)
		}
		b.logins.failed(name, address)
		return nil, ErrBadCredentials
	}
	return &u, nil
}

// SignUp creates an account (when TRIBUNE_SIGNUP allows it) and logs it
// in, replacing old. again is the password typed a second time. New
// accounts are rate limited per address, refused attempts included.
func (b *Board) SignUp(ctx context.Context, old *Session, name, password, again, address string) (*Session, error) {
	if !b.cfg.Signup {
		return nil, ErrSignupClosed
	}
	if ok, wait := b.signups.Allow(limit.AddressKey(address)); !ok {
		return nil, &LimitError{Limit: LimitSignups, Wait: wait}
	}
	u, err := b.createUser(ctx, name, password, again, model.RoleUser)
	if err != nil {
		return nil, err
	}
	return b.openSession(ctx, old, &u)
}

// CreateUser creates an account with a role.
func (b *Board) CreateUser(ctx context.Context, name, password string, role model.Role) (model.User, error) {
	return b.createUser(ctx, name, password, password, role)
}

func (b *Board) createUser(ctx context.Context, name, password, again string, role model.Role) (model.User, error) {
	if err := auth.ValidUsername(name); err != nil {
		return model.User{}, &UserError{Name: name, Err: &RuleError{Kind: ErrBadUsername, Rule: err}}
	}
	hash, err := b.hashPassword(name, password, again)
	if err != nil {
		return model.User{}, err
	}
	u, err := b.st.CreateUser(ctx, name, hash, role)
	if errors.Is(err, store.ErrConflict) {
		return u, &UserError{Name: name, Err: ErrUserExists}
	}
	return u, err
}

// hashPassword checks a new password, typed again as again, and hashes it.
func (b *Board) hashPassword(name, password, again string) (string, error) {
	if err := auth.ValidPassword(password); err != nil {
		return "", &UserError{Name: name, Err: &RuleError{Kind: ErrBadPassword, Rule: err}}
	}
	if again != password {
		return "", ErrPasswordsDiffer
	}
	return auth.Hash(password, b.passwordParams())
}

// ChangePassword changes sess's account's password after checking the
// current one; again is the new one typed a second time. The account's
// other sessions end; sess goes on under a new token, returned, with its
// filters and preferences.
func (b *Board) ChangePassword(ctx context.Context, sess *Session, current, password, again, address string) (*Session, error) {
	if sess.User == nil {
		return nil, ErrLoginNeeded
	}
	u, err := b.CheckPassword(ctx, sess.User.Username, current, address)
	if err != nil {
		return nil, err
	}
	hash, err := b.hashPassword(u.Username, password, again)
	if err != nil {
		return nil, err
	}
	if err := b.setPassword(ctx, u, hash); err != nil {
		return nil, err
	}
	// Every session of the account ended, this one too.
	return b.openSession(ctx, &Session{Data: sess.Data}, u)
}

// SetPassword gives an account a new password; the sessions opened with
// the old one end.
func (b *Board) SetPassword(ctx context.Context, name, password string) error {
	u, err := b.User(ctx, name)
	if err != nil {
		return err
	}
	hash, err := b.hashPassword(name, password, password)
	if err != nil {
		return err
	}
	return b.setPassword(ctx, &u, hash)
}

func (b *Board) setPassword(ctx context.Context, u *model.User, hash string) error {
	if err := b.st.SetPassword(ctx, u.Username, hash); err != nil {
		return userError(err, u.Username)
	}
	return b.st.DeleteUserSessions(ctx, u.ID)
}

// SetRole changes an account's role. by is the admin asking (nil: the
// command line), who cannot demote themselves: an admin cannot lock
// everybody out.
func (b *Board) SetRole(ctx context.Context, by *model.User, name string, role model.Role) error {
	if by != nil {
		if by.Role != model.RoleAdmin {
			return ErrForbidden
		}
		if strings.EqualFold(name, by.Username) && role != model.RoleAdmin {
			return ErrDemoteSelf
		}
	}
	return userError(b.st.SetRole(ctx, name, role), name)
}

// User reads an account by name.
func (b *Board) User(ctx context.Context, name string) (model.User, error) {
	u, err := b.st.UserByName(ctx, name)
	return u, userError(err, name)
}

// Users lists the accounts.
func (b *Board) Users(ctx context.Context) ([]model.User, error) { return b.st.Users(ctx) }

// DeleteUser deletes an account; its messages stay.
func (b *Board) DeleteUser(ctx context.Context, name string) error {
	return userError(b.st.DeleteUser(ctx, name), name)
}

// userError names the account of the store's "not found".
func userError(err error, name string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &UserError{Name: name, Err: ErrNoUser}
	}
	return err
}

// SavePrefs stores the visitor's preferences in the session and, for a
// registered user, in the profile, so they follow them to other browsers.
// An interval outside 2 to 600 seconds or an unknown theme is refused.
func (b *Board) SavePrefs(ctx context.Context, sess *Session, p Prefs) error {
	if p.RefreshSecs != 0 && (p.RefreshSecs < 2 || p.RefreshSecs > 600) {
		return ErrBadInterval
	}
	switch p.Theme {
	case "", "light", "dark":
	default:
		return ErrBadTheme
	}
	sess.Data.Prefs = &p
	if err := b.SaveSession(ctx, sess); err != nil {
		return err
	}
	if sess.User != nil {
		raw, _ := json.Marshal(p)
		return b.st.SetUserPrefs(ctx, sess.User.ID, raw)
	}
	return nil
}

// loginLimiter counts failed log-ins per account and per client address.
type loginLimiter struct{ byName, byAddress *limit.Keyed }

func newLoginLimiter(n int, period time.Duration) loginLimiter {
	return loginLimiter{byName: limit.New(n, period), byAddress: limit.New(n, period)}
}

// blocked says how long log-ins for this name or from this address must
// wait (0: they may try now).
func (l loginLimiter) blocked(name, address string) time.Duration {
	return max(l.byName.Wait(strings.ToLower(name)), l.byAddress.Wait(address))
}

func (l loginLimiter) failed(name, address string) {
	l.byName.Take(strings.ToLower(name))
	l.byAddress.Take(address)
}
