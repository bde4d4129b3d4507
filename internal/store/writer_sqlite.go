package store

import (
	"context"
	"database/sql"
)

// The writer's statements on SQLite run prepared. The driver prepares a
// statement each time it is run, and preparing an INSERT INTO messages
// compiles every trigger of the table (search, clocks, counts): a fifth of
// a post's cost. A statement can only be prepared outside a transaction
// (the transaction holds the writer's only connection), so one that ran
// unprepared is prepared after its batch, for the next ones. The
// multi-row inserts differ by their number of rows: at most
// maxPrepared statements are kept.
const maxPrepared = 128

const (
	insertMessageQuery = `INSERT INTO messages
		(channel_id, created, modified, clock, day, clock_index, info, author_id, login, raw, web, remote, session_id, ip, submitted)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`
	insertURLQuery = `INSERT INTO urls (message_id, created, login, url, url_hash)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (url_hash) DO NOTHING`
	// sqliteLastIDQuery is the last message id ever given (AUTOINCREMENT's
	// counter, or the largest id if an import left the counter behind).
	sqliteLastIDQuery = `SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0),
		COALESCE((SELECT MAX(id) FROM messages), 0))`
)

// stmtCache is the writer goroutine's prepared statements.
type stmtCache struct {
	stmts  map[string]*sql.Stmt
	wanted []string // run unprepared in the last batch
}

// prepare prepares the statements the last batch ran unprepared, outside
// any transaction. One that fails (a schema not migrated yet) is left
// unprepared, and tried again if it runs again.
func (c *stmtCache) prepare(ctx context.Context, db *sql.DB) {
	for _, q := range c.wanted {
		if len(c.stmts) >= maxPrepared {
			break
		}
		if _, ok := c.stmts[q]; ok {
			continue
		}
		if st, err := db.PrepareContext(ctx, q); err == nil {
			if c.stmts == nil {
				c.stmts = map[string]*sql.Stmt{}
			}
			c.stmts[q] = st
		}
	}
	c.wanted = c.wanted[:0]
}

// stmt is q prepared, or nil: q is then wanted.
func (c *stmtCache) stmt(q string) *sql.Stmt {
	st := c.stmts[q]
	if st == nil && len(c.stmts) < maxPrepared {
		c.wanted = append(c.wanted, q)
	}
	return st
}

func (c *stmtCache) close() {
	for _, st := range c.stmts {
		st.Close()
	}
}

// sqliteTx is a batch's transaction on SQLite, its statements prepared
// when they can be.
type sqliteTx struct {
	*sql.Tx
	c *stmtCache
}

func (t sqliteTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.c.stmt(query); st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t sqliteTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.c.stmt(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t sqliteTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.c.stmt(query); st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
