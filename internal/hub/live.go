package hub

import (
	"context"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Live streams. Each event is built once for all subscribers. Two ways to
// follow a channel: Subscribe gives a bounded queue that its owner's
// goroutine reads (a subscriber whose queue is full is dropped: its client
// reconnects with Last-Event-ID and catches up from the database); Listen
// gives a function called with each event as it is published, for a
// fan-out that serves many streams from a few goroutines (the web board's
// live streams, internal/server). Either way a slow client never delays
// the others or the committer.

// QueueSize is the number of events a subscriber may lag behind.
const QueueSize = 128

// Event is one thing a live stream may tell its client. Per-viewer choices
// (BaK filters, "owned" marks, who may see a moderation event) are made by
// the subscriber from the shared fields.
type Event struct {
	Message    *model.Message    // a new message (Name "message")
	Removed    *model.Message    // a message taken down (ID, ChannelID)
	Submission *model.Submission // a moderation record queued or decided
	Pending    int               // size of the moderation queue, with Submission or Recount
	// Recount: Pending alone, asked for by a moderator's stream that
	// starts (RecountPending).
	Recount bool
	// Data holds the message encoded by EncodeLive: Data[0] not owned,
	// Data[1] owned.
	Data [2][]byte
}

// Subscription is one live stream's end of the hub.
type Subscription struct {
	C       <-chan *Event
	c       chan *Event
	channel *channel
	once    sync.Once
	dropped bool // closed by the hub, not by its owner (for tests)
}

type subscribers struct {
	mu        sync.Mutex
	set       map[*Subscription]struct{}
	listeners map[*listener]struct{}
}

// listener is a function told of a channel's events (Listen).
type listener struct{ fn func(*Event) }

// EncodeLive encodes a message as live events carry it: one row of the
// JSON backend, in the store's zone, with owned as its "owned" mark (for a
// stream's backlog, read from the database).
func (h *Hub) EncodeLive(m *model.Message, owned bool) []byte {
	return backend.AppendJSONRow(nil, m, h.st.Location(), owned)
}

// Subscribe opens a live stream on a channel. Call Close when done.
func (h *Hub) Subscribe(channelID int64) *Subscription {
	c := h.channel(channelID)
	q := make(chan *Event, QueueSize)
	s := &Subscription{C: q, c: q, channel: c}
	c.subs.mu.Lock()
	if c.subs.set == nil {
		c.subs.set = map[*Subscription]struct{}{}
	}
	c.subs.set[s] = struct{}{}
	c.subs.mu.Unlock()
	return s
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.channel.subs.mu.Lock()
	delete(s.channel.subs.set, s)
	s.channel.subs.mu.Unlock()
	s.once.Do(func() { close(s.c) })
}

// Listen calls fn with every live event of a channel, in the order
// Subscribe's queues get them, from the goroutine that publishes the event
// (the committer's, for this process's messages): fn must not block or
// call the hub. fn(nil) tells that the channel is gone (Forget), and no
// event follows. One listener serves any number of streams: it is how a
// fan-out that writes each event once for many streams, without a
// goroutine wake-up per stream, is told of events. Call stop when done.
func (h *Hub) Listen(channelID int64, fn func(*Event)) (stop func()) {
	c := h.channel(channelID)
	l := &listener{fn: fn}
	c.subs.mu.Lock()
	if c.subs.listeners == nil {
		c.subs.listeners = map[*listener]struct{}{}
	}
	c.subs.listeners[l] = struct{}{}
	c.subs.mu.Unlock()
	return func() {
		c.subs.mu.Lock()
		delete(c.subs.listeners, l)
		c.subs.mu.Unlock()
	}
}

// send queues e for every subscriber without blocking; a full queue drops
// its subscriber.
func (ss *subscribers) send(e *Event) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for l := range ss.listeners {
		l.fn(e)
	}
	for s := range ss.set {
		select {
		case s.c <- e:
		default:
			delete(ss.set, s)
			s.dropped = true
			s.once.Do(func() { close(s.c) })
		}
	}
}

