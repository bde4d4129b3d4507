package store

import (
	"context"
	"database/sql"
)

// The statements every post runs on SQLite, prepared once on the writer's
// connection. The driver prepares a statement each time it is run without
// this, and preparing an INSERT INTO messages compiles every trigger of the
// table (search, clocks, counts): a fifth of a post's cost.
const (
	insertMessageQuery = `INSERT INTO messages
		(channel_id, created, modified, clock, day, clock_index, info, author_id, login, raw, web, remote, session_id, ip, submitted)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`
	insertURLQuery = `INSERT INTO urls (message_id, created, login, url, url_hash)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (url_hash) DO NOTHING`
)

var sqlitePrepared = []string{insertMessageQuery, insertURLQuery, lastMessageQuery}

// prepareSQLite prepares sqlitePrepared on the writer's only connection;
// it must run outside a transaction (the transaction holds that
// connection). It returns nil if one fails (a schema not migrated yet):
// the batch then runs its statements unprepared, and the next one tries
// again.
func (s *Store) prepareSQLite(ctx context.Context) map[string]*sql.Stmt {
	stmts := make(map[string]*sql.Stmt, len(sqlitePrepared))
	for _, q := range sqlitePrepared {
		st, err := s.w.PrepareContext(ctx, q)
		if err != nil {
			closeStmts(stmts)
			return nil
		}
		stmts[q] = st
	}
	return stmts
}

func closeStmts(stmts map[string]*sql.Stmt) {
	for _, st := range stmts {
		st.Close()
	}
}

// sqliteTx is a batch's transaction on SQLite: the statements prepared by
// prepareSQLite run as such, the others as they come.
type sqliteTx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (t sqliteTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmts[query]; st != nil {
		return t.Tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t sqliteTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.stmts[query]; st != nil {
		return t.Tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t sqliteTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmts[query]; st != nil {
		return t.Tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
