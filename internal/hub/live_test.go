package hub_test

import (
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// The hub learns of this process's commits in the committing goroutine,
// before Post returns, so the events of a post are already queued when it
// returns: the tests read them without waiting.

// pending returns the events already queued on sub, and whether its
// channel was closed.
func pending(sub *hub.Subscription) (events []*hub.Event, closed bool) {
	for {
		select {
		case e, ok := <-sub.C:
			if !ok {
				return events, true
			}
			events = append(events, e)
		default:
			return events, false
		}
	}
}

func TestSubscribeReceivesNewMessages(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		other, err := s.CreateChannel(ctx, "other", "Other")
		if err != nil {
			t.Fatal(err)
		}
		before := post(t, s, ch, "before")
		sub := h.Subscribe(ch)
		defer sub.Close()
		otherSub := h.Subscribe(other.ID)
		defer otherSub.Close()
		if evs, closed := pending(sub); len(evs) != 0 || closed {
			t.Fatalf("events before any post: %d, closed %v", len(evs), closed)
		}

		var posted []model.Message
		for i := range 3 {
			posted = append(posted, post(t, s, ch, fmt.Sprintf("live%d", i)))
		}
		post(t, s, other.ID, "elsewhere")

		evs, closed := pending(sub)
		if closed || len(evs) != len(posted) {
			t.Fatalf("%d events (closed %v), want %d", len(evs), closed, len(posted))
		}
		for i, e := range evs {
			m := posted[i]
			if e.Message == nil || e.Message.ID != m.ID || e.Message.Raw != m.Raw || e.Message.ID == before.ID {
				t.Errorf("event %d: message %+v, want %+v", i, e.Message, m)
				continue
			}
			if e.Removed != nil || e.Submission != nil {
				t.Errorf("event %d carries a removal or a submission", i)
			}
			// Events carry the JSON backend's row, in the store's zone.
			if got, want := string(e.Data[0]), string(backend.AppendJSONRow(nil, &m, s.Location(), false)); got != want {
				t.Errorf("event %d: Data[0] = %q, want %q", i, got, want)
			}
			if got, want := string(e.Data[1]), string(backend.AppendJSONRow(nil, &m, s.Location(), true)); got != want {
				t.Errorf("event %d: Data[1] = %q, want %q", i, got, want)
			}
			if got, want := string(h.EncodeLive(&m, true)), string(e.Data[1]); got != want {
				t.Errorf("event %d: EncodeLive = %q, want the event's %q", i, got, want)
			}
		}
		if evs, _ := pending(otherSub); len(evs) != 1 || evs[0].Message.Raw != "elsewhere" {
			t.Errorf("the other channel's subscriber got %d events", len(evs))
		}
		if sub.Dropped() || otherSub.Dropped() {
			t.Error("a subscriber that keeps up was dropped")
		}
	})
}

func TestSlowSubscriberIsDropped(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		slow := h.Subscribe(ch)
		defer slow.Close()
		fast := h.Subscribe(ch)
		defer fast.Close()

		var fastGot []int64
		var posted []int64
		// One more post than the queue holds: the slow subscriber, which
		// never reads, is dropped at the last one; the fast one, reading
		// after every post, gets them all.
		for i := range hub.QueueSize + 1 {
			posted = append(posted, post(t, s, ch, fmt.Sprint(i)).ID)
			evs, closed := pending(fast)
			if closed {
				t.Fatalf("the fast subscriber was closed after %d posts", i+1)
			}
			for _, e := range evs {
				fastGot = append(fastGot, e.Message.ID)
			}
			if i < hub.QueueSize && slow.Dropped() {
				t.Fatalf("the slow subscriber was dropped after %d posts", i+1)
			}
		}
		if fast.Dropped() {
			t.Error("the fast subscriber was dropped")
		}
		if len(fastGot) != len(posted) {
			t.Errorf("fast subscriber got %d events, want %d", len(fastGot), len(posted))
		}
		if !slow.Dropped() {
			t.Fatal("the slow subscriber was not dropped")
		}
		evs, closed := pending(slow)
		if !closed {
			t.Error("the dropped subscriber's channel is not closed")
		}
		if len(evs) != hub.QueueSize || evs[0].Message.ID != posted[0] || evs[len(evs)-1].Message.ID != posted[hub.QueueSize-1] {
			t.Errorf("the dropped subscriber had %d queued events", len(evs))
		}

		// Later posts still reach the others; Close after a drop is fine.
		m := post(t, s, ch, "later")
		if evs, _ := pending(fast); len(evs) != 1 || evs[0].Message.ID != m.ID {
			t.Errorf("fast subscriber after the drop: %d events", len(evs))
		}
		slow.Close()
		slow.Close()
	})
}

