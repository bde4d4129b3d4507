package hub_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

var ctx = context.Background()

var logger = slog.New(slog.DiscardHandler)

// noon is the fixed publication clock of the tests: every message is
// posted at 12:00:00 Paris time, so they share one clock with growing
// indices.
func opts(t *testing.T) store.Options {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	noon := time.Date(2024, 3, 10, 12, 0, 0, 0, loc)
	return store.Options{Location: loc, Synchronous: "normal", Now: func() time.Time { return noon }}
}

const noonSeconds = 12 * 3600

func defaultChannel(t *testing.T, s *store.Store) int64 {
	t.Helper()
	c, err := s.Channel(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func post(t *testing.T, s *store.Store, channelID int64, raw string) model.Message {
	t.Helper()
	res, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: channelID, Info: "ua", Raw: raw, Web: raw, Remote: raw}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Message
}

// postMany posts n messages with raw texts prefix0…, in order, and returns
// their ids, oldest first.
func postMany(t *testing.T, s *store.Store, channelID int64, prefix string, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range n {
		ids[i] = post(t, s, channelID, fmt.Sprintf("%s%d", prefix, i)).ID
	}
	return ids
}

func ids(ms []model.Message) []int64 {
	out := make([]int64, len(ms))
	for i := range ms {
		out[i] = ms[i].ID
	}
	return out
}

// newestFirst returns the last n of ids (oldest first), newest first.
func newestFirst(ids []int64, n int) []int64 {
	out := slices.Clone(ids[max(0, len(ids)-n):])
	slices.Reverse(out)
	return out
}

func hideUnless(substr string) func(*model.Message) bool {
	return func(m *model.Message) bool { return !strings.Contains(m.Raw, substr) }
}

func TestSnapshot(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)

		snap, err := h.Snapshot(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		if snap.Newest() != nil || snap.Oldest() != 0 || len(snap.Messages()) != 0 {
			t.Fatalf("empty channel: newest %v, oldest %d, %d messages", snap.Newest(), snap.Oldest(), len(snap.Messages()))
		}

		all := postMany(t, s, ch, "m", 8)
		// A fresh hub reads the window from the database.
		for name, h := range map[string]*hub.Hub{"updated": h, "fresh": hub.New(s, 5, logger)} {
			snap, err := h.Snapshot(ctx, ch)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ids(snap.Messages()), newestFirst(all, 5); !slices.Equal(got, want) {
				t.Errorf("%s snapshot %v, want %v", name, got, want)
			}
			if snap.Newest().ID != all[7] || snap.Oldest() != all[3] {
				t.Errorf("%s snapshot: newest %d, oldest %d", name, snap.Newest().ID, snap.Oldest())
			}
			if again, _ := h.Snapshot(ctx, ch); again != snap {
				t.Errorf("%s: a second read without a change gives another snapshot", name)
			}
		}
	})
}

