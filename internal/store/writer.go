package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/model"
)

// The group committer. Every write that creates, publishes or removes a
// message goes through one goroutine, which takes whatever is waiting and
// applies it in a single transaction: sixteen concurrent posts cost one
// commit (one fsync) instead of sixteen. A caller's answer comes back only
// after the commit, so an acknowledged post is on disk.
//
// Serialising these writes also gives message ids their meaning: ids and
// publication times grow together, and a client that has seen id N will
// never later find a message with a lower id. On PostgreSQL, where several
// processes may write, an advisory lock taken at the start of each batch
// extends that promise across processes.

const maxBatch = 256

// advisoryLock is the PostgreSQL lock key that orders message writes.
const advisoryLock = 7405112

type writer struct {
	s      *Store
	ops    chan *op
	mu     sync.RWMutex // guards closed against concurrent submit
	done   chan struct{}
	closed bool
	// SQLite's prepared statements (writer_sqlite.go), the writer
	// goroutine's own.
	stmts stmtCache
}

// op is one queued write; apply runs inside the batch transaction.
type op struct {
	apply func(ctx context.Context, b *batch) error
	err   chan error
	// plain: the op only publishes messages (a post to an open channel),
	// so its rows may wait for the batch's multi-row inserts
	// (writer_rows.go).
	plain   bool
	channel int64 // a plain op's channel
}

func newWriter(s *Store) *writer {
	w := &writer{s: s, ops: make(chan *op, maxBatch), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *writer) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ops)
	}
	w.mu.Unlock()
	<-w.done
}

// submit queues fn and waits for its commit. If ctx ends first the caller
// gets ctx's error, but the write may still be committed, and fn may still
// run: on an error, the caller must not read what fn writes.
func (w *writer) submit(ctx context.Context, fn func(ctx context.Context, b *batch) error) error {
	return w.submitOp(ctx, &op{apply: fn, err: make(chan error, 1)})
}

// submitPlain is submit for an op that only publishes a message to
// channel.
func (w *writer) submitPlain(ctx context.Context, channel int64, fn func(ctx context.Context, b *batch) error) error {
	return w.submitOp(ctx, &op{apply: fn, err: make(chan error, 1), plain: true, channel: channel})
}

func (w *writer) submitOp(ctx context.Context, o *op) error {
	w.mu.RLock()
	if w.closed {
		w.mu.RUnlock()
		return ErrClosed
	}
	select {
	case w.ops <- o:
	case <-ctx.Done():
		w.mu.RUnlock()
		return ctx.Err()
	}
	w.mu.RUnlock()
	select {
	case err := <-o.err:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *writer) run() {
	defer close(w.done)
	defer w.stmts.close()
	for first := range w.ops {
		ops := []*op{first}
	collect:
		for len(ops) < maxBatch {
			select {
			case o, ok := <-w.ops:
				if !ok {
					break collect
				}
				ops = append(ops, o)
			default:
				break collect
			}
		}
		w.commit(ops)
		if len(w.stmts.wanted) > 0 {
			w.stmts.prepare(context.Background(), w.s.w)
		}
	}
}

// commit applies ops in one transaction. If that fails, each op is retried
// alone so that one bad write cannot sink the others.
func (w *writer) commit(ops []*op) {
	start := time.Now()
	errs, change, err := w.tx(ops)
	if err == nil {
		if observe := w.s.commits.Load(); observe != nil {
			(*observe)(len(ops), time.Since(start))
		}
		w.s.emit(change)
		for i, o := range ops {
			o.err <- errs[i]
		}
		return
	}
	if len(ops) == 1 {
		ops[0].err <- classify(err)
		return
	}
	for _, o := range ops {
		w.commit([]*op{o})
	}
}

// tx runs one batch. An op's own error (say, a decision on a message that is
// no longer pending) is returned in errs and does not abort the batch; only
// a database failure does.
func (w *writer) tx(ops []*op) (errs []error, change Change, err error) {
	// The batch is not tied to any one caller's context: a client that
	// hangs up must not cancel the writes of the others.
	ctx := context.Background()
	b := &batch{s: w.s, last: map[int64]*lastMessage{}}
	var pg *pgTx
	var ltx *sql.Tx
	if w.s.dialect == postgres {
		// A deadline for a server that stops answering. On SQLite, none:
		// the driver would watch it with a goroutine per statement (7% of
		// the posting rate), and a statement there waits for nothing but
		// the database's lock, which busy_timeout bounds.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if pg, err = w.beginPostgres(ctx, b, ops); err != nil {
			return nil, change, err
		}
		defer pg.rollback()
		b.tx = pg.conn
	} else {
		if ltx, err = w.s.w.BeginTx(ctx, nil); err != nil {
			return nil, change, classify(fmt.Errorf("store: begin: %w", err))
		}
		defer ltx.Rollback()
		b.tx = sqliteTx{ltx, &w.stmts}
	}
	errs = make([]error, len(ops))
	for i, o := range ops {
		// Rows waiting for a multi-row insert go in before any op that
		// may read or change them.
		b.ops, b.deferring = ops[i:], o.plain
		if !b.deferring {
			if err := b.insertRows(ctx); err != nil {
				return nil, change, err
			}
		}
		removed := len(b.change.Removed)
		if err := o.apply(ctx, b); err != nil {
			var oe opError
			if !errors.As(err, &oe) {
				return nil, change, err
			}
			errs[i] = oe.err
		}
		// A removal changes what the channel's backends show: move its
		// Last-Modified stamp on, in the same transaction.
		for _, m := range b.change.Removed[removed:] {
			if err := b.touch(ctx, m.ChannelID); err != nil {
				return nil, change, err
			}
		}
	}
	if pg != nil {
		// The last rows, the notification and COMMIT: one round trip.
		if err := pg.commit(ctx, b); err != nil {
			return nil, change, err
		}
		return errs, b.change, nil
	}
	// The last rows: on SQLite too, one statement for the messages of
	// many posts costs less than one each (writer_rows.go).
	if err := b.insertRows(ctx); err != nil {
		return nil, change, err
	}
	if err := ltx.Commit(); err != nil {
		return nil, change, classify(fmt.Errorf("store: commit: %w", err))
	}
	return errs, b.change, nil
}

