package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

var ctx = context.Background()

var paris, _ = time.LoadLocation("Europe/Paris")

func opts() store.Options { return store.Options{Location: paris} }

func post(t *testing.T, s *store.Store, channelID int64, raw string) model.Message {
	t.Helper()
	res, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: channelID, Info: "ua", Raw: raw, Web: raw, Remote: raw}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Message
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		n, err := s.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d, err %v", n, err)
		}
		if err := s.CheckSchema(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func TestChannels(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		def, err := s.Channel(ctx, "")
		if err != nil || def.Title == "" || def.Mode != "open" {
			t.Fatalf("default channel: %+v, %v", def, err)
		}
		c, err := s.CreateChannel(ctx, "troie", "La guerre de Troie")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateChannel(ctx, "troie", "again"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate slug: %v", err)
		}
		if err := s.RenameChannel(ctx, "troie", "Troie"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetModeration(ctx, "troie", "auto", []string{"links:2", "caps:50#shouting"}, "reject"); err != nil {
			t.Fatal(err)
		}
		got, err := s.Channel(ctx, "troie")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != c.ID || got.Title != "Troie" || got.Mode != "auto" || len(got.Moderators) != 2 ||
			got.Moderators[1] != "caps:50#shouting" || got.AutoModerateAs != "reject" {
			t.Fatalf("channel after edits: %+v", got)
		}
		all, err := s.Channels(ctx)
		if err != nil || len(all) != 2 || all[0].Slug != "" {
			t.Fatalf("channels: %+v %v", all, err)
		}
		m := post(t, s, c.ID, "hello")
		if err := s.DeleteChannel(ctx, "troie"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Channel(ctx, "troie"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted channel: %v", err)
		}
		if err := s.DeleteChannel(ctx, ""); err == nil {
			t.Fatal("the default channel was deleted")
		}
		// Ids are never given twice, even after the channel went away.
		if m2 := post(t, s, def.ID, "after"); m2.ID <= m.ID {
			t.Fatalf("id %d reused after %d", m2.ID, m.ID)
		}
	})
}

func TestPostAssignsOrderedIDsClocksAndStamps(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		def, _ := s.Channel(ctx, "")
		var prev model.Message
		for i := range 30 {
			m := post(t, s, def.ID, fmt.Sprintf("m%d", i))
			if i > 0 {
				// Stamps never go backwards, and never run ahead of the
				// publication second.
				if m.ID <= prev.ID || m.Created.Before(prev.Created) || m.Modified.Before(prev.Modified) ||
					m.Modified.Unix() != m.Created.Unix() {
					t.Fatalf("message %d not after %d: %+v / %+v", m.ID, prev.ID, m, prev)
				}
				sameSecond := m.Created.Unix() == prev.Created.Unix()
				if sameSecond && m.ClockIndex != prev.ClockIndex+1 || !sameSecond && m.ClockIndex != 1 {
					t.Fatalf("clock index %d after %d (same second %v)", m.ClockIndex, prev.ClockIndex, sameSecond)
				}
			}
			prev = m
		}
		page, err := s.Page(ctx, def.ID, 0, 0, 10)
		if err != nil || len(page) != 10 || page[0].ID != prev.ID {
			t.Fatalf("page: %d rows, err %v", len(page), err)
		}
		read, err := s.Message(ctx, prev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !read.Created.Equal(prev.Created) || !read.Modified.Equal(prev.Modified) || read.ClockIndex != prev.ClockIndex || read.Raw != prev.Raw {
			t.Fatalf("read back %+v, wrote %+v", read, prev)
		}
		older, err := s.Page(ctx, def.ID, page[9].ID-5, page[9].ID, 100)
		if err != nil || len(older) != 4 {
			t.Fatalf("page between: %d rows, %v", len(older), err)
		}
		after, err := s.After(ctx, def.ID, page[1].ID, 10)
		if err != nil || len(after) != 1 || after[0].ID != prev.ID {
			t.Fatalf("after: %+v %v", after, err)
		}
	})
}

