package store_test

import (
	"fmt"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// The queue pages by id, oldest first, and filters by channel; the count
// is the channel's.
func TestPendingPage(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		a, _ := s.CreateChannel(ctx, "a", "A")
		b, _ := s.CreateChannel(ctx, "b", "B")
		var inA []int64
		for i := range 7 {
			ch := a
			if i%3 == 2 {
				ch = b
			}
			p, err := s.Post(ctx, store.Post{Status: model.StatusPending,
				Message: model.Message{ChannelID: ch.ID, Info: "ua", Raw: fmt.Sprint(i), Web: fmt.Sprint(i), Remote: fmt.Sprint(i)}})
			if err != nil {
				t.Fatal(err)
			}
			if ch.ID == a.ID {
				inA = append(inA, p.Submission.ID)
			}
		}
		page, n, err := s.PendingPage(ctx, store.QueuePage{Limit: 3, ByChannel: true, Channel: "a"})
		if err != nil || n != len(inA) || len(page) != 3 || page[0].ID != inA[0] || page[2].ID != inA[2] {
			t.Fatalf("first page of a: %v %d %v", page, n, err)
		}
		page, _, err = s.PendingPage(ctx, store.QueuePage{After: page[2].ID, Limit: 3, ByChannel: true, Channel: "a"})
		if err != nil || len(page) != 2 || page[0].ID != inA[3] || page[1].ID != inA[4] {
			t.Fatalf("second page of a: %v %v", page, err)
		}
		all, n, err := s.PendingPage(ctx, store.QueuePage{Limit: 100})
		if err != nil || n != 7 || len(all) != 7 {
			t.Fatalf("whole queue: %d of %d, %v", len(all), n, err)
		}
		if page, n, _ := s.PendingPage(ctx, store.QueuePage{Limit: 10, ByChannel: true, Channel: ""}); len(page) != 0 || n != 0 {
			t.Fatalf("default channel: %v %d", page, n)
		}
	})
}