func TestList(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		other, err := s.CreateChannel(ctx, "other", "Other")
		if err != nil {
			t.Fatal(err)
		}
		// 12 messages; only m1, m4 and m10 contain "keep", and m1 and m4
		// are older than the 5-message window. Another channel's messages
		// interleave and must never show.
		var all []int64
		for i := range 12 {
			raw := fmt.Sprintf("m%d", i)
			if i == 1 || i == 4 || i == 10 {
				raw += " keep"
			}
			all = append(all, post(t, s, ch, raw).ID)
			post(t, s, other.ID, "elsewhere keep")
		}
		keep := []int64{all[10], all[4], all[1]}

		tests := []struct {
			name  string
			after int64
			limit int
			hide  func(*model.Message) bool
			want  []int64
		}{
			{"within the window", 0, 3, nil, newestFirst(all, 3)},
			{"whole window", 0, 5, nil, newestFirst(all, 5)},
			{"beyond the window", 0, 9, nil, newestFirst(all, 9)},
			{"more than the channel holds", 0, 100, nil, newestFirst(all, 12)},
			{"after inside the window", all[9], 10, nil, newestFirst(all, 2)},
			{"after below the window", all[2], 100, nil, newestFirst(all, 9)},
			{"after below the window, small limit", all[2], 2, nil, newestFirst(all, 2)},
			{"after the newest", all[11], 10, nil, nil},
			{"zero limit", 0, 0, nil, nil},
			{"filter within the window", 0, 1, hideUnless("keep"), keep[:1]},
			{"filter paging through the store", 0, 3, hideUnless("keep"), keep},
			{"filter paging, limit above the matches", 0, 50, hideUnless("keep"), keep},
			{"filter paging, stopped by the limit", 0, 2, hideUnless("keep"), keep[:2]},
			{"filter with after", all[3], 50, hideUnless("keep"), keep[:2]},
			{"filter hiding everything", 0, 10, func(*model.Message) bool { return true }, nil},
			{"filter hiding nothing", 0, 7, func(*model.Message) bool { return false }, newestFirst(all, 7)},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				ms, snap, err := h.List(ctx, ch, tc.after, tc.limit, tc.hide)
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(ms); !slices.Equal(got, tc.want) {
					t.Errorf("List = %v, want %v", got, tc.want)
				}
				if snap == nil || snap.Newest().ID != all[11] {
					t.Errorf("List's snapshot %v", snap)
				}
				// The snapshot is not altered by a read that went past it.
				if got := ids(snap.Messages()); !slices.Equal(got, newestFirst(all, 5)) {
					t.Errorf("snapshot changed to %v", got)
				}
			})
		}
	})
}

// TestListPagesBeyondOnePage hides all but the oldest and the newest of
// more messages than List reads in one page from the store: they are found
// while the scan budget (10 windows) reaches the oldest, and only the newest
// when it does not.
func TestListPagesBeyondOnePage(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		ch := defaultChannel(t, s)
		first := post(t, s, ch, "the oldest keep").ID
		postConcurrently(t, s, ch, 450)
		last := post(t, s, ch, "the newest keep").ID

		for _, tc := range []struct {
			window int
			want   []int64
		}{
			{50, []int64{last, first}}, // 402 rows below the window, 500 allowed
			{5, []int64{last}},         // 447 rows below the window, 50 allowed
		} {
			h := hub.New(s, tc.window, logger)
			ms, _, err := h.List(ctx, ch, 0, 10, hideUnless("keep"))
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(ms); !slices.Equal(got, tc.want) {
				t.Errorf("window %d: List = %v, want %v", tc.window, got, tc.want)
			}
			found, err := h.FindClock(ctx, store.ClockQuery{ChannelID: ch, From: noonSeconds, To: noonSeconds, Limit: 10}, hideUnless("keep"))
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(found); !slices.Equal(got, tc.want) {
				t.Errorf("window %d: FindClock = %v, want %v", tc.window, got, tc.want)
			}
		}
		// Without filters, the budget does not apply.
		h := hub.New(s, 5, logger)
		found, err := h.FindClock(ctx, store.ClockQuery{ChannelID: ch, From: noonSeconds, To: noonSeconds, Limit: 452}, nil)
		if err != nil || len(found) != 452 || found[451].ID != first {
			t.Errorf("FindClock without filters: %d messages, %v", len(found), err)
		}
	})
}