func TestClockFinderColumns(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		def, _ := s.Channel(ctx, "")
		m := post(t, s, def.ID, "x")
		local := m.Created.In(paris)
		clock := local.Hour()*3600 + local.Minute()*60 + local.Second()
		day := local.Year()*10000 + int(local.Month())*100 + local.Day()
		for _, q := range []store.ClockQuery{
			{From: clock, To: clock},
			{From: clock - clock%60, To: clock - clock%60 + 59},
			{From: clock, To: clock, Day: day},
			{From: clock, To: clock, Index: m.ClockIndex},
		} {
			q.ChannelID, q.Limit = def.ID, 10
			got, err := s.AtClock(ctx, q)
			if err != nil || len(got) != 1 || got[0].ID != m.ID {
				t.Fatalf("%+v: %+v %v", q, got, err)
			}
		}
		got, _ := s.AtClock(ctx, store.ClockQuery{ChannelID: def.ID, From: clock, To: clock, Day: day - 1, Limit: 10})
		if len(got) != 0 {
			t.Fatalf("other day matched: %+v", got)
		}
	})
}

func TestConcurrentPostsAreAllCommittedInOrder(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		def, _ := s.Channel(ctx, "")
		var mu sync.Mutex
		var published []model.Message
		s.OnChange(func(c store.Change) {
			mu.Lock()
			published = append(published, c.Published...)
			mu.Unlock()
		})
		var wg sync.WaitGroup
		ids := make(chan int64, 400)
		for g := range 16 {
			wg.Go(func() {
				for i := range 25 {
					ids <- post(t, s, def.ID, fmt.Sprintf("g%d-%d", g, i)).ID
				}
			})
		}
		wg.Wait()
		close(ids)
		seen := map[int64]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 400 {
			t.Fatalf("%d distinct ids for 400 posts", len(seen))
		}
		n, _ := s.CountMessages(ctx, def.ID)
		if n != 400 {
			t.Fatalf("%d messages stored", n)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(published) != 400 {
			t.Fatalf("%d messages announced", len(published))
		}
		for i := 1; i < len(published); i++ {
			a, b := published[i-1], published[i]
			if b.ID <= a.ID || b.Created.Before(a.Created) || b.Modified.Before(a.Modified) || b.Modified.Unix() != b.Created.Unix() {
				t.Fatalf("announced out of order: %d then %d", a.ID, b.ID)
			}
		}
	})
}

