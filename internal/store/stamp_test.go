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

// A removal moves the channel's stamp past every message's, and the next
// post's stamp is later still, all within one second.
func TestRemovalMovesTheChannelStamp(t *testing.T) {
	o := opts()
	at := time.Date(2013, 3, 10, 14, 30, 12, 0, time.UTC)
	o.Now = func() time.Time { return at }
	storetest.Each(t, o, func(t *testing.T, s *store.Store) {
		def, _ := s.Channel(ctx, "")
		if st, err := s.Stamp(ctx, def.ID); err != nil || !st.IsZero() {
			t.Fatalf("stamp of an empty channel: %v %v", st, err)
		}
		m1 := post(t, s, def.ID, "one")
		m2 := post(t, s, def.ID, "two")
		if st, err := s.Stamp(ctx, def.ID); err != nil || !st.Equal(m2.Modified) || !m2.Modified.After(m1.Modified) {
			t.Fatalf("stamp %v (%v), messages %v %v", st, err, m1.Modified, m2.Modified)
		}
		for _, m := range []model.Message{m2, m1} {
			before, _ := s.Stamp(ctx, def.ID)
			if _, err := s.Remove(ctx, m.ID, "modo", ""); err != nil {
				t.Fatal(err)
			}
			after, err := s.Stamp(ctx, def.ID)
			if err != nil || !after.After(before) {
				t.Fatalf("removing %d: stamp %v then %v (%v)", m.ID, before, after, err)
			}
		}
		last, _ := s.Stamp(ctx, def.ID)
		m3 := post(t, s, def.ID, "three")
		if !m3.Modified.After(last) {
			t.Fatalf("post after the removals: %v, channel stamp was %v", m3.Modified, last)
		}
		if st, _ := s.Stamp(ctx, def.ID); !st.Equal(m3.Modified) {
			t.Fatalf("stamp %v, newest message %v", st, m3.Modified)
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
