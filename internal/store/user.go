package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tribune-go/tribune/internal/model"
)

// usernameKey makes "Batman" and "batman" the same account name.
func usernameKey(name string) string { return strings.ToLower(name) }

const userColumns = `id, username, password_hash, role, created`

func scanUser(row interface{ Scan(...any) error }) (model.User, error) {
	var u model.User
	var created int64
	var role string
	err := row.Scan(&u.ID, &u.Username, &u.PasswordHash, &role, &created)
	u.Role, u.Created = model.Role(role), fromMicros(created)
	return u, err
}

// CreateUser adds an account; ErrConflict if the name (ignoring case) is
// taken. Its name's skeleton is left for FillSkeleton.
func (s *Store) CreateUser(ctx context.Context, username, passwordHash string, role model.Role) (model.User, error) {
	return s.AddUser(ctx, NewUser{Username: username, PasswordHash: passwordHash, Role: role})
}

// NewUser is an account to create.
type NewUser struct {
	Username     string
	PasswordHash string
	Role         model.Role
	// Skeleton is the name's look-alike key (auth.Skeleton); "" leaves
	// it for FillSkeleton.
	Skeleton string
}

// AddUser adds an account: ErrConflict if the name (ignoring case) is
// taken, ErrLookAlike if another account's name has the same skeleton.
func (s *Store) AddUser(ctx context.Context, nu NewUser) (model.User, error) {
	u := model.User{Username: nu.Username, PasswordHash: nu.PasswordHash, Role: nu.Role, Created: s.now()}
	var skeleton sql.NullString
	if nu.Skeleton != "" {
		skeleton = sql.NullString{String: nu.Skeleton, Valid: true}
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO users (username, username_key, name_skeleton, password_hash, role, created)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
		nu.Username, usernameKey(nu.Username), skeleton, nu.PasswordHash, string(nu.Role), micros(u.Created)).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		// One of the two unique keys is taken: which?
		if _, err := s.UserByName(ctx, nu.Username); errors.Is(err, ErrNotFound) {
			return u, ErrLookAlike
		}
		return u, ErrConflict
	}
	if err != nil {
		return u, classify(fmt.Errorf("store: create user: %w", err))
	}
	return u, nil
}

// Unskeletoned lists the accounts whose name has no skeleton yet (created
// before there were, or by CreateUser), by id.
func (s *Store) Unskeletoned(ctx context.Context) ([]model.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE name_skeleton IS NULL ORDER BY id`)
	if err != nil {
		return nil, classify(fmt.Errorf("store: unskeletoned users: %w", err))
	}
	defer rows.Close()
	var us []model.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, classify(fmt.Errorf("store: unskeletoned users: %w", err))
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// FillSkeleton gives the account id, which has none yet, its name's
// skeleton; if another account has it already, "SKELETON#ID", which no
// name has (clash is then true). Nothing happens if the account has one.
func (s *Store) FillSkeleton(ctx context.Context, id int64, skeleton string) (clash bool, err error) {
	own := skeleton + "#" + strconv.FormatInt(id, 10)
	var got string
	err = s.w.QueryRowContext(ctx, `UPDATE users SET name_skeleton =
			CASE WHEN EXISTS (SELECT 1 FROM users WHERE name_skeleton = CAST($2 AS TEXT)) THEN CAST($3 AS TEXT) ELSE CAST($2 AS TEXT) END
		WHERE id = $1 AND name_skeleton IS NULL RETURNING name_skeleton`, id, skeleton, own).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, classify(fmt.Errorf("store: fill skeleton: %w", err))
	}
	return got == own, nil
}

// UserByName finds an account by name, ignoring case.
func (s *Store) UserByName(ctx context.Context, username string) (model.User, error) {
	if !storable(username) {
		return model.User{}, ErrNotFound
	}
	return s.user(ctx, `WHERE username_key = $1`, usernameKey(username))
}

// UserByID finds an account by id.
func (s *Store) UserByID(ctx context.Context, id int64) (model.User, error) {
	return s.user(ctx, `WHERE id = $1`, id)
}

func (s *Store) user(ctx context.Context, where string, arg any) (model.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	if err != nil {
		return u, classify(fmt.Errorf("store: user: %w", err))
	}
	return u, nil
}

// Users lists every account by name.
func (s *Store) Users(ctx context.Context) ([]model.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username_key`)
	if err != nil {
		return nil, classify(fmt.Errorf("store: users: %w", err))
	}
	defer rows.Close()
	var us []model.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, classify(fmt.Errorf("store: users: %w", err))
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// SetPassword replaces an account's password hash.
func (s *Store) SetPassword(ctx context.Context, username, passwordHash string) error {
	return s.updateUser(ctx, `UPDATE users SET password_hash = $2 WHERE username_key = $1`, username, passwordHash)
}

