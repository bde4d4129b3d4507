package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

func TestOwnOnBoard(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		c, _ := s.CreateChannel(ctx, "mod", "Moderated")
		other, _ := s.CreateChannel(ctx, "other", "Other")
		u, _ := s.CreateUser(ctx, "bob", "hash", model.RoleUser)
		send := func(channelID int64, raw, status, session string, author int64) model.Submission {
			t.Helper()
			m := model.Message{ChannelID: channelID, Info: "ua", Raw: raw, Web: raw, Remote: raw, SessionID: session, AuthorID: author}
			if author != 0 {
				m.Login = "bob"
			}
			res, err := s.Post(ctx, store.Post{Status: status, Reason: "why", Message: m})
			if err != nil {
				t.Fatal(err)
			}
			return res.Submission
		}
		send(c.ID, "accepted", model.StatusAccepted, "sess", 0)
		send(c.ID, "rejected", model.StatusRejected, "sess", 0)
		pending := send(c.ID, "pending", model.StatusPending, "sess", 0)
		send(c.ID, "someone else's", model.StatusPending, "other", 0)
		send(other.ID, "other channel", model.StatusPending, "sess", 0)
		send(c.ID, "bob's", model.StatusRejected, "sess", u.ID)
		raws := func(subs []model.Submission, err error) []string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, sub := range subs {
				out = append(out, sub.Raw+":"+sub.Status)
			}
			return out
		}
		tests := []struct {
			name    string
			user    int64
			session string
			since   time.Time
			limit   int
			want    []string
		}{
			{"anonymous", 0, "sess", time.Now().Add(-time.Hour), 10, []string{"rejected:rejected", "pending:pending"}},
			{"old rejections left out", 0, "sess", time.Now().Add(time.Hour), 10, []string{"pending:pending"}},
			{"newest kept", 0, "sess", time.Now().Add(-time.Hour), 1, []string{"pending:pending"}},
			{"registered", u.ID, "", time.Now().Add(-time.Hour), 10, []string{"bob's:rejected"}},
			{"no session", 0, "", time.Now().Add(-time.Hour), 10, nil},
		}
		for _, tt := range tests {
			got := raws(s.OwnOnBoard(ctx, c.ID, tt.user, tt.session, tt.since, tt.limit))
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
			}
		}
		// A decision by a moderator counts from its own time.
		if _, err := s.Reject(ctx, pending.ID, "modo", "no"); err != nil {
			t.Fatal(err)
		}
		got := raws(s.OwnOnBoard(ctx, c.ID, 0, "sess", time.Now().Add(-time.Hour), 10))
		if len(got) != 2 || got[1] != "pending:rejected" {
			t.Errorf("after the moderator's decision: %q", got)
		}
	})
}

func TestDrawCaptcha(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		later := time.Now().Add(time.Minute)
		if d, err := s.DrawCaptcha(ctx, "abc", "123456", later); err != nil || d != "123456" {
			t.Fatalf("first draw: %q %v", d, err)
		}
		// A second draw (the sound after the picture, another process)
		// keeps the digits.
		if d, err := s.DrawCaptcha(ctx, "abc", "999999", later); err != nil || d != "123456" {
			t.Fatalf("second draw: %q %v", d, err)
		}
		// An expired one is drawn again.
		s.PutCaptcha(ctx, "old", "222222", time.Now().Add(-time.Second))
		if d, err := s.DrawCaptcha(ctx, "old", "333333", later); err != nil || d != "333333" {
			t.Fatalf("expired draw: %q %v", d, err)
		}
		if ok, _ := s.SolveCaptcha(ctx, "old", "333333"); !ok {
			t.Fatal("the drawn digits were refused")
		}
	})
}
