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

	"github.com/tribune-go/tribune/internal/model"
)

// A channel's Last-Modified stamp is the stamp of its newest message row,
// removed or not (see model.Message.Modified), in whole seconds. It never
// goes backwards: each change (a publication, a removal) takes the later of
// its own second, by the clock of the process that commits it, and the
// stamp before it. So it never runs ahead of the clocks either, and several
// changes within one second share it: the HTTP layer never answers a
// Last-Modified that a change still to come could share (see
// hub.Snapshot.LastModified and docs/protocol.md).
//
// A removal also counts in the channel's removal count: with the id of the
// newest message, it names what the channel's backends show, exactly
// (their ETag), whatever the clocks say.

// Now is the time by the clock the store stamps changes with (Options.Now).
func (s *Store) Now() time.Time { return s.now() }

// touch records a removal in the channel: its stamp moves on to the
// removal's second, and its removal count grows.
func (b *batch) touch(ctx context.Context, channelID int64) error {
	if _, err := b.tx.ExecContext(ctx, `UPDATE channels SET removals = removals + 1 WHERE id = $1`, channelID); err != nil {
		return classify(fmt.Errorf("store: channel removals: %w", err))
	}
	l, err := b.lastOf(ctx, channelID)
	if err != nil || l.id == 0 {
		return err
	}
	modified := max(b.s.now().Unix(), l.modified)
	if _, err := b.tx.ExecContext(ctx, `UPDATE messages SET modified = $1 WHERE id = $2`, modified, l.id); err != nil {
		return classify(fmt.Errorf("store: channel stamp: %w", err))
	}
	l.modified = modified
	return nil
}

// Head is what a channel's validators are made of, besides its messages.
type Head struct {
	Stamp    time.Time // the Last-Modified stamp; zero for a channel that never had a message
	Removals int64     // how many of its messages were ever removed
}

// Head reads the channel's stamp and removal count.
func (s *Store) Head(ctx context.Context, channelID int64) (Head, error) {
	return head(ctx, s.r, channelID)
}

// Recent reads a channel's newest n published messages (newest first) and
// its head, as of one moment: a change committed meanwhile shows in all of
// them or in none.
func (s *Store) Recent(ctx context.Context, channelID int64, n int) ([]model.Message, Head, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.dialect == postgres {
		opts.Isolation = sql.LevelRepeatableRead // one snapshot for both queries
	}
	// On SQLite, a read transaction sees one snapshot of the WAL.
	tx, err := s.r.BeginTx(ctx, opts)
	if err != nil {
		return nil, Head{}, classify(fmt.Errorf("store: begin read: %w", err))
	}
	defer tx.Rollback()
	h, err := head(ctx, tx, channelID)
	if err != nil {
		return nil, h, err
	}
	ms, err := queryMessages(ctx, tx, `SELECT `+messageColumns+` FROM messages
		WHERE channel_id = $1 AND removed IS NULL ORDER BY id DESC LIMIT $2`, channelID, n)
	if err != nil {
		return nil, h, err
	}
	return ms, h, nil
}

// querier is what reads need of a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func head(ctx context.Context, q querier, channelID int64) (Head, error) {
	var h Head
	var modified int64
	err := q.QueryRowContext(ctx, `SELECT removals,
		COALESCE((SELECT modified FROM messages WHERE channel_id = $1 ORDER BY id DESC LIMIT 1), 0)
		FROM channels WHERE id = $1`, channelID).Scan(&h.Removals, &modified)
	if errors.Is(err, sql.ErrNoRows) {
		return h, nil // deleted meanwhile: nothing to show
	}
	if err != nil {
		return h, classify(fmt.Errorf("store: channel head: %w", err))
	}
	if modified != 0 {
		h.Stamp = time.Unix(modified, 0).UTC()
	}
	return h, nil
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
