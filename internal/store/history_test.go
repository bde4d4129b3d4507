package store_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// The per-day and per-hour counts follow every write, removal and channel
// deletion, on both databases (they are kept by triggers).
func TestHistoryCounts(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		ch, err := s.CreateChannel(ctx, "counted", "Counted")
		if err != nil {
			t.Fatal(err)
		}
		a := post(t, s, ch.ID, "a")
		b := post(t, s, ch.ID, "b")
		post(t, s, ch.ID, "c")
		local := a.Created.In(paris)
		day := local.Year()*10000 + int(local.Month())*100 + local.Day()
		check := func(what string, want int) {
			t.Helper()
			days, err := s.DayCounts(ctx, ch.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantDays := []store.DayCount{{Day: day, N: want}}
			if want == 0 {
				wantDays = nil
			}
			if !slices.Equal(days, wantDays) {
				t.Errorf("%s: days %+v, want %+v", what, days, wantDays)
			}
			hours, err := s.HourCounts(ctx, ch.ID, day)
			if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, n := range hours {
				sum += n
			}
			if sum != want || want > 0 && hours[local.Hour()] == 0 && hours[(local.Hour()+1)%24] == 0 {
				t.Errorf("%s: hours %v, want %d in all", what, hours, want)
			}
			if _, n, _, err := s.DayAround(ctx, ch.ID, day); err != nil || n != want {
				t.Errorf("%s: the day's count %d %v, want %d", what, n, err, want)
			}
		}
		check("after three posts", 3)
		// Posts that arrive together share a batch, and on PostgreSQL one
		// INSERT whose counts are kept per statement: two channels in it.
		other, err := s.CreateChannel(ctx, "other", "Other")
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Go(func() {
				to := ch.ID
				if i%4 == 0 {
					to = other.ID
				}
				if _, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: to, Info: "ua", Raw: "x", Web: "x", Remote: "x"}}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		check("after 30 posts together", 33)
		if days, err := s.DayCounts(ctx, other.ID); err != nil || len(days) != 1 || days[0].N != 10 {
			t.Errorf("the other channel's days: %+v %v", days, err)
		}
		if _, err := s.Remove(ctx, b.ID, "modo", "test"); err != nil {
			t.Fatal(err)
		}
		check("after a removal", 32)
		if _, err := s.Remove(ctx, b.ID, "modo", "again"); err == nil {
			check("after removing it again", 32)
		}
		ms, err := s.OfDay(ctx, ch.ID, day, 0, 10)
		if err != nil || len(ms) != 10 || ms[0].ID != a.ID {
			t.Errorf("the day's messages: %+v %v", ms, err)
		}
		clocks, err := s.Clocks(ctx, ch.ID, 0, 10)
		if err != nil || len(clocks) != 10 || clocks[0].Raw != "a" || clocks[0].Created.IsZero() {
			t.Errorf("clocks: %+v %v", clocks, err)
		}
		// Another channel's messages are its own.
		def, _ := s.Channel(ctx, "")
		post(t, s, def.ID, "elsewhere")
		check("after a post elsewhere", 32)
		if err := s.DeleteChannel(ctx, "counted"); err != nil {
			t.Fatal(err)
		}
		check("after the channel's deletion", 0)
	})
}
