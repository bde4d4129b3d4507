// Package hub keeps each channel's recent messages in memory, answers the
// backends' reads from them, caches their encoded answers, and fans new
// messages out to live subscribers.
//
// Reads are the hot path: coincoins poll every few seconds. A channel's
// snapshot holds its newest messages (as many as the largest limit a
// backend accepts), so any read without BaK filters is answered from memory,
// and the encoded bytes of a given answer are computed once per snapshot.
// The store tells the hub about every commit (store.OnChange), before the
// poster gets its answer, so a client that reads right after posting sees
// its message; other processes' commits arrive through store.Listen.
//
// The database remains the source of truth: a snapshot is only ever built
// from it or extended with rows that were just committed, and a version
// counter per channel makes sure a snapshot read from the database before a
// commit is never installed after it.
package hub

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Hub is the per-process cache and fan-out of every channel.
type Hub struct {
	st     *store.Store
	window int
	log    *slog.Logger

	mu       sync.Mutex
	channels map[int64]*channel

	foreign []func(store.Change)

	// Moderation and removal events wait here, in commit order, for the
	// one goroutine that delivers them (see queueEvents).
	evMu      sync.Mutex
	evQueue   []store.Change
	evRunning bool
	evRecount bool // RecountPending was asked for
}

// channel is one channel's live state.
type channel struct {
	id   int64
	snap atomic.Pointer[Snapshot] // nil: read the database on next use
	// mu orders every snapshot change and load: a snapshot read from the
	// database can then never be installed over a newer commit.
	mu   sync.Mutex
	subs subscribers
	// given is the latest Last-Modified this process answered from the
	// channel's snapshots, in Unix seconds; written, and snapshots
	// installed, under stampMu (see install).
	given   atomic.Int64
	stampMu sync.Mutex
}

// Snapshot is an immutable view of a channel's newest messages.
type Snapshot struct {
	c        *channel
	messages []model.Message // newest first
	complete bool            // the channel has no message older than these
	modified time.Time       // the channel's stamp (see Modified)
	removals int64           // the channel's removal count (store.Head)

	mu      sync.Mutex
	encoded map[Key][]byte
}

// New builds a hub over st; window is the number of recent messages kept
// per channel (the largest backend limit). Live events show times in the
// zone of st's clocks (store.Location), the tribune's.
func New(st *store.Store, window int, log *slog.Logger) *Hub {
	h := &Hub{st: st, window: window, log: log, channels: map[int64]*channel{}}
	st.OnChange(h.apply)
	return h
}

// Run follows the changes other processes commit until ctx ends.
func (h *Hub) Run(ctx context.Context) {
	h.st.Listen(ctx, func(c store.Change) {
		h.apply(c)
		for _, fn := range h.foreign {
			fn(c)
		}
	})
}

// OnForeign registers fn to be told of the changes other processes commit,
// after the hub has applied them (the channel list, say). Call it before
// Run.
func (h *Hub) OnForeign(fn func(store.Change)) { h.foreign = append(h.foreign, fn) }

func (h *Hub) channel(id int64) *channel {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.channels[id]
	if !ok {
		c = &channel{id: id}
		h.channels[id] = c
	}
	return c
}

// apply updates the snapshots and live streams after a commit. For this
// process's own commits it runs in the committing goroutine, before any
// poster gets its answer.
func (h *Hub) apply(ch store.Change) {
	if ch.Resync {
		h.mu.Lock()
		all := make([]*channel, 0, len(h.channels))
		for _, c := range h.channels {
			all = append(all, c)
		}
		h.mu.Unlock()
		for _, c := range all {
			c.resync(h)
		}
	}
	for _, id := range ch.History {
		// An import wrote history, perhaps below the snapshot's newest:
		// read it again; the live streams are sent none of it.
		c := h.channel(id)
		c.mu.Lock()
		c.snap.Store(nil)
		c.mu.Unlock()
	}
	byChannel := map[int64][]model.Message{}
	for _, m := range ch.Published {
		byChannel[m.ChannelID] = append(byChannel[m.ChannelID], m)
	}
	for id, ms := range byChannel {
		h.channel(id).add(h, ms, nil)
	}
	for _, r := range ch.Ranges {
		h.channel(r.ChannelID).add(h, nil, &r)
	}
	for _, m := range ch.Removed {
		c := h.channel(m.ChannelID)
		c.mu.Lock()
		c.snap.Store(nil) // rare: rebuild from the database on next read
		c.mu.Unlock()
	}
	if len(ch.Removed) > 0 || len(ch.Decided) > 0 {
		// Off the committing goroutine: it counts the moderation queue.
		h.queueEvents(ch)
	}
}