// SetRole changes an account's role.
func (s *Store) SetRole(ctx context.Context, username string, role model.Role) error {
	return s.updateUser(ctx, `UPDATE users SET role = $2 WHERE username_key = $1`, username, string(role))
}

// DeleteUser removes an account, its sessions and saved filters. Its
// messages stay, still signed with the login they were posted under.
func (s *Store) DeleteUser(ctx context.Context, username string) error {
	if !storable(username) {
		return ErrNotFound
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM users WHERE username_key = $1`, usernameKey(username))
	if err != nil {
		return classify(fmt.Errorf("store: delete user: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func (s *Store) updateUser(ctx context.Context, query, username string, arg any) error {
	if !storable(username) {
		return ErrNotFound
	}
	res, err := s.w.ExecContext(ctx, query, usernameKey(username), arg)
	if err != nil {
		return classify(fmt.Errorf("store: update user: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// UserPrefs reads an account's preferences (opaque JSON).
func (s *Store) UserPrefs(ctx context.Context, userID int64) ([]byte, error) {
	var p string
	err := s.r.QueryRowContext(ctx, `SELECT prefs FROM users WHERE id = $1`, userID).Scan(&p)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, classify(fmt.Errorf("store: user prefs: %w", err))
	}
	return []byte(p), nil
}

// SetUserPrefs stores an account's preferences.
func (s *Store) SetUserPrefs(ctx context.Context, userID int64, prefs []byte) error {
	if _, err := s.w.ExecContext(ctx, `UPDATE users SET prefs = $2 WHERE id = $1`, userID, string(prefs)); err != nil {
		return classify(fmt.Errorf("store: set user prefs: %w", err))
	}
	return nil
}

// Filter is one BaK rule saved to a profile.
type Filter struct{ Target, Kind, Value string }

// SaveFilters replaces an account's saved BaK rules.
func (s *Store) SaveFilters(ctx context.Context, userID int64, fs []Filter) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(fmt.Errorf("store: save filters: %w", err))
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM filters WHERE user_id = $1`, userID); err != nil {
		return classify(fmt.Errorf("store: save filters: %w", err))
	}
	for _, f := range fs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO filters (user_id, target, kind, value) VALUES ($1, $2, $3, $4)`,
			userID, f.Target, f.Kind, f.Value); err != nil {
			return classify(fmt.Errorf("store: save filters: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return classify(fmt.Errorf("store: save filters: %w", err))
	}
	return nil
}

// Filters reads an account's saved BaK rules in the order they were saved.
func (s *Store) Filters(ctx context.Context, userID int64) ([]Filter, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT target, kind, value FROM filters WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, classify(fmt.Errorf("store: filters: %w", err))
	}
	defer rows.Close()
	var fs []Filter
	for rows.Next() {
		var f Filter
		if err := rows.Scan(&f.Target, &f.Kind, &f.Value); err != nil {
			return nil, classify(fmt.Errorf("store: filters: %w", err))
		}
		fs = append(fs, f)
	}
	return fs, rows.Err()
}

// ReplacePasswordHash replaces an account's hash with next if it is still
// old (an imported hash upgraded at log-in, which must not undo a password
// change made meanwhile). It reports whether it did.
func (s *Store) ReplacePasswordHash(ctx context.Context, id int64, old, next string) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3`, next, id, old)
	if err != nil {
		return false, classify(fmt.Errorf("store: replace password hash: %w", err))
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
