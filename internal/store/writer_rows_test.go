package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// Batches that mix plain posts (inserted together on PostgreSQL) with
// moderated ones, removals and posts to a channel that is gone: every
// acknowledged post is stored with its own text and links under its own
// id, and a bad post fails alone.
func TestMixedBatchesKeepEveryPost(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		def, _ := s.Channel(ctx, "")
		gone, err := s.CreateChannel(ctx, "gone", "Gone")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteChannel(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		texts := map[int64]string{}
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Go(func() {
				for i := range 20 {
					text := fmt.Sprintf("g%d-%d", g, i)
					p := store.Post{Message: model.Message{ChannelID: def.ID, Info: "ua", Raw: text, Web: text, Remote: text},
						// The same link from everyone, and one of each.
						URLs: []string{"http://example.com/", "http://example.com/" + text}}
					switch {
					case g == 0 && i%4 == 0: // a channel deleted meanwhile
						p.Message.ChannelID = gone.ID
						if _, err := s.Post(ctx, p); !errors.Is(err, store.ErrNotFound) {
							t.Errorf("post to a deleted channel: %v", err)
						}
						continue
					case g == 1:
						p.Status = model.StatusAccepted
					case g == 2:
						p.Status = model.StatusPending
					}
					res, err := s.Post(ctx, p)
					if err != nil {
						t.Error(err)
						return
					}
					if res.Message.ID == 0 {
						continue // pending
					}
					if g == 3 && i%5 == 0 {
						if _, err := s.Remove(ctx, res.Message.ID, "modo", "test"); err != nil {
							t.Error(err)
						}
					}
					mu.Lock()
					texts[res.Message.ID] = text
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		ms, err := s.MessagesByID(ctx, def.ID, 1, 1<<62)
		if err != nil {
			t.Fatal(err)
		}
		found := map[int64]bool{}
		for _, m := range ms {
			found[m.ID] = true
			if want, ok := texts[m.ID]; !ok || m.Raw != want {
				t.Fatalf("message %d: %q, posted %q (known %v)", m.ID, m.Raw, want, ok)
			}
		}
		removed := 0
		for id := range texts {
			if !found[id] {
				removed++
			}
		}
		if removed != 4 {
			t.Fatalf("%d of %d acknowledged messages missing, 4 removed", removed, len(texts))
		}
		var links, linked int
		if err := s.QueryRowForTest(`SELECT count(*), count(DISTINCT message_id) FROM urls`).Scan(&links, &linked); err != nil {
			t.Fatal(err)
		}
		// The links of removed messages may go with them.
		if links < len(texts)-4+1 || links > len(texts)+1 {
			t.Fatalf("%d links archived for %d messages", links, len(texts))
		}
	})
}

// Two processes posting to one channel of one PostgreSQL database at once:
// each batch reads the channel's last message after taking the lock (in
// the same round trip, on PostgreSQL), so the ids follow the publication
// times and the clock indices count on from the other process's messages.
func TestTwoProcessesPostInOneOrder(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		if b.Name != "postgres" {
			continue
		}
		t.Run(b.Name, func(t *testing.T) {
			a, other := storetest.Open(t, b, opts()), storetest.Open(t, b, opts())
			def, _ := a.Channel(ctx, "")
			var wg sync.WaitGroup
			for g := range 16 {
				s := a
				if g%2 == 1 {
					s = other
				}
				wg.Go(func() {
					for i := range 25 {
						text := fmt.Sprintf("g%d-%d", g, i)
						if _, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: def.ID, Info: "ua", Raw: text, Web: text, Remote: text}}); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			ms, err := a.Page(ctx, def.ID, 0, 0, 1000)
			if err != nil || len(ms) != 400 {
				t.Fatalf("%d messages, %v", len(ms), err)
			}
			// Page is newest first.
			for i := len(ms) - 2; i >= 0; i-- {
				prev, m := ms[i+1], ms[i]
				if m.ID <= prev.ID || m.Created.Before(prev.Created) {
					t.Fatalf("message %d (%s) after %d (%s)", m.ID, m.Created, prev.ID, prev.Created)
				}
				want := 1
				if m.Created.Unix() == prev.Created.Unix() {
					want = prev.ClockIndex + 1
				}
				if m.ClockIndex != want {
					t.Fatalf("message %d: clock index %d after %d in the same second, want %d", m.ID, m.ClockIndex, prev.ClockIndex, want)
				}
			}
		})
	}
}
