package store

import (
	"context"
	"fmt"
)

// The SQLite search index follows every insert through a trigger, which
// costs a bulk load about a third of its speed. BulkLoad takes the trigger
// off for the load and indexes the new messages in one pass afterwards
// (measured on 300,000 messages: 52,000 messages/s with the trigger,
// 82,000/s without it plus 1.6 s to index them, 57,000/s in all).

// searchInsertTrigger is migration 0009's insert trigger.
const searchInsertTrigger = `CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN new.removed IS NULL BEGIN
    INSERT INTO message_search (rowid, body, ua, author) VALUES (new.id, new.raw, new.info, new.login);
END`

// BulkLoad runs load, which inserts many messages (an import), with the
// search index brought up to date once at the end rather than at each
// insert. Nothing else should write messages meanwhile (messages posted
// during the load are indexed too, at the end). If the process dies during
// the load, the next Migrate indexes what was loaded. On PostgreSQL the
// index is a generated column: load just runs.
func (s *Store) BulkLoad(ctx context.Context, load func(ctx context.Context) error) error {
	if s.dialect == postgres {
		return load(ctx)
	}
	if err := s.catchUpSearch(ctx); err != nil {
		return err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(fmt.Errorf("store: bulk load: %w", err))
	}
	defer tx.Rollback()
	for _, q := range []string{
		// While the load runs, this row says from which id the index is
		// behind, so that an interrupted load is caught up by the next
		// Migrate. Made here: most tribunes never need it.
		`CREATE TABLE IF NOT EXISTS search_backlog (after_id INTEGER NOT NULL)`,
		`INSERT INTO search_backlog (after_id) SELECT COALESCE(MAX(id), 0) FROM messages`,
		`DROP TRIGGER message_search_insert`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return classify(fmt.Errorf("store: bulk load: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return classify(fmt.Errorf("store: bulk load: %w", err))
	}
	loadErr := load(ctx)
	// Index what was loaded even if the load failed half-way: its rows are
	// there.
	if err := s.catchUpSearch(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	return loadErr
}

// catchUpSearch finishes an interrupted bulk load: it indexes the messages
// above the backlog's id and puts the insert trigger back, in one
// transaction.
func (s *Store) catchUpSearch(ctx context.Context) error {
	if s.dialect == postgres {
		return nil
	}
	var n int
	err := s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'search_backlog'`).Scan(&n)
	if err == nil && n > 0 {
		err = s.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_backlog`).Scan(&n)
	}
	if err != nil || n == 0 {
		return classify(err)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(fmt.Errorf("store: search index: %w", err))
	}
	defer tx.Rollback()
	for _, q := range []string{
		`INSERT INTO message_search (rowid, body, ua, author)
			SELECT id, raw, info, login FROM messages WHERE removed IS NULL AND id > (SELECT MIN(after_id) FROM search_backlog)`,
		searchInsertTrigger,
		`DROP TABLE search_backlog`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return classify(fmt.Errorf("store: search index: %w", err))
		}
	}
	if err := tx.Commit(); err != nil {
		return classify(fmt.Errorf("store: search index: %w", err))
	}
	return nil
}