func TestCloseIsIdempotent(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		sub := h.Subscribe(ch)
		other := h.Subscribe(ch)
		defer other.Close()
		sub.Close()
		sub.Close()
		if _, closed := pending(sub); !closed {
			t.Fatal("channel not closed by Close")
		}
		if sub.Dropped() {
			t.Error("a subscription closed by its owner reports Dropped")
		}
		// Posting after Close neither panics nor reaches the closed one.
		post(t, s, ch, "after close")
		if evs, _ := pending(other); len(evs) != 1 {
			t.Errorf("the remaining subscriber got %d events", len(evs))
		}
	})
}

func TestForgetClosesSubscribers(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		c, err := s.CreateChannel(ctx, "gone", "Gone")
		if err != nil {
			t.Fatal(err)
		}
		sub := h.Subscribe(c.ID)
		h.Forget(c.ID)
		if _, closed := pending(sub); !closed || !sub.Dropped() {
			t.Errorf("after Forget: closed %v, dropped %v", closed, sub.Dropped())
		}
		sub.Close()
	})
}

func TestRemovalEvent(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		m := post(t, s, ch, "doomed")
		sub := h.Subscribe(ch)
		defer sub.Close()
		if _, err := s.Remove(ctx, m.ID, "mod", "spam"); err != nil {
			t.Fatal(err)
		}
		// Removal events are sent from another goroutine: wait for it (the
		// timeout only guards against a hang).
		select {
		case e := <-sub.C:
			if e == nil || e.Removed == nil || e.Removed.ID != m.ID || e.Removed.ChannelID != ch || e.Message != nil {
				t.Errorf("event %+v, want the removal of %d", e, m.ID)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no removal event")
		}
	})
}

// TestModerationEventsInCommitOrder checks that the events of moderation
// records arrive in commit order, with pending counts that only grow while
// messages enter the queue and only shrink while moderators empty it.
func TestModerationEventsInCommitOrder(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		c, err := s.CreateChannel(ctx, "mod", "Moderated")
		if err != nil {
			t.Fatal(err)
		}
		sub := h.Subscribe(c.ID)
		defer sub.Close()
		const n = 40
		var queued []int64
		for i := range n {
			res, err := s.Post(ctx, store.Post{Status: model.StatusPending,
				Message: model.Message{ChannelID: c.ID, Info: "ua", Raw: fmt.Sprint("wait ", i)}})
			if err != nil {
				t.Fatal(err)
			}
			queued = append(queued, res.Submission.ID)
		}
		ids, counts := moderationEvents(t, sub, n)
		if !slices.Equal(ids, queued) || !slices.IsSorted(counts) || counts[n-1] != n {
			t.Fatalf("queueing: events for %v with counts %v, want %v with growing counts up to %d", ids, counts, queued, n)
		}
		for _, id := range queued {
			if _, err := s.Reject(ctx, id, "modo", ""); err != nil {
				t.Fatal(err)
			}
		}
		ids, counts = moderationEvents(t, sub, n)
		slices.Reverse(counts)
		if !slices.Equal(ids, queued) || !slices.IsSorted(counts) || counts[0] != 0 {
			t.Fatalf("decisions: events for %v with counts (reversed) %v, want %v with shrinking counts down to 0", ids, counts, queued)
		}
	})
}

