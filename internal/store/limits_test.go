package store_test

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// twoProcesses opens two stores on one new PostgreSQL schema, as two
// server processes would.
func twoProcesses(t *testing.T) (*store.Store, *store.Store) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("shared rate limits need PostgreSQL: set " + storetest.PostgresEnv)
	}
	b := storetest.Backend{Name: "postgres", DSN: storetest.PostgresSchema(t, pg)}
	return storetest.Open(t, b, opts()), storetest.Open(t, b, opts())
}

// Of many takes at once from two processes, exactly the burst passes.
func TestTokensAreTakenAtomically(t *testing.T) {
	a, b := twoProcesses(t)
	const n, tries = 20, 60
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	for i := range tries {
		s := []*store.Store{a, b}[i%2]
		wg.Go(func() {
			ok, wait, err := s.TakeToken(ctx, "posts", "ip:192.0.2.1", n, time.Hour)
			if err != nil {
				t.Error(err)
				return
			}
			if !ok && (wait <= 2*time.Minute || wait > 3*time.Minute) {
				t.Errorf("refused with wait %s, want about 3m (an hour / 20)", wait)
			}
			if ok {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if passed != n {
		t.Fatalf("%d of %d takes passed, want %d", passed, tries, n)
	}
}

func TestRateLimitTokens(t *testing.T) {
	a, b := twoProcesses(t)
	take := func(s *store.Store, limit, key string, n int, period time.Duration) (bool, time.Duration) {
		t.Helper()
		ok, wait, err := s.TakeToken(ctx, limit, key, n, period)
		if err != nil {
			t.Fatal(err)
		}
		return ok, wait
	}

	// Keys, and limits, are apart; any bytes make a key, and long keys
	// that differ only at the end are two keys.
	long := strings.Repeat("x", 500)
	keys := []string{"ip:192.0.2.1", "ip:192.0.2.2", "bob\x00192.0.2.1", "\xff\xfe", long + "1", long + "2"}
	for _, limit := range []string{"posts", "commands"} {
		for _, k := range keys {
			if ok, _ := take(a, limit, k, 1, time.Hour); !ok {
				t.Fatalf("%s %q: first take refused", limit, k)
			}
			if ok, wait := take(b, limit, k, 1, time.Hour); ok || wait < 59*time.Minute || wait > time.Hour {
				t.Fatalf("%s %q: second take %v, wait %s", limit, k, ok, wait)
			}
		}
	}

	// A token given back can be taken again, on another process; a bucket
	// is never above its burst.
	if err := a.GiveToken(ctx, "posts", "ip:192.0.2.1", 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	if ok, _ := take(b, "posts", "ip:192.0.2.1", 1, time.Hour); !ok {
		t.Fatal("the token given back was not there")
	}
	for range 5 {
		if err := b.GiveToken(ctx, "logins", "eve", 2, time.Hour); err != nil { // no bucket yet
			t.Fatal(err)
		}
	}
	take(a, "logins", "eve", 2, time.Hour)
	for range 5 {
		a.GiveToken(ctx, "logins", "eve", 2, time.Hour)
	}
	take(a, "logins", "eve", 2, time.Hour)
	take(a, "logins", "eve", 2, time.Hour)
	if ok, _ := take(a, "logins", "eve", 2, time.Hour); ok {
		t.Fatal("a bucket went above its burst of 2")
	}

	// The bucket fills again with time, one token per period/n.
	if ok, _ := take(a, "fast", "k", 2, 600*time.Millisecond); !ok {
		t.Fatal("fast 1")
	}
	take(b, "fast", "k", 2, 600*time.Millisecond)
	ok, wait := take(a, "fast", "k", 2, 600*time.Millisecond)
	if ok || wait <= 0 || wait > 300*time.Millisecond {
		t.Fatalf("fast 3: %v, wait %s", ok, wait)
	}
	time.Sleep(wait)
	if ok, _ := take(b, "fast", "k", 2, 600*time.Millisecond); !ok {
		t.Fatalf("refused after waiting %s", wait)
	}

	// Purging forgets the buckets full again, only them.
	time.Sleep(600 * time.Millisecond) // "fast" is full again
	n, err := a.PurgeTokens(ctx)
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want the one full bucket", n, err)
	}
	if ok, _ := take(b, "posts", "ip:192.0.2.2", 1, time.Hour); ok {
		t.Fatal("the purge forgot a bucket still empty")
	}
}

// On SQLite one process keeps its limits in memory: the store has none.
func TestNoSharedTokensOnSQLite(t *testing.T) {
	s := storetest.Open(t, storetest.Backends(t)[0], opts())
	if _, _, err := s.TakeToken(ctx, "posts", "k", 1, time.Hour); err == nil {
		t.Error("TakeToken on SQLite")
	}
	if err := s.GiveToken(ctx, "posts", "k", 1, time.Hour); err == nil {
		t.Error("GiveToken on SQLite")
	}
	if n, err := s.PurgeTokens(ctx); n != 0 || err != nil {
		t.Errorf("PurgeTokens on SQLite: %d, %v", n, err)
	}
}
