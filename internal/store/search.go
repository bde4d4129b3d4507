package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/model"
)

// Full-text search on the databases' own engines (migration 0009): an FTS5
// index on SQLite, a tsvector column with a GIN index on PostgreSQL. Both
// give matches newest first straight from the index order (FTS5 walks its
// doclists backwards by rowid; PostgreSQL's planner walks the id index
// backwards for a frequent word and uses the GIN index for a rare one), so
// the first page of a frequent word never sorts all its matches.

// SearchQuery selects published messages. Every condition must hold.
type SearchQuery struct {
	ChannelID int64    // 0: every channel
	Phrases   []string // words or phrases of the text, as typed
	UA        []string // words of the identity, as typed
	Author    string   // a login, any case ("" for any)
	From, To  int      // local days YYYYMMDD, inclusive (0: open)
	Before    int64    // only ids below (0: from the newest)
	Limit     int
}

// searchTimeout bounds one search's work, whatever the query: a search
// that would take longer is given up (ErrSearchTimeout), and the context's
// end interrupts the query in the database too.
const searchTimeout = 2 * time.Second

// ErrSearchTimeout is a search given up because it took too long.
var ErrSearchTimeout = errors.New("store: the search took too long")

// Search returns up to q.Limit published messages matching q, newest
// first. Removed messages are never found: they leave the index when they
// are removed, and the results are read from the messages table besides.
func (s *Store) Search(ctx context.Context, q SearchQuery) ([]model.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	lo, hi, empty, err := s.dayRange(ctx, q.From, q.To)
	if err != nil || empty {
		return nil, searchError(ctx, err)
	}
	if q.Before > 0 && (hi == 0 || q.Before < hi) {
		hi = q.Before
	}
	var query string
	var args []any
	if s.dialect == postgres {
		query, args = s.searchPostgres(q, lo, hi)
	} else {
		query, args = s.searchSQLite(q, lo, hi)
	}
	ms, err := s.queryMessages(ctx, query, args...)
	return ms, searchError(ctx, err)
}

func searchError(ctx context.Context, err error) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ErrSearchTimeout
	}
	return err
}

// searchColumns are messageColumns read from messages as m.
const searchColumns = `m.id, m.channel_id, m.created, m.modified, m.clock_index, m.info, COALESCE(m.author_id, 0), m.login,
	m.raw, m.web, m.remote, m.session_id, m.ip, m.submitted`

// sqlArgs numbers the arguments of a query as it is written.
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return fmt.Sprintf("$%d", len(*a))
}

