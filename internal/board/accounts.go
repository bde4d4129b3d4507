package board

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"unicode/utf8"

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
	sess, err := b.openSession(ctx, old, u)
	if err == nil {
		b.audit(ctx, "login", slog.String("user", u.Username), slog.String("address", address))
	}
	return sess, err
}

// CheckPassword verifies a user name and password (HTTP Basic credentials,
// a log-in form). A try is taken first, and given back if the password is
// right (loginLimiter): *LimitError when the tries are spent. A right
// password checked lately is then known without a check (credCache);
// otherwise the check waits for a place among the few that run at once
// (checkGate): *BusyError when too many are running or waiting. Every
// failure, whether the account exists or not, is ErrBadCredentials.
// Failures are in the audit trail (successes are LogIn's: HTTP Basic
// clients check their password with every post).
func (b *Board) CheckPassword(ctx context.Context, name, password, address string) (*model.User, error) {
	u, err := b.checkPassword(ctx, name, password, address)
	if err != nil {
		var reason string
		var limit *LimitError
		switch {
		case errors.Is(err, ErrBadCredentials):
			reason = "bad credentials"
		case errors.As(err, &limit):
			reason = "too many failures"
			b.metrics.Limited(limit.Limit.metric())
		case errors.Is(err, ErrBusy):
			reason = "busy"
			b.metrics.Limited("password_checks")
		default:
			return nil, err // the client left, or the database failed
		}
		b.audit(ctx, "login_failed", slog.String("name", typedName(name)), slog.String("address", address),
			slog.String("reason", reason))
	}
	return u, err
}

func (b *Board) checkPassword(ctx context.Context, name, password, address string) (*model.User, error) {
	key := strings.ToLower(auth.LookupName(name))
	addr := limit.AddressKey(address)
	giveBack, wait, err := b.logins.take(ctx, key, addr)
	if err != nil {
		return nil, err
	}
	if wait > 0 {
		// Even for a remembered password: otherwise guesses past the
		// limit would tell the right one.
		return nil, &LimitError{Limit: LimitLogins, Wait: wait}
	}
	if id, hash, ok := b.creds.get(key, password); ok {
		u, err := b.st.UserByID(ctx, id)
		if err == nil && u.PasswordHash == hash {
			giveBack()
			b.logins.known.add(key, addr)
			return &u, nil
		}
		b.creds.forget(key, password)
	}
	u, err := b.verifyOnce(ctx, name, password, key, addr)
	if errors.Is(err, ErrBadCredentials) || ctx.Err() != nil {
		// The try stays taken, also when the asker left: its check goes
		// on, and hanging up must not buy checks for free.
		return nil, err
	}
	giveBack()
	if err != nil {
		return nil, err
	}
	b.logins.known.add(key, addr)
	return u, nil
}

