package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The group committer's transaction on PostgreSQL, in two round trips for
// a batch of posts. Posters wait for the commit, and the committer for
// each statement's answer: six statements made six round trips, each a
// wake-up of the server and of the committer, about as long as the WAL's
// flush. Statements that do not need an answer before the next one is
// written are sent together (pipelined) on the batch's own connection:
//
//  1. BEGIN, the advisory lock, the ids of the posts at the head of the
//     batch and the last message of each of their channels;
//  2. the ops' own statements, if any (moderation, pending posts…);
//  3. the rows of the posts with the notification, and COMMIT.
//
// The reads of 1 run after the lock (a pipeline's statements run one
// after the other, each with its own snapshot), so they see every message
// another process committed before it.

// execer is where a batch's statements go: the transaction on SQLite, the
// batch's connection (in its transaction) on PostgreSQL.
type execer interface {
	querier
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const (
	lastMessageQuery = `SELECT id, created, modified, clock_index FROM messages WHERE channel_id = $1 ORDER BY id DESC LIMIT 1`
	messageIDsQuery  = `SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, $1) ORDER BY 1`
)

// pgTx is a batch's transaction on its PostgreSQL connection.
type pgTx struct {
	conn *sql.Conn
	open bool // BEGIN was sent and neither COMMIT nor ROLLBACK since
}

// beginPostgres opens b's transaction (round trip 1) and reads ahead for
// the plain ops at the head of ops, which then need no statement of their
// own until the commit. Plain ops after another kind of op read their ids
// when they come (deferMessage), so that ids keep the batch's order.
func (w *writer) beginPostgres(ctx context.Context, b *batch, ops []*op) (*pgTx, error) {
	conn, err := w.s.w.Conn(ctx)
	if err != nil {
		return nil, classify(fmt.Errorf("store: begin: %w", err))
	}
	t := &pgTx{conn: conn, open: true}
	lead := 0
	for lead < len(ops) && ops[lead].plain {
		lead++
	}
	var channels []int64
	for _, o := range ops[:lead] {
		if _, ok := b.last[o.channel]; !ok {
			b.last[o.channel] = &lastMessage{}
			channels = append(channels, o.channel)
		}
	}
	q := &pgx.Batch{}
	q.Queue(`BEGIN`)
	q.Queue(`SELECT pg_advisory_xact_lock($1)`, advisoryLock)
	if lead > 0 {
		q.Queue(messageIDsQuery, lead)
	}
	for _, ch := range channels {
		q.Queue(lastMessageQuery, ch)
	}
	err = t.raw(ctx, func(c *pgx.Conn) error {
		res := c.SendBatch(ctx, q)
		defer res.Close()
		for range 2 {
			if _, err := res.Exec(); err != nil {
				return fmt.Errorf("store: begin: %w", err)
			}
		}
		if lead > 0 {
			rows, err := res.Query()
			if err != nil {
				return fmt.Errorf("store: message ids: %w", err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return fmt.Errorf("store: message ids: %w", err)
				}
				b.ids = append(b.ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store: message ids: %w", err)
			}
		}
		for _, ch := range channels {
			l := b.last[ch]
			err := res.QueryRow().Scan(&l.id, &l.created, &l.modified, &l.index)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("store: last message: %w", err)
			}
		}
		return res.Close()
	})
	if err != nil {
		t.rollback()
		return nil, classify(err)
	}
	return t, nil
}

// commit sends the rows waiting with the notification, if anything
// changed, and COMMIT, together (round trip 3).
func (t *pgTx) commit(ctx context.Context, b *batch) error {
	q := &pgx.Batch{}
	if !b.change.empty() {
		payload, err := b.s.noticePayload(b.change)
		if err != nil {
			return err
		}
		sql, args := b.rowsNotify(b.s.notifyChannel, payload)
		q.Queue(sql, args...)
	} else if len(b.rows.messages) > 0 {
		return errors.New("store: rows to insert without a change to announce")
	}
	q.Queue(`COMMIT`)
	err := t.raw(ctx, func(c *pgx.Conn) error {
		res := c.SendBatch(ctx, q)
		defer res.Close()
		if q.Len() > 1 {
			if _, err := res.Exec(); err != nil {
				return fmt.Errorf("store: insert messages and notify: %w", err)
			}
		}
		tag, err := res.Exec()
		if err != nil {
			return fmt.Errorf("store: commit: %w", err)
		}
		t.open = false
		// COMMIT of a transaction an error aborted answers ROLLBACK, no
		// error.
		if tag.String() != "COMMIT" {
			return fmt.Errorf("store: commit: the transaction was rolled back (%s)", tag)
		}
		return res.Close()
	})
	b.rows = rows{}
	return classify(err)
}

// rollback ends the transaction if it is still open and gives the
// connection back; one whose state is unknown is closed instead.
func (t *pgTx) rollback() {
	if t.open {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := t.conn.ExecContext(ctx, `ROLLBACK`); err != nil {
			t.conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		t.open = false
	}
	t.conn.Close()
}

// raw runs fn on the driver's connection.
func (t *pgTx) raw(ctx context.Context, fn func(c *pgx.Conn) error) error {
	return t.conn.Raw(func(dc any) error {
		c, ok := dc.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("store: the PostgreSQL driver's connection is a %T", dc)
		}
		return fn(c.Conn())
	})
}
