package hub_test

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// settable is a store clock a test moves.
type settable struct{ t atomic.Pointer[time.Time] }

func (c *settable) Now() time.Time           { return *c.t.Load() }
func (c *settable) set(t time.Time)          { c.t.Store(&t) }
func (c *settable) at(t time.Time) time.Time { c.set(t); return t }

// Last-Modified is the stamp, but never later than the last finished
// second less the margin; a change this process learns of after giving out
// a Last-Modified as late as its own stamp moves the snapshot's stamp past
// it; a removal counts.
func TestLastModified(t *testing.T) {
	clk := &settable{}
	o := opts(t)
	o.Now = clk.Now
	t0 := time.Date(2024, 3, 10, 11, 0, 10, 0, time.UTC)
	clk.set(t0)
	storetest.Each(t, o, func(t *testing.T, s *store.Store) {
		h := hub.New(s, 50, logger)
		ch := defaultChannel(t, s)
		snap := func() *hub.Snapshot {
			t.Helper()
			sn, err := h.Snapshot(ctx, ch)
			if err != nil {
				t.Fatal(err)
			}
			return sn
		}
		clk.set(t0.Add(300 * time.Millisecond))
		post(t, s, ch, "one")
		post(t, s, ch, "two")
		sn := snap()
		if !sn.Modified().Equal(t0) || sn.Removals() != 0 {
			t.Fatalf("stamp %v, removals %d", sn.Modified(), sn.Removals())
		}
		// Within the second and the one after, Last-Modified says an
		// earlier second: a post still to come in them is not hidden.
		for _, tc := range []struct {
			at   time.Duration
			want time.Duration
		}{
			{300 * time.Millisecond, -2 * time.Second},
			{1900 * time.Millisecond, -time.Second},
			{2 * time.Second, 0},
			{time.Hour, 0},
		} {
			if got := sn.LastModified(t0.Add(tc.at)); !got.Equal(t0.Add(tc.want)) {
				t.Errorf("at +%v: %v, want %v", tc.at, got, t0.Add(tc.want))
			}
		}
		// LastModified gave out t0 (at +1h). A post stamped t0 that
		// arrives now (a slow commit, a clock behind) moves the stamp on.
		clk.set(t0.Add(500 * time.Millisecond))
		post(t, s, ch, "late")
		clk.set(t0.Add(3 * time.Second))
		late := snap()
		if len(late.Messages()) != 3 || !late.Modified().After(t0) {
			t.Fatalf("late change: %d messages, stamp %v", len(late.Messages()), late.Modified())
		}
		if got := late.LastModified(clk.at(t0.Add(3 * time.Second))); !got.Equal(t0.Add(time.Second)) {
			t.Fatalf("Last-Modified after the late change: %v", got)
		}
		// A removal in the same second: rebuilt from the database with
		// its removal count, and a stamp past what was given out.
		clk.set(t0.Add(3*time.Second + 100*time.Millisecond))
		if _, err := s.Remove(ctx, late.Messages()[0].ID, "modo", ""); err != nil {
			t.Fatal(err)
		}
		h.Apply(store.Change{Removed: late.Messages()[:1]}) // SQLite tells the hub itself; this is idempotent
		removed := snap()
		if len(removed.Messages()) != 2 || removed.Removals() != 1 || !removed.Modified().After(t0.Add(time.Second)) {
			t.Fatalf("after the removal: %d messages, %d removals, stamp %v", len(removed.Messages()), removed.Removals(), removed.Modified())
		}
		if removed.Modified().After(clk.Now()) {
			t.Fatalf("stamp %v ahead of the clock %v", removed.Modified(), clk.Now())
		}
	})
}

// Whatever the clock does, within one process no Last-Modified given out
// for a copy ever equals or passes the stamp of a snapshot that holds more:
// posts stamped by a clock that jumps back and forth (as a slow commit or a
// clock behind makes them) race with readers.
func TestLastModifiedNeverNamesAnOlderCopy(t *testing.T) {
	start := time.Now()
	var jitter atomic.Uint64
	o := opts(t)
	o.Now = func() time.Time {
		// A fake second every 2 ms; one read in three lags 3 seconds.
		t := time.Unix(1e9, 0).Add(time.Since(start) * 500)
		if jitter.Add(1)%3 == 0 {
			t = t.Add(-3 * time.Second)
		}
		return t
	}
	s := storetest.Open(t, storetest.Backends(t)[0], o)
	h := hub.New(s, 50, logger)
	ch := defaultChannel(t, s)
	var (
		mu    sync.Mutex
		given = map[int64]int64{} // newest id of a copy → latest Last-Modified given for it
		stop  atomic.Bool
		wg    sync.WaitGroup
		fails atomic.Int64
	)
	check := func(sn *hub.Snapshot) {
		newest := int64(0)
		if n := sn.Newest(); n != nil {
			newest = n.ID
		}
		mu.Lock()
		defer mu.Unlock()
		for id, lm := range given {
			if id < newest && sn.Modified().Unix() <= lm {
				if fails.Add(1) == 1 {
					t.Errorf("a copy up to %d was given Last-Modified %d; a snapshot up to %d has stamp %d",
						id, lm, newest, sn.Modified().Unix())
				}
			}
		}
	}
	for range 2 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				post(t, s, ch, "m")
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				at := h.Now()
				sn, err := h.Snapshot(ctx, ch)
				if err != nil {
					t.Error(err)
					return
				}
				check(sn)
				if sn.Newest() == nil {
					continue
				}
				lm := sn.LastModified(at).Unix()
				if lm > at.Unix()-2 {
					t.Errorf("Last-Modified %d later than the margin allows at %v", lm, at)
				}
				mu.Lock()
				given[sn.Newest().ID] = max(given[sn.Newest().ID], lm)
				mu.Unlock()
				if rand.IntN(4) == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
	time.Sleep(1500 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	sn, _ := h.Snapshot(ctx, ch)
	check(sn)
	if len(given) < 20 {
		t.Fatalf("only %d copies were given out: nothing was tested", len(given))
	}
}