func TestModerationRecords(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		c, _ := s.CreateChannel(ctx, "mod", "Moderated")
		before := post(t, s, c.ID, "open message")
		pend, err := s.Post(ctx, store.Post{Status: model.StatusPending,
			Message: model.Message{ChannelID: c.ID, Info: "ua", Raw: "wait", Web: "wait", Remote: "wait", SessionID: "sess", IP: "10.0.0.1"}})
		if err != nil || pend.Message.ID != 0 || pend.Submission.ID == 0 || pend.Submission.Status != model.StatusPending {
			t.Fatalf("pending post: %+v %v", pend, err)
		}
		rej, err := s.Post(ctx, store.Post{Status: model.StatusRejected, Reason: "spam",
			Message: model.Message{ChannelID: c.ID, Info: "ua", Raw: "buy", Web: "buy", Remote: "buy", IP: "10.0.0.1"}})
		if err != nil || rej.Message.ID != 0 || rej.Submission.Reason != "spam" || rej.Submission.DecidedAt.IsZero() {
			t.Fatalf("rejected post: %+v %v", rej, err)
		}
		acc, err := s.Post(ctx, store.Post{Status: model.StatusAccepted,
			Message: model.Message{ChannelID: c.ID, Info: "ua", Raw: "ok", Web: "ok", Remote: "ok", IP: "10.0.0.1"}})
		if err != nil || acc.Message.ID == 0 || acc.Submission.MessageID != acc.Message.ID {
			t.Fatalf("accepted post: %+v %v", acc, err)
		}
		queue, err := s.Pending(ctx, 10)
		if err != nil || len(queue) != 1 || queue[0].ID != pend.Submission.ID || queue[0].ChannelSlug != "mod" {
			t.Fatalf("queue: %+v %v", queue, err)
		}
		if n, _ := s.CountPending(ctx); n != 1 {
			t.Fatalf("pending count %d", n)
		}
		mine, _ := s.OwnOnBoard(ctx, c.ID, 0, "sess", time.Now(), 10)
		if len(mine) != 1 {
			t.Fatalf("pending of session: %+v", mine)
		}
		// Publication gives a fresh id, above everything published before.
		sub, m, err := s.Accept(ctx, pend.Submission.ID, "modo", nil)
		if err != nil {
			t.Fatal(err)
		}
		if m.ID <= acc.Message.ID || m.ID <= before.ID || sub.MessageID != m.ID || sub.DecidedBy != "modo" || sub.Status != model.StatusAccepted {
			t.Fatalf("accept: %+v %+v", sub, m)
		}
		// Its times: TestAcceptPublishesAtAcceptanceTime.
		if _, _, err := s.Accept(ctx, pend.Submission.ID, "modo", nil); !errors.Is(err, store.ErrNotPending) {
			t.Fatalf("second accept: %v", err)
		}
		if _, err := s.Reject(ctx, 99999, "modo", "x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("reject unknown: %v", err)
		}
		// History for flood and duplicate control counts every outcome.
		n, err := s.CountSince(ctx, "mod", "", "10.0.0.1", time.Now().Add(-time.Minute))
		if err != nil || n != 3 {
			t.Fatalf("count since: %d %v", n, err)
		}
		dup, err := s.SameTextSince(ctx, "mod", "", "10.0.0.1", "buy", time.Now().Add(-time.Minute))
		if err != nil || !dup {
			t.Fatalf("same text: %v %v", dup, err)
		}
		if dup, _ := s.SameTextSince(ctx, "mod", "bob", "", "buy", time.Now().Add(-time.Minute)); dup {
			t.Fatal("a registered user matched an anonymous identity")
		}
		// Removal hides the message for good.
		if _, err := s.Remove(ctx, m.ID, "modo", "off topic"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Message(ctx, m.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removed message still readable: %v", err)
		}
		if _, err := s.Remove(ctx, m.ID, "modo", ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second removal: %v", err)
		}
		next := post(t, s, c.ID, "next")
		if next.ID <= m.ID {
			t.Fatalf("id %d after removed %d", next.ID, m.ID)
		}
	})
}

func TestUsersSessionsFilters(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		u, err := s.CreateUser(ctx, "Batman", "hash", model.RoleUser)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateUser(ctx, "batman", "hash", model.RoleUser); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("case-insensitive duplicate: %v", err)
		}
		if err := s.SetRole(ctx, "BATMAN", model.RoleModerator); err != nil {
			t.Fatal(err)
		}
		got, err := s.UserByName(ctx, "batman")
		if err != nil || got.ID != u.ID || got.Role != model.RoleModerator || got.Username != "Batman" {
			t.Fatalf("user: %+v %v", got, err)
		}
		sess := store.SessionRow{ID: "abc", UserID: u.ID, Expires: time.Now().Add(time.Hour), Data: []byte(`{"x":1}`)}
		if err := s.SaveSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		read, err := s.Session(ctx, "abc")
		if err != nil || read.UserID != u.ID || string(read.Data) != `{"x":1}` {
			t.Fatalf("session: %+v %v", read, err)
		}
		sess.Data = []byte(`{"x":2}`)
		if err := s.SaveSession(ctx, sess); err != nil {
			t.Fatal(err)
		}
		if read, _ := s.Session(ctx, "abc"); string(read.Data) != `{"x":2}` {
			t.Fatalf("session update: %s", read.Data)
		}
		expired := store.SessionRow{ID: "old", Expires: time.Now().Add(-time.Second)}
		s.SaveSession(ctx, expired)
		if _, err := s.Session(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired session: %v", err)
		}
		if n, err := s.PurgeSessions(ctx, time.Now()); err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		fs := []store.Filter{{Target: "ua", Kind: "|=", Value: "Demokos"}, {Target: "author", Kind: "==", Value: "cassandre"}}
		if err := s.SaveFilters(ctx, u.ID, fs); err != nil {
			t.Fatal(err)
		}
		if read, err := s.Filters(ctx, u.ID); err != nil || len(read) != 2 || read[1] != fs[1] {
			t.Fatalf("filters: %+v %v", read, err)
		}
		if err := s.DeleteUser(ctx, "batman"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Session(ctx, "abc"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session of a deleted user: %v", err)
		}
		if read, _ := s.Filters(ctx, u.ID); len(read) != 0 {
			t.Fatalf("filters of a deleted user: %+v", read)
		}
	})
}