func postConcurrently(t *testing.T, s *store.Store, ch int64, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			_, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: ch, Info: "ua", Raw: fmt.Sprintf("filler %d", i)}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindClock(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		var all []model.Message
		for i := range 6 {
			raw := fmt.Sprintf("m%d", i)
			if i%2 == 0 {
				raw += " keep"
			}
			all = append(all, post(t, s, ch, raw))
		}
		for i, m := range all {
			if m.ClockIndex != i+1 {
				t.Fatalf("message %d has clock index %d", i, m.ClockIndex)
			}
		}
		tests := []struct {
			name string
			q    store.ClockQuery
			hide func(*model.Message) bool
			want []int64
		}{
			{"every message of the second", store.ClockQuery{From: noonSeconds, To: noonSeconds, Limit: 10}, nil, ids(all[:6])},
			{"limit", store.ClockQuery{From: noonSeconds, To: noonSeconds, Limit: 2}, nil, ids(all[4:6])},
			{"filter", store.ClockQuery{From: noonSeconds, To: noonSeconds, Limit: 10}, hideUnless("keep"), []int64{all[0].ID, all[2].ID, all[4].ID}},
			{"filter and limit", store.ClockQuery{From: noonSeconds, To: noonSeconds, Limit: 1}, hideUnless("keep"), []int64{all[4].ID}},
			{"index", store.ClockQuery{From: noonSeconds, To: noonSeconds, Index: 3, Limit: 10}, nil, []int64{all[2].ID}},
			{"index hidden", store.ClockQuery{From: noonSeconds, To: noonSeconds, Index: 2, Limit: 10}, hideUnless("keep"), nil},
			{"the day", store.ClockQuery{From: noonSeconds, To: noonSeconds, Day: 20240310, Limit: 10}, nil, ids(all[:6])},
			{"another day", store.ClockQuery{From: noonSeconds, To: noonSeconds, Day: 20240311, Limit: 10}, nil, nil},
			{"another second", store.ClockQuery{From: noonSeconds + 1, To: noonSeconds + 59, Limit: 10}, nil, nil},
			{"the minute", store.ClockQuery{From: noonSeconds, To: noonSeconds + 59, Limit: 10}, nil, ids(all[:6])},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tc.q.ChannelID = ch
				ms, err := h.FindClock(ctx, tc.q, tc.hide)
				if err != nil {
					t.Fatal(err)
				}
				want := slices.Clone(tc.want)
				slices.Reverse(want) // newest first
				if got := ids(ms); !slices.Equal(got, want) {
					t.Errorf("FindClock = %v, want %v", got, want)
				}
			})
		}
	})
}

func TestPostIsVisibleInTheNextSnapshot(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		other, err := s.CreateChannel(ctx, "other", "Other")
		if err != nil {
			t.Fatal(err)
		}
		all := postMany(t, s, ch, "m", 3)
		before, err := h.Snapshot(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		otherBefore, err := h.Snapshot(ctx, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 7 {
			m := post(t, s, ch, fmt.Sprintf("new%d", i))
			all = append(all, m.ID)
			snap, err := h.Snapshot(ctx, ch)
			if err != nil {
				t.Fatal(err)
			}
			if snap == before {
				t.Fatal("a new message did not give a new snapshot")
			}
			if got, want := ids(snap.Messages()), newestFirst(all, 5); !slices.Equal(got, want) {
				t.Fatalf("after posting %d: snapshot %v, want %v", m.ID, got, want)
			}
			if snap.Newest().Raw != m.Raw || snap.Newest().ClockIndex != m.ClockIndex {
				t.Errorf("newest %+v, posted %+v", snap.Newest(), m)
			}
			// The window stays complete for reads past its end.
			ms, _, err := h.List(ctx, ch, 0, 100, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := ids(ms), newestFirst(all, len(all)); !slices.Equal(got, want) {
				t.Fatalf("List = %v, want %v", got, want)
			}
			before = snap
		}
		// Snapshots are immutable, and another channel is left alone.
		first, _ := hub.New(s, 5, logger).Snapshot(ctx, ch)
		if first.Newest().ID != all[len(all)-1] {
			t.Errorf("fresh snapshot newest %d", first.Newest().ID)
		}
		if snap, _ := h.Snapshot(ctx, other.ID); snap != otherBefore || snap.Newest() != nil {
			t.Errorf("the other channel's snapshot changed")
		}
	})
}

func TestSnapshotIsImmutable(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		all := postMany(t, s, ch, "m", 5)
		old, err := h.Snapshot(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		postMany(t, s, ch, "n", 3)
		if got, want := ids(old.Messages()), newestFirst(all, 5); !slices.Equal(got, want) {
			t.Errorf("an old snapshot changed to %v, want %v", got, want)
		}
	})
}

