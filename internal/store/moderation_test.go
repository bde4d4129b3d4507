package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// testClock is a settable store clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// clockAndDay reads the clock finder's columns of a message.
func clockAndDay(t *testing.T, s *store.Store, id int64) (clock, day int) {
	t.Helper()
	if err := s.QueryRowForTest(fmt.Sprintf(`SELECT clock, day FROM messages WHERE id = %d`, id)).Scan(&clock, &day); err != nil {
		t.Fatal(err)
	}
	return clock, day
}

// TestAcceptPublishesAtAcceptanceTime checks that a message accepted late
// gets its publication time, clock, day and Last-Modified stamp when it is
// accepted, across midnight, and keeps the time it was submitted.
func TestAcceptPublishesAtAcceptanceTime(t *testing.T) {
	clk := &testClock{}
	opt := opts()
	opt.Now = clk.Now
	storetest.Each(t, opt, func(t *testing.T, s *store.Store) {
		c, _ := s.CreateChannel(ctx, "mod", "Moderated")
		sent := time.Date(2024, 3, 10, 23, 59, 58, 0, paris)
		clk.set(sent)
		before := post(t, s, c.ID, "published before")
		pend, err := s.Post(ctx, store.Post{Status: model.StatusPending,
			Message: model.Message{ChannelID: c.ID, Info: "ua", Raw: "late", Web: "late", Remote: "late"}})
		if err != nil {
			t.Fatal(err)
		}
		if !pend.Submission.Submitted.Equal(sent) {
			t.Fatalf("submitted %v, want %v", pend.Submission.Submitted, sent)
		}

		accepted := time.Date(2024, 3, 11, 0, 1, 5, 250_000_000, paris)
		clk.set(accepted)
		sub, m, err := s.Accept(ctx, pend.Submission.ID, "modo", nil)
		if err != nil {
			t.Fatal(err)
		}
		if !m.Created.Equal(accepted) || !m.Modified.Equal(accepted.Truncate(time.Second)) || m.ClockIndex != 1 {
			t.Errorf("published %v, modified %v, index %d; want %v, %v, 1",
				m.Created, m.Modified, m.ClockIndex, accepted, accepted.Truncate(time.Second))
		}
		if !m.Submitted.Equal(sent) || !sub.Submitted.Equal(sent) {
			t.Errorf("submitted %v (record %v), want %v", m.Submitted, sub.Submitted, sent)
		}
		if !sub.DecidedAt.Equal(accepted) || sub.DecidedBy != "modo" {
			t.Errorf("decided %v by %q", sub.DecidedAt, sub.DecidedBy)
		}
		// Read back from the database, not only from what Accept returned.
		read, err := s.Message(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !read.Created.Equal(accepted) || !read.Modified.Equal(m.Modified) || !read.Submitted.Equal(sent) {
			t.Errorf("read back created %v modified %v submitted %v", read.Created, read.Modified, read.Submitted)
		}
		clock, day := clockAndDay(t, s, m.ID)
		if clock != 65 || day != 20240311 {
			t.Errorf("clock %d day %d, want 65 (00:01:05) and 20240311", clock, day)
		}
		if clock, day := clockAndDay(t, s, before.ID); clock != 23*3600+59*60+58 || day != 20240310 {
			t.Errorf("the earlier message moved: clock %d day %d", clock, day)
		}
		// The clock finder finds it at the acceptance second, not at the
		// submission second.
		at, err := s.AtClock(ctx, store.ClockQuery{ChannelID: c.ID, From: 65, To: 65, Day: 20240311, Limit: 10})
		if err != nil || len(at) != 1 || at[0].ID != m.ID {
			t.Errorf("clock finder at the acceptance: %+v %v", at, err)
		}
		at, err = s.AtClock(ctx, store.ClockQuery{ChannelID: c.ID, From: 23*3600 + 59*60 + 58, To: 23*3600 + 59*60 + 58, Limit: 10})
		if err != nil || len(at) != 1 || at[0].ID != before.ID {
			t.Errorf("clock finder at the submission: %+v %v", at, err)
		}
	})
}

// TestRemoveRecordsTheDecision checks that a removal marks the message's
// moderation record, or writes one for a message of an open channel, with
// who, when and why.
func TestRemoveRecordsTheDecision(t *testing.T) {
	clk := &testClock{}
	opt := opts()
	opt.Now = clk.Now
	storetest.Each(t, opt, func(t *testing.T, s *store.Store) {
		start := time.Date(2024, 3, 10, 12, 0, 0, 0, paris)
		clk.set(start)
		mod, _ := s.CreateChannel(ctx, "mod", "Moderated")
		def, _ := s.Channel(ctx, "")
		u, err := s.CreateUser(ctx, "author", "hash", model.RoleUser)
		if err != nil {
			t.Fatal(err)
		}
		accepted, err := s.Post(ctx, store.Post{Status: model.StatusAccepted, Message: model.Message{ChannelID: mod.ID,
			Info: "ua", Raw: "moderated", Web: "moderated", Remote: "moderated", AuthorID: u.ID, Login: "author", SessionID: "sess"}})
		if err != nil {
			t.Fatal(err)
		}
		open, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: def.ID,
			Info: "ua", Raw: "open", Web: "open", Remote: "open", SessionID: "anon", IP: "10.0.0.2"}})
		if err != nil || open.Submission.ID != 0 {
			t.Fatalf("open post: %+v %v", open, err)
		}

		var changes []store.Change
		var mu sync.Mutex
		s.OnChange(func(c store.Change) { mu.Lock(); changes = append(changes, c); mu.Unlock() })

		removedAt := start.Add(time.Hour)
		clk.set(removedAt)
		m, err := s.Remove(ctx, accepted.Message.ID, "modo", "off topic")
		if err != nil {
			t.Fatal(err)
		}
		if m.ID != accepted.Message.ID || m.ChannelID != mod.ID || m.AuthorID != u.ID || m.SessionID != "sess" {
			t.Errorf("removed message %+v", m)
		}
		sub, err := s.Submission(ctx, accepted.Submission.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Status != model.StatusRemoved || sub.DecidedBy != "modo" || !sub.DecidedAt.Equal(removedAt) ||
			sub.Reason != "off topic" || sub.MessageID != m.ID {
			t.Errorf("record after the removal: %+v", sub)
		}

		// A message of an open channel had no record: it gets one.
		clk.set(removedAt.Add(time.Minute))
		if _, err := s.Remove(ctx, open.Message.ID, "chief", ""); err != nil {
			t.Fatal(err)
		}
		mine, err := s.SubmissionsOf(ctx, 0, "anon", 10)
		if err != nil || len(mine) != 1 {
			t.Fatalf("records of the anonymous author: %+v %v", mine, err)
		}
		got := mine[0]
		if got.Status != model.StatusRemoved || got.DecidedBy != "chief" || !got.DecidedAt.Equal(removedAt.Add(time.Minute)) ||
			got.MessageID != open.Message.ID || got.Raw != "open" || got.ChannelSlug != "" || got.IP != "10.0.0.2" ||
			!got.Submitted.Equal(open.Message.Submitted) {
			t.Errorf("record of the open channel's message: %+v", got)
		}

		// Both are the latest decisions, newest first, and nothing waits.
		recent, err := s.Decided(ctx, 2)
		if err != nil || len(recent) != 2 || recent[0].ID != got.ID || recent[1].ID != sub.ID {
			t.Errorf("latest decisions: %+v %v", recent, err)
		}
		if n, _ := s.CountPending(ctx); n != 0 {
			t.Errorf("pending %d", n)
		}
		if authored, _ := s.SubmissionsOf(ctx, u.ID, "", 10); len(authored) != 1 || authored[0].Status != model.StatusRemoved {
			t.Errorf("records of the registered author: %+v", authored)
		}

		// Each removal told the listeners about the message and the record.
		mu.Lock()
		defer mu.Unlock()
		if len(changes) != 2 {
			t.Fatalf("%d changes", len(changes))
		}
		for i, want := range []int64{accepted.Message.ID, open.Message.ID} {
			c := changes[i]
			if len(c.Removed) != 1 || c.Removed[0].ID != want || len(c.Decided) != 1 ||
				c.Decided[0].Status != model.StatusRemoved || c.Decided[0].MessageID != want {
				t.Errorf("change %d: %+v", i, c)
			}
		}
		// A removed record cannot be decided again.
		if _, _, err := s.Accept(ctx, sub.ID, "modo", nil); err == nil {
			t.Error("a removed record was accepted")
		}
	})
}
