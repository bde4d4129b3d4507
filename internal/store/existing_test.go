package store_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// Existing opens no database that is not there, and creates nothing.
func TestExistingCreatesNothing(t *testing.T) {
	dir := t.TempDir()
	o := opts()
	o.Existing = true
	for _, path := range []string{filepath.Join(dir, "tribune.db"), filepath.Join(dir, "a", "b", "tribune.db")} {
		if _, err := store.Open(ctx, path, o); !errors.Is(err, store.ErrNoDatabase) || !strings.Contains(err.Error(), path) {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("left behind: %v", left)
	}
}

// Reading the schema's version of a database without a tribune leaves it
// without one: no table is created.
func TestSchemaVersionCreatesNothing(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, err := store.Open(ctx, b.DSN, opts())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for range 2 {
				if current, _, err := s.SchemaVersion(ctx); err != nil || current != 0 {
					t.Fatalf("version %d, %v", current, err)
				}
			}
			q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'`
			if s.Postgres() {
				q = `SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()`
			}
			var n int
			if err := s.QueryRowForTest(q).Scan(&n); err != nil || n != 0 {
				t.Fatalf("%d tables, %v", n, err)
			}
		})
	}
}