// add puts newly published messages on top of the channel's snapshot and
// fans them out. ms are this process's own commits (oldest first); r, when
// not nil, names messages another process committed, to be read back.
//
// Several processes may commit to one PostgreSQL database. Their commits are
// ordered by an advisory lock, but this process learns of the others' only
// through notifications, which may arrive after its own later commit. So on
// PostgreSQL every addition first reads back whatever lies between the
// snapshot's newest message and the new ones: nothing committed before may
// be missing from a snapshot that shows something committed after.
func (c *channel) add(h *Hub, ms []model.Message, r *store.IDRange) {
	c.mu.Lock()
	snap := c.snap.Load()
	var from, to int64
	switch {
	case snap != nil && (h.st.Postgres() || r != nil):
		from, to = 1, int64(1<<62)
		if len(snap.messages) > 0 {
			from = snap.messages[0].ID + 1
		}
		if r != nil {
			to = r.Last
		} else {
			to = ms[0].ID - 1
		}
	case r != nil: // nothing cached: read the new rows for the live streams
		from, to = r.First, r.Last
	}
	if from != 0 && from <= to {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		missing, err := h.st.MessagesByID(ctx, c.id, from, to)
		cancel()
		if err != nil {
			h.log.Warn("hub: reading messages published by another process", "err", err)
			c.snap.Store(nil)
			snap = nil
		}
		ms = append(missing, ms...)
	}
	if snap != nil && len(snap.messages) > 0 {
		// Drop what the snapshot already has (overlapping notifications).
		newest := snap.messages[0].ID
		i := 0
		for i < len(ms) && ms[i].ID <= newest {
			i++
		}
		ms = ms[i:]
	}
	if snap != nil && len(ms) > 0 {
		c.install(snap.extend(ms, h.window))
	}
	c.mu.Unlock()
	if len(ms) > 0 {
		c.publish(h, ms)
	}
}

// resync follows a lost connection to other processes' notifications: the
// live streams get the messages published meanwhile, read after the
// snapshot's newest, and the snapshot is dropped, to be read again (it may
// hold messages removed meanwhile).
func (c *channel) resync(h *Hub) {
	c.mu.Lock()
	snap := c.snap.Load()
	c.snap.Store(nil)
	var missed []model.Message
	if snap != nil && len(snap.messages) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var err error
		missed, err = h.st.MessagesByID(ctx, c.id, snap.messages[0].ID+1, int64(1<<62))
		cancel()
		if err != nil {
			h.log.Warn("hub: reading messages published while notifications were lost", "err", err)
		}
	}
	c.mu.Unlock()
	if len(missed) > 0 {
		c.publish(h, missed)
	}
}

// extend returns a new snapshot with ms (oldest first, all newer than s)
// on top.
func (s *Snapshot) extend(ms []model.Message, window int) *Snapshot {
	next := &Snapshot{c: s.c, complete: s.complete, modified: s.modified, removals: s.removals}
	if m := ms[len(ms)-1].Modified; m.After(next.modified) {
		next.modified = m
	}
	next.messages = make([]model.Message, 0, min(window, len(s.messages)+len(ms)))
	for i := len(ms) - 1; i >= 0; i-- {
		next.messages = append(next.messages, ms[i])
	}
	next.messages = append(next.messages, s.messages...)
	if len(next.messages) > window {
		next.messages = next.messages[:window]
		next.complete = false
	}
	return next
}