// opError marks an error that belongs to one op (bad input, wrong state)
// rather than to the database.
type opError struct{ err error }

func (e opError) Error() string { return e.err.Error() }

// batch is the state of one group transaction.
type batch struct {
	s      *Store
	tx     execer
	last   map[int64]*lastMessage // newest message of each channel touched
	change Change

	// The multi-row inserts of plain ops (writer_rows.go).
	ops       []*op // the op being applied and those after it
	deferring bool  // the op being applied is plain
	ids       []int64
	nextID    int64 // SQLite: the next message id, 0 until read
	rows      rows
}

type lastMessage struct {
	id       int64
	created  int64 // micros
	modified int64 // seconds
	index    int
}

// lastOf returns the channel's newest message (removed ones included, so
// clock indices never repeat and its stamp is the channel's), reading it
// once per batch.
func (b *batch) lastOf(ctx context.Context, channelID int64) (*lastMessage, error) {
	if l, ok := b.last[channelID]; ok {
		return l, nil
	}
	l := &lastMessage{}
	err := b.tx.QueryRowContext(ctx, lastMessageQuery, channelID).Scan(&l.id, &l.created, &l.modified, &l.index)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, classify(fmt.Errorf("store: last message: %w", err))
	}
	b.last[channelID] = l
	return l, nil
}

// publish inserts m as a new message of its channel: it gets its id, its
// publication time, clock index and Last-Modified stamp here.
func (b *batch) publish(ctx context.Context, m *model.Message, urls []string) error {
	l, err := b.lastOf(ctx, m.ChannelID)
	if err != nil {
		return err
	}
	now := b.s.now().UnixMicro()
	// Publication times never go backwards within a channel, even if the
	// clocks of several PostgreSQL clients disagree.
	now = max(now, l.created)
	sec := now / 1e6
	index := 1
	if l.created != 0 && l.created/1e6 == sec {
		index = l.index + 1
	}
	// The stamp never goes backwards, and never ahead of the clock
	// (stamp.go).
	modified := max(sec, l.modified)
	m.Created = fromMicros(now)
	m.Modified = time.Unix(modified, 0).UTC()
	m.ClockIndex = index
	if m.Submitted.IsZero() {
		m.Submitted = m.Created
	}
	local := m.Created.In(b.s.loc)
	clock := local.Hour()*3600 + local.Minute()*60 + local.Second()
	day := local.Year()*10000 + int(local.Month())*100 + local.Day()
	if b.deferring {
		err = b.deferMessage(ctx, m, now, modified, clock, day, index, urls)
	} else {
		err = b.insertMessage(ctx, m, now, modified, clock, day, index, urls)
	}
	if err != nil {
		return err
	}
	l.id, l.created, l.modified, l.index = m.ID, now, modified, index
	b.change.Published = append(b.change.Published, *m)
	return nil
}

// insertMessage inserts m, which gets its id, and archives its links, a
// statement each (see writer_rows.go for plain posts).
func (b *batch) insertMessage(ctx context.Context, m *model.Message, now, modified int64, clock, day, index int, urls []string) error {
	err := b.tx.QueryRowContext(ctx, insertMessageQuery,
		m.ChannelID, now, modified, clock, day, index, m.Info, nullID(m.AuthorID), m.Login,
		m.Raw, m.Web, m.Remote, m.SessionID, m.IP, micros(m.Submitted)).Scan(&m.ID)
	if err != nil {
		return classify(fmt.Errorf("store: insert message: %w", err))
	}
	for _, u := range urls {
		if _, err := b.tx.ExecContext(ctx, insertURLQuery,
			m.ID, now, m.Login, u, urlHash(u)); err != nil {
			return classify(fmt.Errorf("store: archive url: %w", err))
		}
	}
	return nil
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