// moderationEvents reads n moderation events from sub: the submission ids
// and the pending counts, in arrival order.
func moderationEvents(t *testing.T, sub *hub.Subscription, n int) (ids []int64, counts []int) {
	t.Helper()
	for len(ids) < n {
		select {
		case e, ok := <-sub.C:
			if !ok {
				t.Fatal("subscription closed")
			}
			if e.Submission == nil {
				t.Fatalf("unexpected event %+v", e)
			}
			ids = append(ids, e.Submission.ID)
			counts = append(counts, e.Pending)
		case <-time.After(10 * time.Second):
			t.Fatalf("%d events of %d", len(ids), n)
		}
	}
	return ids, counts
}

// TestResyncCatchesUp: after a lost connection to PostgreSQL's
// notifications, the live streams get the messages other processes
// published meanwhile, and the next read sees them.
func TestResyncCatchesUp(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	shared := storetest.Backend{Name: "postgres", DSN: storetest.PostgresSchema(t, pg)}
	here, there := storetest.Open(t, shared, opts(t)), storetest.Open(t, shared, opts(t))
	h := hub.New(here, 5, logger)
	ch := defaultChannel(t, here)
	seen := post(t, here, ch, "seen")
	if _, err := h.Snapshot(ctx, ch); err != nil {
		t.Fatal(err)
	}
	sub := h.Subscribe(ch)
	defer sub.Close()
	// Posted by another process while this one heard nothing (the hub is
	// not Run: no notifications).
	var missed []int64
	for i := range 3 {
		missed = append(missed, post(t, there, ch, fmt.Sprint("missed ", i)).ID)
	}
	if evs, _ := pending(sub); len(evs) != 0 {
		t.Fatalf("%d events before the resync", len(evs))
	}
	h.Apply(store.Change{Foreign: true, Channels: true, Resync: true})
	evs, closed := pending(sub)
	var got []int64
	for _, e := range evs {
		if e.Message != nil {
			got = append(got, e.Message.ID)
		}
	}
	if closed || !slices.Equal(got, missed) {
		t.Fatalf("events after the resync: %v (closed %v), want %v", got, closed, missed)
	}
	snap, err := h.Snapshot(ctx, ch)
	if err != nil {
		t.Fatal(err)
	}
	if n := snap.Newest(); n == nil || n.ID != missed[2] || len(snap.Messages()) != 4 || snap.Messages()[3].ID != seen.ID {
		t.Fatalf("snapshot after the resync: %+v", snap.Messages())
	}
}

// A listener is called with a channel's events as they are published, in
// order, each already encoded, the same events a subscriber gets; nil when
// the channel is gone; nothing after stop.
func TestListenerGetsEventsInOrder(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		var got []*hub.Event
		stop := h.Listen(ch, func(e *hub.Event) { got = append(got, e) })
		sub := h.Subscribe(ch)
		defer sub.Close()
		var posted []int64
		for i := range 3 {
			posted = append(posted, post(t, s, ch, fmt.Sprintf("heard %d", i)).ID)
		}
		// Called before Post returned: no waiting.
		if len(got) != 3 {
			t.Fatalf("%d events for 3 posts", len(got))
		}
		queued, _ := pending(sub)
		for i, e := range got {
			if e.Message == nil || e.Message.ID != posted[i] || len(e.Data[0]) == 0 || len(e.Data[1]) == 0 {
				t.Fatalf("event %d: %+v", i, e)
			}
			if queued[i] != e {
				t.Fatalf("event %d: the subscriber got another one", i)
			}
		}
		stop()
		post(t, s, ch, "unheard")
		if len(got) != 3 {
			t.Fatalf("an event after stop")
		}

		c, err := s.CreateChannel(ctx, "gone", "Gone")
		if err != nil {
			t.Fatal(err)
		}
		var ended bool
		h.Listen(c.ID, func(e *hub.Event) { ended = e == nil })
		h.Forget(c.ID)
		if !ended {
			t.Fatal("Forget did not tell the listener")
		}
	})
}