func (ss *subscribers) closeAll() {
	ss.mu.Lock()
	for s := range ss.set {
		delete(ss.set, s)
		s.dropped = true
		s.once.Do(func() { close(s.c) })
	}
	ls := ss.listeners
	ss.listeners = nil
	ss.mu.Unlock()
	// Outside the lock: a listener told of the end may stop or listen
	// again.
	for l := range ls {
		l.fn(nil)
	}
}

func (ss *subscribers) empty() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return len(ss.set) == 0 && len(ss.listeners) == 0
}

// publish fans new messages out, encoding each once.
func (c *channel) publish(h *Hub, ms []model.Message) {
	if c.subs.empty() {
		return
	}
	for i := range ms {
		e := &Event{Message: &ms[i]}
		e.Data[0] = h.EncodeLive(&ms[i], false)
		e.Data[1] = h.EncodeLive(&ms[i], true)
		c.subs.send(e)
	}
}

// allChannels lists the channels the hub holds.
func (h *Hub) allChannels() []*channel {
	h.mu.Lock()
	defer h.mu.Unlock()
	all := make([]*channel, 0, len(h.channels))
	for _, c := range h.channels {
		all = append(all, c)
	}
	return all
}

// queueEvents hands a commit's moderation and removal events to the one
// goroutine that delivers them, started when needed and gone once the queue
// is empty. One at a time, in commit order: each pending count is read after
// the previous one, so a stream never sees the count go back to an older
// value (a goroutine per commit could deliver 1, then a stale 2).
func (h *Hub) queueEvents(ch store.Change) {
	h.evMu.Lock()
	h.evQueue = append(h.evQueue, ch)
	start := !h.evRunning
	h.evRunning = true
	h.evMu.Unlock()
	if start {
		go h.deliverEvents()
	}
}

// RecountPending has the moderation queue's size sent to every stream, by
// the goroutine that delivers the moderation events: a moderator's stream
// that starts learns it, and no count read before it can follow it.
func (h *Hub) RecountPending() {
	h.evMu.Lock()
	h.evRecount = true
	start := !h.evRunning
	h.evRunning = true
	h.evMu.Unlock()
	if start {
		go h.deliverEvents()
	}
}

func (h *Hub) deliverEvents() {
	for {
		h.evMu.Lock()
		switch {
		case len(h.evQueue) > 0:
			ch := h.evQueue[0]
			h.evQueue[0] = store.Change{}
			h.evQueue = h.evQueue[1:]
			h.evMu.Unlock()
			h.events(ch)
		case h.evRecount:
			h.evRecount = false
			h.evMu.Unlock()
			h.recount()
		default:
			h.evRunning = false
			h.evMu.Unlock()
			return
		}
	}
}

// recount sends the moderation queue's size to every stream.
func (h *Hub) recount() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pending, err := h.st.CountPending(ctx)
	if err != nil {
		h.log.Warn("hub: counting pending messages", "err", err)
		return
	}
	e := &Event{Pending: pending, Recount: true}
	for _, c := range h.allChannels() {
		c.subs.send(e)
	}
}

// events delivers moderation and removal events.
func (h *Hub) events(ch store.Change) {
	for i := range ch.Removed {
		h.channel(ch.Removed[i].ChannelID).subs.send(&Event{Removed: &ch.Removed[i]})
	}
	if len(ch.Decided) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	pending, err := h.st.CountPending(ctx)
	if err != nil {
		h.log.Warn("hub: counting pending messages", "err", err)
	}
	for i := range ch.Decided {
		sub := ch.Decided[i]
		if ch.Foreign {
			// Another process decided: read the record back.
			full, err := h.st.Submission(ctx, sub.ID)
			if err != nil {
				continue
			}
			sub = full
		}
		e := &Event{Submission: &sub, Pending: pending}
		// Moderators watch every channel for the queue size, and the
		// author may be on any board: tell every stream.
		for _, c := range h.allChannels() {
			c.subs.send(e)
		}
	}
}