// The SQLite connection settings the durability promise rests on.
func TestSQLitePragmas(t *testing.T) {
	for _, sync := range []struct {
		opt  string
		want int
	}{{"", 2}, {"full", 2}, {"normal", 1}} {
		o := opts()
		o.Synchronous = sync.opt
		s := storetest.Open(t, storetest.Backends(t)[0], o)
		var mode string
		var level, fk int
		if err := s.QueryRowForTest(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode %q %v", mode, err)
		}
		if err := s.QueryRowForTest(`PRAGMA synchronous`).Scan(&level); err != nil || level != sync.want {
			t.Fatalf("synchronous %q: %d %v", sync.opt, level, err)
		}
		if err := s.QueryRowForTest(`PRAGMA foreign_keys`).Scan(&fk); err != nil || fk != 1 {
			t.Fatalf("foreign_keys %d %v", fk, err)
		}
	}
}

func TestCaptchas(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		if err := s.PutCaptcha(ctx, "abc", "123456", time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if d, err := s.CaptchaDigits(ctx, "abc"); err != nil || d != "123456" {
			t.Fatalf("digits %q %v", d, err)
		}
		// A reload replaces the solution.
		s.PutCaptcha(ctx, "abc", "654321", time.Now().Add(time.Minute))
		if ok, err := s.SolveCaptcha(ctx, "abc", "123456"); err != nil || ok {
			t.Fatalf("old solution accepted: %v %v", ok, err)
		}
		// One try only, right or wrong.
		if ok, _ := s.SolveCaptcha(ctx, "abc", "654321"); ok {
			t.Fatal("a used captcha was accepted")
		}
		s.PutCaptcha(ctx, "def", "111111", time.Now().Add(time.Minute))
		if ok, _ := s.SolveCaptcha(ctx, "def", "111111"); !ok {
			t.Fatal("the right answer was refused")
		}
		s.PutCaptcha(ctx, "old", "222222", time.Now().Add(-time.Second))
		if _, err := s.CaptchaDigits(ctx, "old"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired captcha: %v", err)
		}
		if ok, _ := s.SolveCaptcha(ctx, "old", "222222"); ok {
			t.Fatal("an expired captcha was accepted")
		}
		s.PutCaptcha(ctx, "gone", "333333", time.Now().Add(-time.Second))
		// Expired: "gone", and "old" (kept, used up, until it expired).
		if n, err := s.PurgeCaptchas(ctx, time.Now()); err != nil || n != 2 {
			t.Fatalf("purge: %d %v", n, err)
		}
	})
}