// Snapshot returns the channel's current snapshot, reading the database if
// there is none.
func (h *Hub) Snapshot(ctx context.Context, channelID int64) (*Snapshot, error) {
	c := h.channel(channelID)
	if s := c.snap.Load(); s != nil {
		return s, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.snap.Load(); s != nil {
		return s, nil
	}
	// One read: the stamp and the removal count are those of the
	// messages read.
	ms, head, err := h.st.Recent(ctx, channelID, h.window)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{c: c, messages: ms, complete: len(ms) < h.window, modified: head.Stamp, removals: head.Removals}
	if len(ms) > 0 && ms[0].Modified.After(s.modified) {
		s.modified = ms[0].Modified
	}
	return c.install(s), nil
}

// Forget drops a channel's state (after it was deleted).
func (h *Hub) Forget(channelID int64) {
	h.mu.Lock()
	c := h.channels[channelID]
	delete(h.channels, channelID)
	h.mu.Unlock()
	if c != nil {
		c.subs.closeAll()
	}
}

// Newest is the snapshot's newest message, nil for an empty channel.
func (s *Snapshot) Newest() *model.Message {
	if len(s.messages) == 0 {
		return nil
	}
	return &s.messages[0]
}

// Select returns the newest limit messages with id > after that hide does
// not hide (hide nil: none hidden), newest first. ok is false when the
// snapshot alone cannot tell (filters hid too much of an incomplete
// window): ms then holds what the snapshot had, and the caller goes on
// through the store below Oldest. Callers must not modify ms when hide is
// nil (it shares the snapshot's array).
func (s *Snapshot) Select(after int64, limit int, hide func(*model.Message) bool) (ms []model.Message, ok bool) {
	if hide == nil {
		n := 0
		for n < len(s.messages) && n < limit && s.messages[n].ID > after {
			n++
		}
		return s.messages[:n:n], n == limit || n < len(s.messages) || s.complete
	}
	for i := range s.messages {
		m := &s.messages[i]
		if m.ID <= after {
			return ms, true
		}
		if !hide(m) {
			ms = append(ms, *m)
			if len(ms) == limit {
				return ms, true
			}
		}
	}
	return ms, s.complete
}

// Oldest is the id of the snapshot's oldest message, 0 for an empty one.
func (s *Snapshot) Oldest() int64 {
	if len(s.messages) == 0 {
		return 0
	}
	return s.messages[len(s.messages)-1].ID
}

// pageSize is how many rows List reads at a time when filters make it look
// past the snapshot.
const pageSize = 200

// scanFactor bounds the store rows one filtered read may look at, as a
// multiple of the window: filters that hide nearly everything would
// otherwise have every poll read the whole channel. Such a reader then sees
// fewer messages than it asked for.
const scanFactor = 10

// scanBudget is how many store rows one filtered read may look at.
func (h *Hub) scanBudget() int { return scanFactor * max(h.window, 1) }

// List selects what a backend shows: the newest limit messages of a channel
// with id > after that hide does not hide (hide nil: none), newest first.
// It answers from the snapshot when it can and pages through the store
// otherwise, looking at no more than scanBudget rows there.
func (h *Hub) List(ctx context.Context, channelID, after int64, limit int, hide func(*model.Message) bool) ([]model.Message, *Snapshot, error) {
	snap, err := h.Snapshot(ctx, channelID)
	if err != nil {
		return nil, nil, err
	}
	ms, ok := snap.Select(after, limit, hide)
	if ok {
		return ms, snap, nil
	}
	before := snap.Oldest()
	for budget := h.scanBudget(); len(ms) < limit && budget > 0; {
		n := min(pageSize, budget)
		budget -= n
		page, err := h.st.Page(ctx, channelID, after, before, n)
		if err != nil {
			return nil, nil, err
		}
		for i := range page {
			if hide == nil || !hide(&page[i]) {
				ms = append(ms, page[i])
				if len(ms) == limit {
					break
				}
			}
		}
		if len(page) < n {
			break
		}
		before = page[len(page)-1].ID
	}
	return ms, snap, nil
}

// FindClock reads the messages at a clock (the clock finder), newest first,
// skipping those hide hides, up to q.Limit. With filters, it looks at no
// more than scanBudget rows.
func (h *Hub) FindClock(ctx context.Context, q store.ClockQuery, hide func(*model.Message) bool) ([]model.Message, error) {
	limit := q.Limit
	if limit <= 0 {
		return nil, nil
	}
	var ms []model.Message
	budget := h.scanBudget()
	for {
		// Without filters every row read is shown: read no more than asked.
		q.Limit = min(pageSize, limit-len(ms))
		if hide != nil {
			q.Limit = min(pageSize, budget)
			budget -= q.Limit
		}
		page, err := h.st.AtClock(ctx, q)
		if err != nil {
			return nil, err
		}
		for i := range page {
			if hide == nil || !hide(&page[i]) {
				ms = append(ms, page[i])
				if len(ms) == limit {
					return ms, nil
				}
			}
		}
		if len(page) < q.Limit || hide != nil && budget == 0 {
			return ms, nil
		}
		q.Before = page[len(page)-1].ID
	}
}

// Key identifies one encoded answer of a snapshot.
type Key struct {
	Format     backend.Format
	After      int64
	Limit      int
	Ascending  bool
	TableWidth int
	Site       string // the XML site attribute, when taken from the request
}

// maxEncoded bounds the answers cached per snapshot: clients polling with
// their own last id each make a key.
const maxEncoded = 64

// Encoded returns the cached bytes for k, computing them with encode on the
// first call.
func (s *Snapshot) Encoded(k Key, encode func() []byte) []byte {
	s.mu.Lock()
	if b, ok := s.encoded[k]; ok {
		s.mu.Unlock()
		return b
	}
	s.mu.Unlock()
	b := encode()
	s.mu.Lock()
	if s.encoded == nil {
		s.encoded = map[Key][]byte{}
	}
	if len(s.encoded) < maxEncoded {
		s.encoded[k] = b
	}
	s.mu.Unlock()
	return b
}

// Reverse returns ms in the opposite order, in a new slice.
func Reverse(ms []model.Message) []model.Message {
	r := slices.Clone(ms)
	slices.Reverse(r)
	return r
}
