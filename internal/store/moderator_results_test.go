package store_test

import (
	"math"
	"reflect"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// TestModeratorResultsKept: what the auto-moderators said is kept with the
// record, through a human decision, and read back by every listing.
func TestModeratorResultsKept(t *testing.T) {
	zero, seventy := 0.0, 70.0
	said := []model.ModeratorResult{
		{Spec: "webhook:https://bot:xxxxx@classifier.example/rate", Failure: "timeout", Detail: "no answer after 2s: context deadline exceeded"},
		{Spec: "links:2"},
		{Spec: "caps:70", Rating: &seventy, Reason: "too many capitals"},
		{Spec: "words:spam", Rating: &zero, Reason: "forbidden word"},
	}
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		c, _ := s.CreateChannel(ctx, "mod", "Moderated")
		msg := model.Message{ChannelID: c.ID, Info: "ua", Raw: "hi", Web: "hi", Remote: "hi", IP: "192.0.2.1"}
		pend, err := s.Post(ctx, store.Post{Message: msg, Status: model.StatusPending, Moderators: said})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(pend.Submission.Moderators, said) {
			t.Errorf("Post returned %+v", pend.Submission.Moderators)
		}
		queue, err := s.Pending(ctx, 10)
		if err != nil || len(queue) != 1 || !reflect.DeepEqual(queue[0].Moderators, said) {
			t.Fatalf("queue %+v, %v", queue, err)
		}
		// A moderator's decision keeps what the chain said.
		if _, _, err := s.Accept(ctx, pend.Submission.ID, "modo", nil); err != nil {
			t.Fatal(err)
		}
		decided, err := s.Decided(ctx, 10)
		if err != nil || len(decided) != 1 || decided[0].Status != model.StatusAccepted || !reflect.DeepEqual(decided[0].Moderators, said) {
			t.Fatalf("decided %+v, %v", decided, err)
		}

		// A record without a chain (a manual channel) has none.
		manual, err := s.Post(ctx, store.Post{Message: msg, Status: model.StatusPending})
		if err != nil {
			t.Fatal(err)
		}
		if sub, err := s.Submission(ctx, manual.Submission.ID); err != nil || sub.Moderators != nil {
			t.Errorf("manual record: %+v, %v", sub.Moderators, err)
		}

		// A rating JSON cannot hold fails that post alone, with an error.
		inf := math.Inf(1)
		_, err = s.Post(ctx, store.Post{Message: msg, Status: model.StatusPending,
			Moderators: []model.ModeratorResult{{Spec: "odd:1", Rating: &inf}}})
		if err == nil {
			t.Error("an infinite rating was stored")
		}
		if n, _ := s.CountPending(ctx); n != 1 {
			t.Errorf("%d pending, want 1", n)
		}
	})
}
