package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
)

// The writer prepares its statements once the schema is there, and posts
// run through them: a query that stops preparing (a column renamed, say)
// would otherwise turn the cache off without a word.
func TestSQLiteWriterPreparesItsStatements(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
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
	// Post returned after the writer set its statements.
	for _, q := range sqlitePrepared {
		if s.writer.stmts[q] == nil {
			t.Errorf("not prepared: %.40s", q)
		}
	}
	var urls int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM urls`).Scan(&urls); err != nil || urls != 1 {
		t.Errorf("urls: %d, %v", urls, err)
	}
}
