// Package storetest opens throw-away stores for tests: always an SQLite
// file in a temporary directory, and a PostgreSQL schema of its own when
// TRIBUNE_TEST_POSTGRES holds a connection URL. Every test that touches the
// database runs once per store, so both dialects pass the same suite.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/store"
)

// PostgresEnv names the variable holding the PostgreSQL URL for tests.
const PostgresEnv = "TRIBUNE_TEST_POSTGRES"

// Backend is one database to run a test on.
type Backend struct {
	Name string
	// DSN opens the same database again (another process, a restart).
	DSN string
}

// Backends lists the databases available to this test run; each call gives
// fresh, empty ones.
func Backends(t testing.TB) []Backend {
	t.Helper()
	bs := []Backend{{Name: "sqlite", DSN: filepath.Join(t.TempDir(), "tribune.db")}}
	if pg := os.Getenv(PostgresEnv); pg != "" {
		bs = append(bs, Backend{Name: "postgres", DSN: PostgresSchema(t, pg)})
	}
	return bs
}

// PostgresSchema creates a schema of its own on the server behind base and
// returns a URL that uses it; the schema is dropped when the test ends.
func PostgresSchema(t testing.TB, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("postgres at %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open opens and migrates a store on b.
func Open(t testing.TB, b Backend, opt store.Options) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, b.DSN, opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Each runs fn as a subtest on every available database.
func Each(t *testing.T, opt store.Options, fn func(t *testing.T, s *store.Store)) {
	for _, b := range Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, Open(t, b, opt)) })
	}
}
