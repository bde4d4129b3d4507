package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SessionRow is a server-side session. Data is opaque JSON owned by the
// caller (BaK filters, preferences, language…).
type SessionRow struct {
	ID      string // hash of the cookie token: the token itself is never stored
	UserID  int64
	Created time.Time
	Expires time.Time
	Data    []byte
}

// Session reads a live session; ErrNotFound if it is missing or expired.
func (s *Store) Session(ctx context.Context, id string) (SessionRow, error) {
	row := SessionRow{ID: id}
	var uid sql.NullInt64
	var created, expires int64
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT user_id, created, expires, data FROM sessions WHERE id = $1`, id).
		Scan(&uid, &created, &expires, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return row, ErrNotFound
	}
	if err != nil {
		return row, classify(fmt.Errorf("store: session: %w", err))
	}
	row.UserID, row.Created, row.Expires, row.Data = uid.Int64, fromMicros(created), fromMicros(expires), []byte(data)
	if !row.Expires.After(time.Now()) {
		return row, ErrNotFound
	}
	return row, nil
}

// SaveSession creates or replaces a session.
func (s *Store) SaveSession(ctx context.Context, row SessionRow) error {
	if len(row.Data) == 0 {
		row.Data = []byte("{}")
	}
	if row.Created.IsZero() {
		row.Created = time.Now()
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created, expires, data) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, expires = excluded.expires, data = excluded.data`,
		row.ID, nullID(row.UserID), micros(row.Created), micros(row.Expires), string(row.Data))
	if err != nil {
		return classify(fmt.Errorf("store: save session: %w", err))
	}
	return nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
		return classify(fmt.Errorf("store: delete session: %w", err))
	}
	return nil
}

// DeleteUserSessions ends every session of an account (password change,
// account deletion).
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return classify(fmt.Errorf("store: delete sessions: %w", err))
	}
	return nil
}

// PurgeSessions deletes expired sessions.
func (s *Store) PurgeSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE expires <= $1`, micros(now))
	if err != nil {
		return 0, classify(fmt.Errorf("store: purge sessions: %w", err))
	}
	return res.RowsAffected()
}
