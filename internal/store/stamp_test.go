package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// The channel's stamp never goes backwards and never runs ahead of the
// clock: changes within one second share it, a removal moves it to its own
// second and counts in the removal count, and a process whose clock is
// behind never moves it back.
func TestChannelStampAndRemovals(t *testing.T) {
	clk := &testClock{}
	o := opts()
	o.Now = clk.Now
	at := time.Date(2013, 3, 10, 14, 30, 12, 0, time.UTC)
	storetest.Each(t, o, func(t *testing.T, s *store.Store) {
		def, _ := s.Channel(ctx, "")
		head := func() store.Head {
			t.Helper()
			h, err := s.Head(ctx, def.ID)
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		if h := head(); !h.Stamp.IsZero() || h.Removals != 0 {
			t.Fatalf("head of an empty channel: %+v", h)
		}
		clk.set(at.Add(100 * time.Millisecond))
		m1 := post(t, s, def.ID, "one")
		clk.set(at.Add(900 * time.Millisecond))
		m2 := post(t, s, def.ID, "two")
		if !m1.Modified.Equal(at) || !m2.Modified.Equal(at) || !head().Stamp.Equal(at) {
			t.Fatalf("two posts in one second: %v %v, channel %v", m1.Modified, m2.Modified, head().Stamp)
		}
		// A removal in the same second: the stamp stays, the count grows.
		if _, err := s.Remove(ctx, m2.ID, "modo", ""); err != nil {
			t.Fatal(err)
		}
		if h := head(); !h.Stamp.Equal(at) || h.Removals != 1 {
			t.Fatalf("after a removal in the same second: %+v", h)
		}
		// A removal three seconds later moves the stamp to its second.
		clk.set(at.Add(3 * time.Second))
		if _, err := s.Remove(ctx, m1.ID, "modo", ""); err != nil {
			t.Fatal(err)
		}
		if h := head(); !h.Stamp.Equal(at.Add(3*time.Second)) || h.Removals != 2 {
			t.Fatalf("after a later removal: %+v", h)
		}
		// Removing it again changes nothing.
		if _, err := s.Remove(ctx, m1.ID, "modo", ""); !errors.Is(err, store.ErrNotFound) || head().Removals != 2 {
			t.Fatalf("second removal: %v, %+v", err, head())
		}
		// A process whose clock is two seconds behind: its post takes the
		// channel's stamp, not an earlier one.
		clk.set(at.Add(time.Second))
		m3 := post(t, s, def.ID, "three")
		if !m3.Modified.Equal(at.Add(3*time.Second)) || !head().Stamp.Equal(m3.Modified) {
			t.Fatalf("post by a clock behind: %v, channel %v", m3.Modified, head().Stamp)
		}
		clk.set(at.Add(5*time.Second + 500*time.Millisecond))
		m4 := post(t, s, def.ID, "four")
		if !m4.Modified.Equal(at.Add(5 * time.Second)) {
			t.Fatalf("post two seconds later: %v", m4.Modified)
		}
		// Recent reads the messages and the head together.
		ms, h, err := s.Recent(ctx, def.ID, 10)
		if err != nil || len(ms) != 2 || ms[0].ID != m4.ID || ms[1].ID != m3.ID || h != head() {
			t.Fatalf("recent: %v %+v %v", ms, h, err)
		}
		// Other channels have their own.
		other, err := s.CreateChannel(ctx, "other", "Other")
		if err != nil {
			t.Fatal(err)
		}
		if h, err := s.Head(ctx, other.ID); err != nil || !h.Stamp.IsZero() || h.Removals != 0 {
			t.Fatalf("another channel: %+v %v", h, err)
		}
		if h, err := s.Head(ctx, 1<<40); err != nil || h != (store.Head{}) {
			t.Fatalf("no such channel: %+v %v", h, err)
		}
	})
}

// A post to a channel deleted meanwhile is ErrNotFound, not a database
// failure, and does not sink the posts committed with it.
func TestPostToDeletedChannel(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		def, _ := s.Channel(ctx, "")
		c, err := s.CreateChannel(ctx, "gone", "Gone")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteChannel(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		for _, status := range []string{"", model.StatusPending, model.StatusAccepted} {
			_, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: c.ID, Info: "ua", Raw: "x", Web: "x", Remote: "x"}, Status: status})
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("post (status %q) to a deleted channel: %v", status, err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, 20)
		for i := range errs {
			ch := def.ID
			if i%5 == 0 {
				ch = c.ID
			}
			wg.Go(func() {
				_, errs[i] = s.Post(ctx, store.Post{Message: model.Message{ChannelID: ch, Info: "ua", Raw: fmt.Sprint(i), Web: "x", Remote: "x"}})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if i%5 == 0 && !errors.Is(err, store.ErrNotFound) || i%5 != 0 && err != nil {
				t.Errorf("post %d: %v", i, err)
			}
		}
	})
}
