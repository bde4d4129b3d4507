package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tribune-go/tribune/internal/model"
)

// Multi-row inserts for the group committer. A statement is a round trip
// to the server on PostgreSQL, and the committer waits for each while the
// posters wait for the commit: a batch of sixteen posts made thirty-six of
// them (a message and its link each). On SQLite each statement that
// writes to the search index makes it flush what it holds (FTS5 does at
// every statement's savepoint): a new segment per post, merged again and
// again, an eighth of the tribune's CPU. Plain posts (to an open channel)
// instead take their ids ahead, and their rows go in together, one INSERT
// for the messages and one for their links, before any other op that
// could read them and before the commit. Ids still grow with publication:
// on PostgreSQL they come from the messages' sequence, reserved for all
// the plain ops of the batch in one statement, and every message write
// holds the advisory lock; on SQLite the batch holds the database's only
// write lock, and they follow the table's AUTOINCREMENT counter.

// rows are the rows of plain posts waiting for their insert.
type rows struct {
	messages []any // insertColumns values, row after row
	urls     []any // urlColumns values, row after row
}

const (
	insertColumns = "id, channel_id, created, modified, clock, day, clock_index, info, author_id, login, raw, web, remote, session_id, ip, submitted"
	urlColumns    = "message_id, created, login, url, url_hash"
)

// deferMessage gives m its id and queues its rows.
func (b *batch) deferMessage(ctx context.Context, m *model.Message, now, modified int64, clock, day, index int, urls []string) error {
	if b.s.dialect == postgres {
		if err := b.reserveIDs(ctx); err != nil {
			return err
		}
		m.ID, b.ids = b.ids[0], b.ids[1:]
	} else {
		if b.nextID == 0 {
			if err := b.tx.QueryRowContext(ctx, sqliteLastIDQuery).Scan(&b.nextID); err != nil {
				return classify(fmt.Errorf("store: message ids: %w", err))
			}
			b.nextID++
		}
		m.ID = b.nextID
		b.nextID++
	}
	b.rows.messages = append(b.rows.messages, m.ID, m.ChannelID, now, modified, clock, day, index, m.Info,
		nullID(m.AuthorID), m.Login, m.Raw, m.Web, m.Remote, m.SessionID, m.IP, micros(m.Submitted))
	for _, u := range urls {
		b.rows.urls = append(b.rows.urls, m.ID, now, m.Login, u, urlHash(u))
	}
	return nil
}

// reserveIDs reserves ids on PostgreSQL when none are left.
func (b *batch) reserveIDs(ctx context.Context) error {
	if len(b.ids) == 0 {
		// Enough ids for the plain ops left in the batch, one post each.
		n := 0
		for _, o := range b.ops {
			if o.plain {
				n++
			}
		}
		rs, err := b.tx.QueryContext(ctx, messageIDsQuery, max(n, 1))
		if err != nil {
			return classify(fmt.Errorf("store: message ids: %w", err))
		}
		defer rs.Close()
		for rs.Next() {
			var id int64
			if err := rs.Scan(&id); err != nil {
				return classify(fmt.Errorf("store: message ids: %w", err))
			}
			b.ids = append(b.ids, id)
		}
		if err := rs.Err(); err != nil {
			return classify(fmt.Errorf("store: message ids: %w", err))
		}
	}
	return nil
}

// insertRows inserts the rows waiting, if any.
func (b *batch) insertRows(ctx context.Context) error {
	// PostgreSQL takes each table's rows in one statement; SQLite, at
	// most maxParams placeholders a statement (its limit is 32,766).
	maxParams := math.MaxInt
	if b.s.dialect == sqlite {
		maxParams = 1024
		b.nextID = 0 // another op's insert may come next: read the counter again
	}
	if err := b.insertEach(ctx, "INSERT INTO messages ("+insertColumns+") VALUES ", "", 16, b.rows.messages, maxParams); err != nil {
		return classify(fmt.Errorf("store: insert messages: %w", err))
	}
	if err := b.insertEach(ctx, "INSERT INTO urls ("+urlColumns+") VALUES ", " ON CONFLICT (url_hash) DO NOTHING", 5, b.rows.urls, maxParams); err != nil {
		return classify(fmt.Errorf("store: archive urls: %w", err))
	}
	b.rows = rows{}
	return nil
}

// insertEach inserts rows of cols values each, in statements of at most
// maxParams placeholders.
func (b *batch) insertEach(ctx context.Context, head, tail string, cols int, values []any, maxParams int) error {
	for len(values) > 0 {
		n := min(len(values), maxParams) / cols
		if _, err := b.tx.ExecContext(ctx, insertValues(head, cols, n, tail, b.s.firstParam()), values[:n*cols]...); err != nil {
			return err
		}
		values = values[n*cols:]
	}
	return nil
}

// rowsNotify is the statement that inserts the rows waiting and sends the
// batch's notification (payload): one statement, one round trip instead
// of three. The inserts are data-modifying WITH clauses, which run to the
// end whether or not the statement reads them, and the notification goes
// out at the commit, as from its own statement.
func (b *batch) rowsNotify(channel, payload string) (string, []any) {
	var q strings.Builder
	var args []any
	sep := "WITH "
	if n := len(b.rows.messages) / 16; n > 0 {
		q.WriteString(sep + "m AS (" + insertValues("INSERT INTO messages ("+insertColumns+") VALUES ", 16, n, "", len(args)+1) + ")")
		args, sep = append(args, b.rows.messages...), ", "
	}
	if n := len(b.rows.urls) / 5; n > 0 {
		q.WriteString(sep + "u AS (" + insertValues("INSERT INTO urls ("+urlColumns+") VALUES ", 5, n, " ON CONFLICT (url_hash) DO NOTHING", len(args)+1) + ")")
		args = append(args, b.rows.urls...)
	}
	fmt.Fprintf(&q, " SELECT pg_notify($%d, $%d)", len(args)+1, len(args)+2)
	return q.String(), append(args, channel, payload)
}

// firstParam is the number of a statement's first placeholder for
// insertValues: 0 (anonymous) on SQLite.
func (s *Store) firstParam() int {
	if s.dialect == sqlite {
		return 0
	}
	return 1
}

// insertValues writes an INSERT of n rows of cols placeholders each,
// numbered from p, or anonymous (?) when p is 0: the SQLite driver looks
// every numbered parameter's name up in a list, which makes binding
// quadratic in their number.
func insertValues(head string, cols, n int, tail string, p int) string {
	var q strings.Builder
	q.WriteString(head)
	for i := range n {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteByte('(')
		for j := range cols {
			if j > 0 {
				q.WriteByte(',')
			}
			if p == 0 {
				q.WriteByte('?')
				continue
			}
			q.WriteByte('$')
			q.WriteString(strconv.Itoa(p))
			p++
		}
		q.WriteByte(')')
	}
	q.WriteString(tail)
	return q.String()
}