func (s *Store) searchSQLite(q SearchQuery, lo, hi int64) (string, []any) {
	var args sqlArgs
	// The match expression holds only quoted strings: whatever was typed,
	// FTS5 reads it as words to find (its operators, NEAR, *, ^, column
	// filters inside a string mean nothing).
	var match []string
	for _, p := range q.Phrases {
		match = append(match, "body : "+fts5String(p))
	}
	for _, u := range q.UA {
		match = append(match, "ua : "+fts5String(u))
	}
	if q.Author != "" && hasWord(q.Author) {
		// The login's first words: the index narrows, the comparison
		// below decides.
		match = append(match, "author : ^ "+fts5String(q.Author))
	}
	var where []string
	from := `messages m`
	order := `m.id`
	if len(match) > 0 {
		from = `message_search f JOIN messages m ON m.id = f.rowid`
		order = `f.rowid`
		where = append(where, `message_search MATCH `+args.add(strings.Join(match, " AND ")))
	}
	if hi > 0 {
		where = append(where, order+` < `+args.add(hi))
	}
	if lo > 0 {
		where = append(where, order+` >= `+args.add(lo))
	}
	where = append(where, `m.removed IS NULL`)
	where = append(where, s.searchFilters(q, &args)...)
	if q.Author != "" {
		where = append(where, `m.login = `+args.add(q.Author)+` COLLATE NOCASE`)
	}
	return `SELECT ` + searchColumns + ` FROM ` + from + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY ` + order + ` DESC LIMIT ` + args.add(q.Limit), args
}

func (s *Store) searchPostgres(q SearchQuery, lo, hi int64) (string, []any) {
	var args sqlArgs
	var where []string
	if len(q.Phrases) > 0 {
		// phraseto_tsquery reads any text as words, one after the other:
		// no query syntax to break.
		var tsq []string
		for _, p := range q.Phrases {
			tsq = append(tsq, `phraseto_tsquery('simple', tribune_fold(`+args.add(p)+`))`)
		}
		where = append(where, `m.search @@ (`+strings.Join(tsq, " && ")+`)`)
	}
	for _, u := range q.UA {
		where = append(where, `to_tsvector('simple', tribune_fold(m.info)) @@ phraseto_tsquery('simple', tribune_fold(`+args.add(u)+`))`)
	}
	if q.Author != "" {
		where = append(where, `m.login <> '' AND lower(m.login) = lower(`+args.add(q.Author)+`)`)
	}
	if hi > 0 {
		where = append(where, `m.id < `+args.add(hi))
	}
	if lo > 0 {
		where = append(where, `m.id >= `+args.add(lo))
	}
	where = append(where, `m.removed IS NULL`)
	where = append(where, s.searchFilters(q, &args)...)
	return `SELECT ` + searchColumns + ` FROM messages m WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY m.id DESC LIMIT ` + args.add(q.Limit), args
}

// searchFilters are the conditions both dialects write alike.
func (s *Store) searchFilters(q SearchQuery, args *sqlArgs) []string {
	var where []string
	if q.ChannelID != 0 {
		where = append(where, `m.channel_id = `+args.add(q.ChannelID))
	}
	if q.From != 0 {
		where = append(where, `m.day >= `+args.add(q.From))
	}
	if q.To != 0 {
		where = append(where, `m.day <= `+args.add(q.To))
	}
	return where
}

// fts5String quotes s as an FTS5 string: inside, only a doubled quote is
// special.
func fts5String(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func hasWord(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f
	})
}

// dayRange turns from and to (local days, 0: open) into ids: the messages
// of those days have lo <= id < hi (0: no bound). Ids and publication
// times grow together, so a binary search on the primary key finds them
// in a few dozen lookups, where a scan of the day column would read the
// whole table. The day filter itself still applies to every row. empty
// says no message can be in the range.
func (s *Store) dayRange(ctx context.Context, from, to int) (lo, hi int64, empty bool, err error) {
	if from != 0 {
		if lo, err = s.firstIDFrom(ctx, from); err != nil || lo == 0 {
			return 0, 0, lo == 0 && err == nil, err
		}
	}
	if to != 0 {
		// Past to, the first message of the next day, if any.
		hi, err = s.firstIDFrom(ctx, to+1)
	}
	return lo, hi, false, err
}

// firstIDFrom is the id of the first message published on day or later
// (YYYYMMDD; day+1 may be no calendar day, which compares right all the
// same), 0 when there is none.
func (s *Store) firstIDFrom(ctx context.Context, day int) (int64, error) {
	var lo, hi int64
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM messages`).Scan(&lo, &hi); err != nil {
		return 0, classify(fmt.Errorf("store: search days: %w", err))
	}
	if hi == 0 {
		return 0, nil
	}
	// The answer, if any, lies in [lo, hi); best is the lowest id known to
	// be on day or later.
	hi++
	var best int64
	for lo < hi {
		mid := lo + (hi-lo)/2
		var id int64
		var d int
		err := s.r.QueryRowContext(ctx, `SELECT id, day FROM messages WHERE id >= $1 ORDER BY id LIMIT 1`, mid).Scan(&id, &d)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, classify(fmt.Errorf("store: search days: %w", err))
		}
		switch {
		case err != nil || id >= hi: // nothing in [mid, hi)
			hi = mid
		case d >= day:
			best, hi = id, mid
		default:
			lo = id + 1
		}
	}
	return best, nil
}