// verifyOnce is verify, shared by the requests that bring the same
// credentials at once (a client opening several channels, a flood): one
// check answers them all. It goes on if the first asker leaves.
func (b *Board) verifyOnce(ctx context.Context, name, password, key, addr string) (*model.User, error) {
	sum := b.creds.sum(key, password)
	ch := b.flights.DoChan(string(sum[:]), func() (any, error) {
		// A flight that landed between this asker's look at the cache
		// and now has put its answer there.
		if id, hash, ok := b.creds.get(key, password); ok {
			if u, err := b.st.UserByID(context.WithoutCancel(ctx), id); err == nil && u.PasswordHash == hash {
				return &u, nil
			}
		}
		u, err := b.verify(context.WithoutCancel(ctx), name, password, key, addr)
		if err == nil {
			// Remembered before the flight lands, so that an asker
			// arriving just after it finds the password known rather
			// than starting a check of its own.
			b.creds.put(key, password, u.ID, u.PasswordHash)
		}
		return u, err
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		u := *r.Val.(*model.User) // each asker its own copy
		return &u, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// maxCredential bounds the names and passwords worth checking: longer ones
// cannot be an account's (30 characters) or a password (200).
const maxCredential = 1024

// verify checks a password against the account's hash, when a check may
// run.
func (b *Board) verify(ctx context.Context, name, password, key, addr string) (*model.User, error) {
	if len(name) > maxCredential || len(password) > maxCredential || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
		// No account has such a name, and PostgreSQL would refuse to
		// look it up.
		return nil, ErrBadCredentials
	}
	leave, err := b.checks.enter(ctx, "u:"+key, "a:"+addr)
	if err != nil {
		return nil, err
	}
	defer leave()
	u, err := b.st.UserByName(ctx, auth.LookupName(name))
	if errors.Is(err, store.ErrNotFound) && auth.LookupName(name) != name {
		u, err = b.st.UserByName(ctx, name) // an older account's odd name
	}
	if errors.Is(err, store.ErrNotFound) {
		// Spend the same time as a real check, so timing does not tell
		// which accounts exist.
		if dummy, err := b.dummyHash(); err == nil {
			auth.Verify(dummy, password)
		}
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if err := auth.Verify(u.PasswordHash, password); err != nil {
		if !errors.Is(err, auth.ErrMismatch) {
			b.log.Error("board: checking a password", "user", u.Username, "err", err)
		}
		return nil, ErrBadCredentials
	}
	if auth.Legacy(u.PasswordHash) {
		b.upgradeHash(ctx, &u, password)
	}
	return &u, nil
}

// upgradeHash replaces an imported Django hash with an argon2id one, at
// the first log-in that gives the right password (the check gate's place
// is still held: the new hash costs one more check). A failure leaves the
// old hash, which still works.
func (b *Board) upgradeHash(ctx context.Context, u *model.User, password string) {
	next, err := auth.Hash(password, b.passwordParams())
	if err != nil {
		b.log.Warn("board: upgrading an imported password hash", "user", u.Username, "err", err)
		return
	}
	ok, err := b.st.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, next)
	if err != nil {
		b.log.Warn("board: upgrading an imported password hash", "user", u.Username, "err", err)
		return
	}
	if ok {
		u.PasswordHash = next
		b.log.Info("board: an imported password hash is now argon2id", "user", u.Username)
	}
}

// PasswordChecks says how many passwords the board checked against their
// hash, and the most checks that ran at once: figures for tests and
// monitoring.
func (b *Board) PasswordChecks() (done int64, mostAtOnce int) { return b.checks.stats() }

// SignUp creates an account (when TRIBUNE_SIGNUP allows it) and logs it
// in, replacing old. again is the password typed a second time. New
// accounts are rate limited per address, refused attempts included.
func (b *Board) SignUp(ctx context.Context, old *Session, name, password, again, address string) (*Session, error) {
	if !b.cfg.Signup {
		return nil, ErrSignupClosed
	}
	if ok, wait, err := b.signups.Take(ctx, limit.AddressKey(address)); err != nil {
		return nil, err
	} else if !ok {
		return nil, b.limited("signups", &LimitError{Limit: LimitSignups, Wait: wait})
	}
	u, err := b.createUser(ctx, name, password, again, model.RoleUser)
	if err != nil {
		return nil, err
	}
	b.audit(ctx, "signup", slog.String("user", u.Username), slog.String("address", address))
	return b.openSession(ctx, old, &u)
}

// CreateUser creates an account with a role.
func (b *Board) CreateUser(ctx context.Context, name, password string, role model.Role) (model.User, error) {
	u, err := b.createUser(ctx, name, password, password, role)
	if err == nil {
		b.audit(ctx, "account_created", slog.String("user", u.Username), slog.String("role", string(u.Role)))
	}
	return u, err
}

// createUser checks the new name (auth.NewName: one script, PRECIS) and
// the password, and creates the account unless its name or one that looks
// like it is taken.
func (b *Board) createUser(ctx context.Context, name, password, again string, role model.Role) (model.User, error) {
	stored, skeleton, err := auth.NewName(name)
	if err != nil {
		return model.User{}, &UserError{Name: name, Err: &RuleError{Kind: ErrBadUsername, Rule: err}}
	}
	hash, err := b.hashPassword(stored, password, again)
	if err != nil {
		return model.User{}, err
	}
	if err := b.fillSkeletons(ctx); err != nil {
		return model.User{}, err
	}
	u, err := b.st.AddUser(ctx, store.NewUser{Username: stored, PasswordHash: hash, Role: role, Skeleton: skeleton})
	switch {
	case errors.Is(err, store.ErrConflict):
		return u, &UserError{Name: stored, Err: ErrUserExists}
	case errors.Is(err, store.ErrLookAlike):
		return u, &UserError{Name: stored, Err: ErrLookAlike}
	}
	return u, err
}

// fillSkeletons gives the accounts that have none (created before
// skeletons were, or by an older process) their name's skeleton, so that
// new names are compared with theirs too. Of two older accounts that look
// alike, the later keeps a key of its own; it is logged.
func (b *Board) fillSkeletons(ctx context.Context) error {
	us, err := b.st.Unskeletoned(ctx)
	if err != nil {
		return err
	}
	for _, u := range us {
		clash, err := b.st.FillSkeleton(ctx, u.ID, auth.Skeleton(u.Username))
		if err != nil {
			return err
		}
		if clash {
			b.log.Warn("board: an account's name looks like an older one's", "user", u.Username)
		}
	}
	return nil
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
	b.audit(ctx, "password_changed", slog.String("user", u.Username), slog.String("address", address))
	// Every session of the account ended, this one too.
	return b.openSession(ctx, &Session{User: sess.User, Data: sess.Data}, u)
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
	if err := b.setPassword(ctx, &u, hash); err != nil {
		return err
	}
	b.audit(ctx, "password_set", slog.String("user", u.Username))
	return nil
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
	if err := b.st.SetRole(ctx, name, role); err != nil {
		return userError(err, name)
	}
	b.audit(ctx, "role_changed", slog.String("user", name), slog.String("role", string(role)))
	return nil
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
	if err := b.st.DeleteUser(ctx, name); err != nil {
		return userError(err, name)
	}
	b.audit(ctx, "account_deleted", slog.String("user", name))
	return nil
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