func TestEncodedMemoizes(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		post(t, s, ch, "first")
		snap, err := h.Snapshot(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		calls := 0
		encode := func(s string) func() []byte {
			return func() []byte { calls++; return []byte(s) }
		}
		k1 := hub.Key{Format: 3, Limit: 50}
		k2 := hub.Key{Format: 3, Limit: 50, Site: "http://other/"}
		if got := string(snap.Encoded(k1, encode("one"))); got != "one" || calls != 1 {
			t.Fatalf("first Encoded = %q after %d calls", got, calls)
		}
		if got := string(snap.Encoded(k1, encode("changed"))); got != "one" || calls != 1 {
			t.Errorf("same key: %q after %d calls, want the cached bytes", got, calls)
		}
		if got := string(snap.Encoded(k2, encode("two"))); got != "two" || calls != 2 {
			t.Errorf("another key: %q after %d calls", got, calls)
		}
		if got := string(snap.Encoded(k1, encode("changed"))); got != "one" || calls != 2 {
			t.Errorf("first key again: %q after %d calls", got, calls)
		}

		post(t, s, ch, "second")
		next, err := h.Snapshot(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		if next == snap {
			t.Fatal("no new snapshot after a post")
		}
		if got := string(next.Encoded(k1, encode("fresh"))); got != "fresh" || calls != 3 {
			t.Errorf("new snapshot: %q after %d calls, want a new encoding", got, calls)
		}
	})
}

func TestEncodedBound(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		snap, err := h.Snapshot(ctx, defaultChannel(t, s))
		if err != nil {
			t.Fatal(err)
		}
		// Many keys (clients polling with their own last id) are still
		// answered correctly, cached or not.
		for i := range 1000 {
			want := fmt.Sprint(i)
			if got := string(snap.Encoded(hub.Key{After: int64(i)}, func() []byte { return []byte(want) })); got != want {
				t.Fatalf("key %d: %q", i, got)
			}
		}
		for i := range 1000 {
			want := fmt.Sprint(i)
			if got := string(snap.Encoded(hub.Key{After: int64(i)}, func() []byte { return []byte(want) })); got != want {
				t.Fatalf("key %d again: %q", i, got)
			}
		}
	})
}

func TestRemoveDropsFromNextRead(t *testing.T) {
	storetest.Each(t, opts(t), func(t *testing.T, s *store.Store) {
		h := hub.New(s, 5, logger)
		ch := defaultChannel(t, s)
		all := postMany(t, s, ch, "m", 8)
		if _, err := h.Snapshot(ctx, ch); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Remove(ctx, all[6], "mod", "spam"); err != nil {
			t.Fatal(err)
		}
		rest := slices.Delete(slices.Clone(all), 6, 7)
		snap, err := h.Snapshot(ctx, ch)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ids(snap.Messages()), newestFirst(rest, 5); !slices.Equal(got, want) {
			t.Errorf("snapshot after removal %v, want %v", got, want)
		}
		ms, _, err := h.List(ctx, ch, 0, 100, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ids(ms), newestFirst(rest, len(rest)); !slices.Equal(got, want) {
			t.Errorf("List after removal %v, want %v", got, want)
		}
		// A post after the removal extends the rebuilt snapshot.
		m := post(t, s, ch, "after")
		snap, _ = h.Snapshot(ctx, ch)
		if got, want := ids(snap.Messages()), newestFirst(append(rest, m.ID), 5); !slices.Equal(got, want) {
			t.Errorf("snapshot after a new post %v, want %v", got, want)
		}
	})
}

func TestReverse(t *testing.T) {
	ms := []model.Message{{ID: 1}, {ID: 2}, {ID: 3}}
	r := hub.Reverse(ms)
	if got := ids(r); !slices.Equal(got, []int64{3, 2, 1}) {
		t.Errorf("Reverse = %v", got)
	}
	if got := ids(ms); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Errorf("Reverse changed its argument to %v", got)
	}
}
