package store_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

func TestImporter(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		var changes []store.Change
		s.OnChange(func(c store.Change) { changes = append(changes, c) })
		live := post(t, s, 1, "posted first")
		im, err := s.NewImporter(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		c, isNew, err := im.Channel(ctx, "troie", "Troie", time.Time{})
		if err != nil || !isNew {
			t.Fatalf("channel: %v %v", isNew, err)
		}
		at := time.Date(2012, 3, 23, 23, 42, 43, 0, paris)
		ms := []store.ImportMessage{
			{ID: 10, ChannelID: c.ID, Created: at, Info: "a", Raw: "un http://example.com/x", URLs: []string{"http://example.com/x"}},
			{ID: 11, ChannelID: c.ID, Created: at.Add(500 * time.Millisecond), Info: "b", Raw: "deux", URLs: []string{"http://example.com/x"}},
			{ID: 12, ChannelID: c.ID, Created: at.Add(time.Second), Info: "c", Raw: "trois"},
		}
		if err := im.WriteMessages(ctx, ms); err != nil {
			t.Fatal(err)
		}
		if err := im.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		got, err := s.Page(ctx, c.ID, 0, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var idx []int
		for _, m := range got {
			idx = append(idx, int(m.ID), m.ClockIndex)
		}
		if !slices.Equal(idx, []int{12, 1, 11, 2, 10, 1}) || !got[2].Created.Equal(at) {
			t.Errorf("imported (id, index): %v; created %v", idx, got[2].Created)
		}
		found, err := s.AtClock(ctx, store.ClockQuery{ChannelID: c.ID, From: 23*3600 + 42*60 + 43, To: 23*3600 + 42*60 + 43, Day: 20120323, Limit: 5})
		if err != nil || len(found) != 2 {
			t.Errorf("clock finder on imported messages: %d, %v", len(found), err)
		}
		if len(changes) == 0 || !slices.Equal(changes[len(changes)-1].History, []int64{c.ID}) || !changes[len(changes)-1].Channels {
			t.Errorf("the import's change: %+v", changes)
		}
		// An id taken: an error naming it, and nothing of that import.
		im, err = s.NewImporter(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		err = im.WriteMessages(ctx, []store.ImportMessage{
			{ID: 13, ChannelID: c.ID, Created: at, Info: "d", Raw: "quatre", Line: 1},
			{ID: live.ID, ChannelID: c.ID, Created: at, Info: "e", Raw: "cinq", Line: 2},
		})
		var ce *store.CollisionError
		if !errors.As(err, &ce) || ce.ID != live.ID || ce.Line != 2 {
			t.Fatalf("collision: %v", err)
		}
		im.Abort()
		if n, _ := s.CountMessages(ctx, c.ID); n != 3 {
			t.Errorf("%d messages after an aborted import, want 3", n)
		}
		// The writer's connection is itself again: posts go on, after the
		// imported ids, and foreign keys are checked.
		if m := post(t, s, 1, "after"); m.ID != 13 {
			t.Errorf("post after the imports: id %d, want 13", m.ID)
		}
		if _, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: 999, Info: "x", Raw: "x", Web: "x", Remote: "x"}}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("post to a missing channel after an import: %v, want ErrNotFound", err)
		}
		// Renumbering: after every id given (on PostgreSQL the refused
		// post above took one too).
		im, _ = s.NewImporter(ctx, true)
		ms = []store.ImportMessage{{ID: 3, ChannelID: c.ID, Created: at, Info: "f", Raw: "six"}}
		if err := im.WriteMessages(ctx, ms); err != nil || ms[0].ID < 14 || ms[0].ID > 15 {
			im.Abort() // or PostgreSQL keeps the test's schema
			t.Fatalf("renumbered: id %d, %v", ms[0].ID, err)
		}
		if err := im.Finish(ctx); err != nil {
			t.Fatal(err)
		}
		if m := post(t, s, 1, "after renumbering"); m.ID != ms[0].ID+1 {
			t.Errorf("post after renumbering: id %d, want %d", m.ID, ms[0].ID+1)
		}
	})
}
