package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/search"
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
	if s.dialect == postgres {
		ms, err := s.searchPostgres(ctx, q, lo, hi)
		return ms, searchError(ctx, err)
	}
	query, args := s.searchSQLite(q, lo, hi)
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
		// CROSS JOIN keeps the index as the outer loop, read in rowid
		// order within the day range: with both ends of a range, SQLite's
		// planner would otherwise walk the day's messages and run the
		// match once for each (80 ms for a day of 100 messages).
		from = `message_search f CROSS JOIN messages m ON m.id = f.rowid`
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

// searchWindow is how many of the newest rows PostgreSQL reads first,
// testing each against the query, before it turns to the GIN index.
var searchWindow = 4000

// maxSearchRead bounds the rows the windows read in all: reading rows in
// id order costs one to two microseconds each, so this is under a second
// at worst.
const maxSearchRead = 400_000

// searchPostgres runs a search in steps, because PostgreSQL's planner
// cannot tell a rare word from a frequent one it has no statistics for
// (it then walks the whole id index backwards for a rare word, or sorts
// every match of a frequent one):
//
//  1. the newest searchWindow rows are read in id order and tested, which
//     finds a frequent word's first page at once;
//  2. if that found some matches but not a page, they tell how common the
//     query is, and more windows below the first, each long enough to hold
//     the rest of the page twice over (up to maxSearchRead rows in all),
//     are read the same way: two common words together, each in one
//     message of fifteen, match one in two hundred, and asking the GIN
//     index for their 128,000 matches among ten million took 3.4 s of
//     heap reads;
//  3. if the page is still not full, the GIN index gives every match below
//     the windows (the query is rare there, so they are few), and only
//     those are sorted.
func (s *Store) searchPostgres(ctx context.Context, q SearchQuery, lo, hi int64) ([]model.Message, error) {
	// conds writes the conditions, without and with the text search, for
	// a query of its own (PostgreSQL wants a type for every argument, so
	// each query numbers only those it uses).
	conds := func(args *sqlArgs, withText bool, id string) (base, text []string) {
		if withText {
			if len(q.Phrases) > 0 {
				// phraseto_tsquery reads any text as words, one after the
				// other: no query syntax to break.
				var tsq []string
				for _, p := range q.Phrases {
					tsq = append(tsq, `phraseto_tsquery('simple', tribune_fold(`+args.add(p)+`))`)
				}
				// A subquery: computed once, not once per row (a generic
				// plan does not fold the function of an argument).
				text = append(text, `m.search @@ (SELECT `+strings.Join(tsq, " && ")+`)`)
			}
			for _, u := range q.UA {
				text = append(text, `to_tsvector('simple', tribune_fold(m.info)) @@ (SELECT phraseto_tsquery('simple', tribune_fold(`+args.add(u)+`)))`)
			}
		}
		if q.Author != "" {
			base = append(base, `m.login <> '' AND lower(m.login) = lower(`+args.add(q.Author)+`)`)
		}
		if hi > 0 {
			base = append(base, id+` < `+args.add(hi))
		}
		if lo > 0 {
			base = append(base, id+` >= `+args.add(lo))
		}
		base = append(base, `m.removed IS NULL`)
		return append(base, s.searchFilters(q, args)...), text
	}
	where := func(cs ...[]string) string {
		var all []string
		for _, c := range cs {
			all = append(all, c...)
		}
		return strings.Join(all, " AND ")
	}
	if len(q.Phrases) == 0 {
		// author: has its index, in id order; ua: alone reads back from the
		// newest, within the timeout.
		var args sqlArgs
		base, text := conds(&args, true, `m.id`)
		return s.queryMessages(ctx, `SELECT `+searchColumns+` FROM messages m WHERE `+where(base, text)+
			` ORDER BY m.id DESC LIMIT `+args.add(q.Limit), args...)
	}
	// window tests the size newest rows below below (0: from the newest):
	// the matches, up to need, and the lowest id read (0: the window held
	// every row left).
	window := func(below int64, size, need int) ([]model.Message, int64, error) {
		var args sqlArgs
		base, text := conds(&args, true, `m.id`)
		if below > 0 {
			base = append(base, `m.id < `+args.add(below))
		}
		ms, err := s.queryMessages(ctx, `SELECT `+searchColumns+` FROM (
			SELECT * FROM messages m WHERE `+where(base)+` ORDER BY m.id DESC LIMIT `+args.add(size)+`) m
			WHERE `+where(text)+` ORDER BY m.id DESC LIMIT `+args.add(need), args...)
		if err != nil || len(ms) == need {
			return ms, 0, err
		}
		var floor, rows int64
		args = nil
		base, _ = conds(&args, false, `m.id`)
		if below > 0 {
			base = append(base, `m.id < `+args.add(below))
		}
		err = s.r.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0), COUNT(*) FROM (
			SELECT m.id FROM messages m WHERE `+where(base)+` ORDER BY m.id DESC LIMIT `+args.add(size)+`) w`, args...).Scan(&floor, &rows)
		if err != nil || rows < int64(size) {
			return ms, 0, classify(err) // the window held every candidate
		}
		return ms, floor, nil
	}
	ms, floor, err := window(0, searchWindow, q.Limit)
	if err != nil || len(ms) == q.Limit || floor == 0 {
		return ms, err
	}
	// More windows, each sized from the matches found so far to hold the
	// rest of the page twice over, while they find some (or, when none,
	// while the index would read too many rows for a phrase).
	read, size := searchWindow, 0
	if len(ms) == 0 && slices.ContainsFunc(q.Phrases, func(p string) bool { return len(search.Tokens(p)) > 1 }) {
		// How many of the newest rows hold every word, in any order.
		var args sqlArgs
		base, _ := conds(&args, false, `m.id`)
		var tsq []string
		for _, p := range q.Phrases {
			tsq = append(tsq, `plainto_tsquery('simple', tribune_fold(`+args.add(p)+`))`)
		}
		var c int64
		err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (
			SELECT m.search FROM messages m WHERE `+where(base)+` ORDER BY m.id DESC LIMIT `+args.add(searchWindow)+`) w
			WHERE w.search @@ (SELECT `+strings.Join(tsq, " && ")+`)`, args...).Scan(&c)
		if err != nil {
			return nil, classify(err)
		}
		if c*(floor/int64(searchWindow)) > maxIndexCandidates {
			// No match among the newest rows, but a phrase of common
			// words: the index cannot tell word order, and would have the
			// heap read for every message holding the words (50,000 for
			// "moule coin").
			size = 8 * searchWindow
		}
	}
	for len(ms) < q.Limit && floor != 0 && read < maxSearchRead {
		if len(ms) > 0 {
			size = 2 * read * (q.Limit - len(ms)) / len(ms)
		}
		if size == 0 {
			break
		}
		size = min(size, maxSearchRead-read)
		more, below, err := window(floor, size, q.Limit-len(ms))
		if err != nil {
			return nil, err
		}
		ms, read, floor = append(ms, more...), read+size, below
	}
	if len(ms) == q.Limit || floor == 0 {
		return ms, nil
	}
	var args sqlArgs
	// m.id + 0: the matches the GIN index gives, sorted, rather than the
	// id index walked backwards (which the planner would pick for a word
	// it thinks frequent), nor a bitmap of every id in range to AND with
	// them (which a generic plan, blind to the bounds, picks).
	base, text := conds(&args, true, `(m.id + 0)`)
	rest, err := s.queryMessages(ctx, `WITH found AS MATERIALIZED (
			SELECT m.id FROM messages m WHERE `+where(base, text)+` AND m.id + 0 < `+args.add(floor)+`
			ORDER BY m.id + 0 DESC LIMIT `+args.add(q.Limit-len(ms))+`)
		SELECT `+searchColumns+` FROM messages m WHERE m.id IN (SELECT id FROM found) ORDER BY m.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	return append(ms, rest...), nil
}

// maxIndexCandidates is how many messages the GIN index may have read
// from the heap for a phrase (it finds the messages with all the words;
// their order is checked on each row) before windows are read instead.
var maxIndexCandidates int64 = 20_000

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
// times grow together, so a search on the primary key finds them in a few
// lookups, where a scan of the day column would read the whole table. The
// day filter itself still applies to every row. empty says no message can
// be in the range.
func (s *Store) dayRange(ctx context.Context, from, to int) (lo, hi int64, empty bool, err error) {
	if from != 0 {
		if lo, err = s.firstIDFrom(ctx, from); err != nil || lo == 0 {
			return 0, 0, lo == 0 && err == nil, err
		}
	}
	if to != 0 {
		// Past to, the first message of the next day, if any.
		hi, err = s.firstIDFrom(ctx, nextDay(to))
	}
	return lo, hi, false, err
}

func nextDay(day int) int {
	t := time.Date(day/10000, time.Month(day/100%100), day%100+1, 12, 0, 0, 0, time.UTC)
	return t.Year()*10000 + int(t.Month())*100 + t.Day()
}

// firstIDFrom is the id of the first message published on day (YYYYMMDD,
// in the tribune's zone) or later, 0 when there is none. An interpolation
// search on the publication time, every other step a bisection, so that
// steady traffic needs a handful of lookups and bursts no more than twice
// a bisection's.
func (s *Store) firstIDFrom(ctx context.Context, day int) (int64, error) {
	t := time.Date(day/10000, time.Month(day/100%100), day%100, 0, 0, 0, 0, s.loc).UnixMicro()
	// One connection for every step: the b-tree's pages stay in its cache.
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return 0, classify(fmt.Errorf("store: search days: %w", err))
	}
	defer conn.Close()
	// probe reads the first message with an id from id on.
	probe := func(id int64, desc bool) (int64, int64, bool, error) {
		// SQLite's NOT INDEXED keeps its planner on the primary key: with
		// statistics (ANALYZE) it may otherwise pick (channel_id, id) and
		// sort.
		from := `messages`
		if s.dialect == sqlite {
			from = `messages NOT INDEXED`
		}
		q := `SELECT id, created FROM ` + from + ` WHERE id >= $1 ORDER BY id LIMIT 1`
		if desc {
			q = `SELECT id, created FROM ` + from + ` WHERE id <= $1 ORDER BY id DESC LIMIT 1`
		}
		var got, created int64
		err := conn.QueryRowContext(ctx, q, id).Scan(&got, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, 0, false, nil
		}
		if err != nil {
			return 0, 0, false, classify(fmt.Errorf("store: search days: %w", err))
		}
		return got, created, true, nil
	}
	lo, clo, ok, err := probe(0, false)
	if err != nil || !ok {
		return 0, err
	}
	if clo >= t {
		return lo, nil
	}
	hi, chi, _, err := probe(math.MaxInt64, true)
	if err != nil || chi < t {
		return 0, err
	}
	// lo is before t, hi is not; nothing lies in [top, hi) but hi.
	top := hi
	for step := 0; lo+1 < top; step++ {
		mid := lo + (top-lo)/2
		if step%2 == 0 && chi > clo {
			mid = lo + int64(float64(hi-lo)*float64(t-clo)/float64(chi-clo))
		}
		mid = min(max(mid, lo+1), top-1)
		id, c, ok, err := probe(mid, false)
		switch {
		case err != nil:
			return 0, err
		case !ok || id >= top: // nothing in [mid, top)
			top = mid
		case c >= t:
			hi, chi, top = id, c, mid // nothing in [mid, id) either
		default:
			lo, clo = id, c
		}
	}
	return hi, nil
}
