package board

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// The log-in limiter in memory (SQLite) and shared through the database
// (PostgreSQL): the same rules, tries given back the same way.
func TestLoginLimiter(t *testing.T) {
	cfg := config.Default()
	cfg.LoginRateLimit = config.Rate{N: 2, Period: time.Hour}
	cfg.LoginAddressRateLimit = config.Rate{N: 3, Period: time.Hour}
	cfg.LoginAccountRateLimit = config.Rate{N: 4, Period: time.Hour}
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			st := storetest.Open(t, be, store.Options{})
			l := newLoginLimiter(&cfg, func(name string, r config.Rate) limit.Limiter { return newLimit(st, name, r) })
			if _, shared := l.pair.(*limit.Shared); shared != st.Postgres() {
				t.Fatalf("on %s, the limits are %T", be.Name, l.pair)
			}
			take := func(name, addr string) (func(), time.Duration) {
				t.Helper()
				giveBack, wait, err := l.take(t.Context(), name, addr)
				if err != nil {
					t.Fatal(err)
				}
				return giveBack, wait
			}
			steps := []struct {
				name, addr string
				ok         bool
			}{
				{"bob", "a", true},
				{"bob", "a", true},
				{"bob", "a", false}, // the pair's 2
				{"eve", "a", true},
				{"joe", "a", false}, // the address's 3
				{"bob", "b", true},
				{"bob", "c", true},  // bob's 4 from unknown addresses
				{"bob", "d", false}, // the account's guard
			}
			for i, st := range steps {
				if _, wait := take(st.name, st.addr); (wait == 0) != st.ok {
					t.Fatalf("step %d: take(%s, %s) wait %s, want ok=%v", i, st.name, st.addr, wait, st.ok)
				}
			}
			// A known address is spared the account's guard, not the others.
			l.known.add("bob", "home")
			if _, wait := take("bob", "home"); wait != 0 {
				t.Fatalf("bob from home: wait %s", wait)
			}
			// A refusal takes nothing; a try given back is available again.
			giveBack, _ := take("bob", "home")
			giveBack()
			if _, wait := take("bob", "home"); wait != 0 {
				t.Fatalf("a try given back: wait %s", wait)
			}
			if _, wait := take("bob", "home"); wait < 29*time.Minute || wait > 30*time.Minute {
				t.Fatalf("a third try from home: wait %s, want 30m (2 an hour)", wait)
			}
		})
	}
}

func TestKnownAddresses(t *testing.T) {
	k := newKnownAddresses()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	k.now = func() time.Time { return now }
	for i := range knownPerAccount + 1 {
		k.add("bob", fmt.Sprint(i))
		now = now.Add(time.Minute)
	}
	if k.has("bob", "0") || !k.has("bob", "1") || !k.has("bob", fmt.Sprint(knownPerAccount)) {
		t.Error("the oldest address is not the one forgotten")
	}
	if k.has("eve", "1") {
		t.Error("another account knows bob's addresses")
	}
	now = now.Add(knownFor)
	if k.has("bob", fmt.Sprint(knownPerAccount)) {
		t.Error("an address known for ever")
	}
}

func TestCheckGate(t *testing.T) {
	g := newCheckGate(2, 64) // 2 run, 4 wait, 2 places per key
	g.wait = 50 * time.Millisecond
	ctx := context.Background()
	var leaves []func()
	enter := func(keys ...string) error {
		leave, err := g.enter(ctx, keys...)
		if err == nil {
			leaves = append(leaves, leave)
		}
		return err
	}
	if enter("u:bob", "a:1") != nil || enter("u:bob", "a:2") != nil {
		t.Fatal("two checks refused")
	}
	var busy *BusyError
	if err := enter("u:bob", "a:3"); !errors.As(err, &busy) || busy.Wait != time.Second {
		t.Fatalf("a third place for bob: %v", err)
	}
	// Another account waits for a slot, and gets it when one is left.
	var wg sync.WaitGroup
	wg.Go(func() {
		leave, err := g.enter(ctx, "u:alice", "a:9")
		if err != nil {
			t.Errorf("alice: %v", err)
			return
		}
		leave()
	})
	time.Sleep(10 * time.Millisecond)
	leaves[0]()
	wg.Wait()
	// Waiting too long is busy too.
	if err := enter("u:carol", "a:8"); err != nil {
		t.Fatal(err)
	}
	if err := enter("u:dave", "a:7"); !errors.As(err, &busy) {
		t.Fatalf("no slot for 50 ms: %v", err)
	}
	// A cancelled wait leaves its place.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.enter(cctx, "u:erin", "a:6"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	for _, leave := range leaves[1:] {
		leave()
	}
	if g.in != 0 || len(g.keys) != 0 || g.running != 0 {
		t.Fatalf("places left: %d %v %d", g.in, g.keys, g.running)
	}
	if done, peak := g.stats(); done != 4 || peak != 2 {
		t.Fatalf("stats %d %d", done, peak)
	}
}

func TestCheckGateQueue(t *testing.T) {
	g := newCheckGate(1, 64) // 1 runs, 2 wait
	hold, err := g.enter(context.Background(), "u:a", "a:a")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, k := range []string{"b", "c"} {
		wg.Go(func() {
			leave, err := g.enter(context.Background(), "u:"+k, "a:"+k)
			if err == nil {
				leave()
			}
		})
	}
	for {
		g.mu.Lock()
		in := g.in
		g.mu.Unlock()
		if in == 3 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	var busy *BusyError
	if _, err := g.enter(context.Background(), "u:d", "a:d"); !errors.As(err, &busy) {
		t.Fatalf("a fourth place: %v", err)
	}
	hold()
	wg.Wait()
}

func TestCredCache(t *testing.T) {
	c := newCredCache(time.Minute)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return now }
	c.put("bob", "pw", 7, "hash")
	if id, hash, ok := c.get("bob", "pw"); !ok || id != 7 || hash != "hash" {
		t.Fatalf("get: %d %q %v", id, hash, ok)
	}
	for _, k := range [][2]string{{"bob", "pw2"}, {"bobp", "w"}, {"eve", "pw"}} {
		if _, _, ok := c.get(k[0], k[1]); ok {
			t.Errorf("%q %q found", k[0], k[1])
		}
	}
	now = now.Add(time.Minute)
	if _, _, ok := c.get("bob", "pw"); ok {
		t.Error("an entry outlived its time")
	}
	c.put("bob", "pw", 7, "hash")
	c.forget("bob", "pw")
	if _, _, ok := c.get("bob", "pw"); ok {
		t.Error("forget")
	}
	if a, b := c.sum("bob", "pw"), newCredCache(time.Minute).sum("bob", "pw"); a == b {
		t.Error("two processes share the key")
	}
	off := newCredCache(0)
	off.put("bob", "pw", 7, "hash")
	if _, _, ok := off.get("bob", "pw"); ok {
		t.Error("a cache turned off remembers")
	}
}
