package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// A channel's Last-Modified stamp is the stamp of its newest message row,
// removed or not (see model.Message.Modified). Stamps grow strictly with
// ids; a removal moves the newest row's stamp on, so that clients polling
// with If-Modified-Since learn that the channel changed, and the next post
// gets a later stamp still.

// touch moves the channel's stamp past every stamp given so far.
func (b *batch) touch(ctx context.Context, channelID int64) error {
	l, err := b.lastOf(ctx, channelID)
	if err != nil || l.id == 0 {
		return err
	}
	modified := max(b.s.now().Unix(), l.modified+1)
	if _, err := b.tx.ExecContext(ctx, `UPDATE messages SET modified = $1 WHERE id = $2`, modified, l.id); err != nil {
		return classify(fmt.Errorf("store: channel stamp: %w", err))
	}
	l.modified = modified
	return nil
}

// Stamp is the channel's Last-Modified stamp, zero for a channel that never
// had a message.
func (s *Store) Stamp(ctx context.Context, channelID int64) (time.Time, error) {
	var modified int64
	err := s.r.QueryRowContext(ctx, `SELECT modified FROM messages WHERE channel_id = $1 ORDER BY id DESC LIMIT 1`,
		channelID).Scan(&modified)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, classify(fmt.Errorf("store: channel stamp: %w", err))
	}
	return fromMicros(modified * 1e6), nil
}

// classify names the failures callers act on, for every error the store
// returns: a write that referred to a
// row deleted in the meantime (a post to a channel another process has
// just deleted) is ErrNotFound; a full database or disk is ErrFull.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrNotFound) || errors.Is(err, ErrFull) {
		return err // named already
	}
	var se *msqlite.Error
	var pe *pgconn.PgError
	switch {
	case errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY,
		errors.As(err, &pe) && pe.Code == "23503": // foreign_key_violation
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL,
		errors.As(err, &pe) && pe.Code == "53100": // disk_full
		return fmt.Errorf("%w: %w", ErrFull, err)
	}
	return err
}

// storable tells whether a name or slug a client typed can be one a row
// holds: valid UTF-8 without NUL (PostgreSQL refuses to compare the
// others, which would be a failure rather than "not found").
func storable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
