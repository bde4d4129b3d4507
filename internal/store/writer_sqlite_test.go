package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
)

// The writer prepares its statements once the schema is there, and posts
// run through them: a query that stops preparing (a column renamed, say)
// would otherwise turn the cache off without a word.
func TestSQLiteWriterPreparesItsStatements(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	ch, err := s.Channel(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		res, err := s.Post(ctx, Post{Message: model.Message{ChannelID: ch.ID, Info: "ua", Raw: "x", Web: "x", Remote: "x"},
			URLs: []string{"http://example.com/"}})
		if err != nil || res.Message.ID != int64(i+1) || res.Message.ClockIndex == 0 {
			t.Fatalf("post %d: %+v, %v", i, res.Message, err)
		}
	}
	// Post returned after the writer prepared the statements of the
	// batches before.
	for _, q := range []string{sqliteLastIDQuery, lastMessageQuery,
		insertValues("INSERT INTO messages ("+insertColumns+") VALUES ", 16, 1, "", 0)} {
		if s.writer.stmts.stmts[q] == nil {
			t.Errorf("not prepared: %.60s", q)
		}
	}
	var urls int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM urls`).Scan(&urls); err != nil || urls != 1 {
		t.Errorf("urls: %d, %v", urls, err)
	}
}

// Posts inserted together take their ids from AUTOINCREMENT's counter:
// the ids of messages deleted with their channel are never given again
// (a client that saw them would skip the new ones).
func TestSQLiteBatchIDsNeverReused(t *testing.T) {
	ctx := context.Background()
	s := openSQLite(t)
	post := func(ch int64) int64 {
		t.Helper()
		res, err := s.Post(ctx, Post{Message: model.Message{ChannelID: ch, Info: "ua", Raw: "x", Web: "x", Remote: "x"}})
		if err != nil {
			t.Fatal(err)
		}
		return res.Message.ID
	}
	def, err := s.Channel(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.CreateChannel(ctx, "gone", "Gone")
	if err != nil {
		t.Fatal(err)
	}
	post(def.ID)
	post(gone.ID)
	last := post(gone.ID)
	if err := s.DeleteChannel(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if id := post(def.ID); id != last+1 {
		t.Fatalf("after %d deleted with its channel, a post got id %d", last, id)
	}
}

func openSQLite(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// recorder is an execer that keeps the statements it is given.
type recorder struct {
	execer
	stmts [][]any
}

func (r *recorder) ExecContext(_ context.Context, q string, args ...any) (sql.Result, error) {
	r.stmts = append(r.stmts, append([]any{strings.Count(q, "(?")}, args...))
	return nil, nil
}

// On SQLite, many rows go in several statements, none over the
// placeholders asked for, every value once and in order.
func TestInsertEachSplitsRows(t *testing.T) {
	rec := &recorder{}
	b := &batch{s: &Store{dialect: sqlite}, tx: rec}
	var values []any
	for i := range 130 * 16 {
		values = append(values, i)
	}
	if err := b.insertEach(context.Background(), "INSERT INTO messages VALUES ", "", 16, values, 1024); err != nil {
		t.Fatal(err)
	}
	var rowsPer []int
	next := 0
	for _, st := range rec.stmts {
		rowsPer = append(rowsPer, st[0].(int))
		for _, v := range st[1:] {
			if v != next {
				t.Fatalf("value %v where %d was due", v, next)
			}
			next++
		}
	}
	if !slices.Equal(rowsPer, []int{64, 64, 2}) || next != len(values) {
		t.Fatalf("rows per statement %v, %d values of %d", rowsPer, next, len(values))
	}
}