// TestCaptchasSharedBetweenStores: two stores on one database (two server
// processes) see the same captchas, and each gets one try in all.
func TestCaptchasSharedBetweenStores(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			a, other := storetest.Open(t, b, opts()), storetest.Open(t, b, opts())
			if err := a.PutCaptcha(ctx, "abc", "123456", time.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if d, err := other.CaptchaDigits(ctx, "abc"); err != nil || d != "123456" {
				t.Fatalf("digits on the other store: %q %v", d, err)
			}
			// A reload on the other store is what the first one checks.
			if err := other.PutCaptcha(ctx, "abc", "654321", time.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if d, _ := a.CaptchaDigits(ctx, "abc"); d != "654321" {
				t.Fatalf("reload not seen: %q", d)
			}
			if ok, err := other.SolveCaptcha(ctx, "abc", "654321"); err != nil || !ok {
				t.Fatalf("solve: %v %v", ok, err)
			}
			for name, s := range map[string]*store.Store{"first": a, "other": other} {
				if ok, err := s.SolveCaptcha(ctx, "abc", "654321"); err != nil || ok {
					t.Errorf("replay on the %s store: %v %v", name, ok, err)
				}
				if _, err := s.CaptchaDigits(ctx, "abc"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("used captcha on the %s store: %v", name, err)
				}
			}
			// Concurrent answers to one captcha: exactly one wins.
			a.PutCaptcha(ctx, "race", "111111", time.Now().Add(time.Minute))
			var wg sync.WaitGroup
			var mu sync.Mutex
			wins := 0
			for i := range 8 {
				s := a
				if i%2 == 1 {
					s = other
				}
				wg.Go(func() {
					ok, err := s.SolveCaptcha(ctx, "race", "111111")
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						wins++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if wins != 1 {
				t.Errorf("%d winners", wins)
			}
		})
	}
}

// TestSecretSharedBetweenStores: the first store to ask creates the secret;
// another one on the same database, asking at the same time or later, gets
// the same one.
func TestSecretSharedBetweenStores(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			a, other := storetest.Open(t, b, opts()), storetest.Open(t, b, opts())
			got := make([][]byte, 8)
			var wg sync.WaitGroup
			for i := range got {
				s := a
				if i%2 == 1 {
					s = other
				}
				wg.Go(func() {
					key, err := s.Secret(ctx, "test", []byte{byte(i + 1), 2, 3})
					if err != nil {
						t.Error(err)
					}
					got[i] = key
				})
			}
			wg.Wait()
			for i := range got {
				if string(got[i]) != string(got[0]) || len(got[i]) != 3 {
					t.Fatalf("secrets differ: %v", got)
				}
			}
			if key, err := other.Secret(ctx, "test", []byte("later")); err != nil || string(key) != string(got[0]) {
				t.Fatalf("asked later: %v %v", key, err)
			}
			if key, err := a.Secret(ctx, "another", []byte("x")); err != nil || string(key) != "x" {
				t.Fatalf("another secret: %q %v", key, err)
			}
		})
	}
}

// TestFullIsNamed: whatever write a full database refuses is ErrFull,
// which the tribune answers 503 (a page cap fills the SQLite file as a
// full disk would).
func TestFullIsNamed(t *testing.T) {
	s := storetest.Open(t, storetest.Backends(t)[0], store.Options{Location: time.UTC, MaxPageCount: 120})
	big := strings.Repeat("x", 1_000_000) // more than the pages left
	if _, err := s.CreateChannel(ctx, "big", big); !errors.Is(err, store.ErrFull) {
		t.Errorf("channel: %v", err)
	}
	if err := s.SaveSession(ctx, store.SessionRow{ID: "s", Data: []byte(`{"x":"` + big + `"}`), Expires: time.Now().Add(time.Hour)}); !errors.Is(err, store.ErrFull) {
		t.Errorf("session: %v", err)
	}
	if _, err := s.CreateUser(ctx, "u", big, "user"); !errors.Is(err, store.ErrFull) {
		t.Errorf("user: %v", err)
	}
	c, err := s.Channel(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: c.ID, Raw: big, Web: big, Remote: big}}); !errors.Is(err, store.ErrFull) {
		t.Errorf("post: %v", err)
	}
}
