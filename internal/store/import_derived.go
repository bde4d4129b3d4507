package store

import (
	"context"
	"fmt"
)

// On SQLite, the rows derived from each message — the search index
// (migration 0009) and the history's day and hour counts (0010) — follow
// every insert through triggers, which cost an import more than half its
// speed (500,000 messages: 23,000/s with them, 51,000/s without). An
// import drops the two insert triggers inside its own transaction, fills
// the derived rows of what it wrote in one pass per run of consecutive ids
// at the end, and makes the triggers again before it commits: an import
// that fails leaves them as they were, and no post can slip in between,
// since the import holds the database's one writer. PostgreSQL keeps its
// triggers (its imports are bound by COPY, not by them).

// The insert triggers, as migrations 0009 and 0010 make them.
const (
	searchInsertTrigger = `CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN new.removed IS NULL BEGIN
    INSERT INTO message_search (rowid, body, ua, author) VALUES (new.id, new.raw, new.info, new.login);
END`
	countsInsertTrigger = `CREATE TRIGGER message_counts_insert AFTER INSERT ON messages WHEN NEW.removed IS NULL BEGIN
    INSERT INTO message_counts (channel_id, day, hour, n) VALUES (NEW.channel_id, NEW.day, NEW.clock / 3600, 1)
        ON CONFLICT (channel_id, day, hour) DO UPDATE SET n = n + 1;
    INSERT INTO message_days (channel_id, day, n) VALUES (NEW.channel_id, NEW.day, 1)
        ON CONFLICT (channel_id, day) DO UPDATE SET n = n + 1;
END`
)

// idRun is a run of consecutive message ids an import wrote.
type idRun struct{ lo, hi int64 }

// deferDerived drops the insert triggers for the import (SQLite).
func (im *Importer) deferDerived(ctx context.Context) error {
	if im.s.dialect != sqlite {
		return nil
	}
	im.deferred = true
	for _, q := range []string{`DROP TRIGGER message_search_insert`, `DROP TRIGGER message_counts_insert`} {
		if _, err := im.tx.ExecContext(ctx, q); err != nil {
			return classify(fmt.Errorf("store: begin import: %w", err))
		}
	}
	return nil
}

// wrote notes an id the import wrote.
func (im *Importer) wrote(id int64) {
	if !im.deferred {
		return
	}
	if n := len(im.runs); n > 0 && im.runs[n-1].hi+1 == id {
		im.runs[n-1].hi = id
		return
	}
	im.runs = append(im.runs, idRun{id, id})
}

// fillDerived writes the derived rows of the messages the import wrote and
// makes the triggers again.
func (im *Importer) fillDerived(ctx context.Context) error {
	if !im.deferred {
		return nil
	}
	for _, r := range im.runs {
		for _, q := range []string{
			`INSERT INTO message_search (rowid, body, ua, author)
				SELECT id, raw, info, login FROM messages WHERE id BETWEEN $1 AND $2 AND removed IS NULL`,
			`INSERT INTO message_counts (channel_id, day, hour, n)
				SELECT channel_id, day, clock / 3600, COUNT(*) FROM messages WHERE id BETWEEN $1 AND $2 AND removed IS NULL
				GROUP BY channel_id, day, clock / 3600
				ON CONFLICT (channel_id, day, hour) DO UPDATE SET n = n + excluded.n`,
			`INSERT INTO message_days (channel_id, day, n)
				SELECT channel_id, day, COUNT(*) FROM messages WHERE id BETWEEN $1 AND $2 AND removed IS NULL
				GROUP BY channel_id, day
				ON CONFLICT (channel_id, day) DO UPDATE SET n = n + excluded.n`,
		} {
			if _, err := im.tx.ExecContext(ctx, q, r.lo, r.hi); err != nil {
				return classify(fmt.Errorf("store: import: derived rows: %w", err))
			}
		}
	}
	for _, q := range []string{searchInsertTrigger, countsInsertTrigger} {
		if _, err := im.tx.ExecContext(ctx, q); err != nil {
			return classify(fmt.Errorf("store: import: triggers: %w", err))
		}
	}
	return nil
}
