package limit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

// fakeClock is the limiter's injected clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTest(n int, period time.Duration) (*Memory, *fakeClock) {
	c := &fakeClock{t: time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)}
	m := New(n, period)
	m.now = c.now
	return m, c
}

func take(m Limiter, key string) (bool, time.Duration) {
	ok, wait, err := m.Take(ctx, key)
	if err != nil {
		panic(err)
	}
	return ok, wait
}

func TestTakeAndGive(t *testing.T) {
	// 3 per minute: one token every 20 s, bursts of 3.
	m, c := newTest(3, time.Minute)
	steps := []struct {
		advance time.Duration
		op      string // take or give
		ok      bool
		retry   time.Duration
	}{
		{0, "take", true, 0},
		{0, "take", true, 0},
		{0, "take", true, 0},
		{0, "take", false, 20 * time.Second},
		{0, "take", false, 20 * time.Second}, // a refusal takes nothing
		{5 * time.Second, "take", false, 15 * time.Second},
		{14 * time.Second, "take", false, time.Second},
		{time.Second, "take", true, 0},
		{0, "take", false, 20 * time.Second},
		{0, "give", true, 0}, // a right password gives its token back
		{0, "take", true, 0},
		{time.Hour, "give", true, 0}, // refilled, but never above the burst
		{0, "take", true, 0},
		{0, "take", true, 0},
		{0, "take", true, 0},
		{0, "take", false, 20 * time.Second},
	}
	for i, st := range steps {
		c.advance(st.advance)
		if st.op == "give" {
			if err := m.Give(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if ok, retry := take(m, "a"); ok != st.ok || retry != st.retry {
			t.Errorf("step %d: Take = %v, %v; want %v, %v", i, ok, retry, st.ok, st.retry)
		}
	}
}

// TestRetryAfterIsEnough checks, for rates that do not divide evenly, that
// waiting retryAfter is enough and that it is not noticeably more than
// needed (float rounding may add a nanosecond).
func TestRetryAfterIsEnough(t *testing.T) {
	for _, n := range []int{3, 7, 9, 11, 30} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			m, c := newTest(n, 10*time.Second)
			for range n {
				take(m, "a")
			}
			_, retry := take(m, "a")
			every := 10 * time.Second / time.Duration(n)
			if retry < every-time.Microsecond || retry > every+time.Microsecond {
				t.Errorf("retryAfter = %v, want about %v", retry, every)
			}
			c.advance(retry - time.Microsecond)
			if ok, _ := take(m, "a"); ok {
				t.Error("allowed before retryAfter")
			}
			c.advance(time.Microsecond)
			if ok, _ := take(m, "a"); !ok {
				t.Error("not allowed after waiting retryAfter")
			}
		})
	}
}

func TestKeysAreIndependent(t *testing.T) {
	m, _ := newTest(1, time.Minute)
	if ok, _ := take(m, "a"); !ok {
		t.Fatal("first a refused")
	}
	if ok, _ := take(m, "a"); ok {
		t.Fatal("second a allowed")
	}
	if ok, _ := take(m, "b"); !ok {
		t.Error("b refused because of a")
	}
	m.Give(ctx, "c") // an unknown key: nothing to give back to
	if ok, _ := take(m, "c"); !ok {
		t.Error("c refused")
	}
	if ok, _ := take(m, "c"); ok {
		t.Error("c got more than its burst from a Give before any Take")
	}
}

func TestOff(t *testing.T) {
	var nilMemory *Memory
	var nilShared *Shared
	tests := []struct {
		name string
		l    interface {
			Limiter
			Off() bool
		}
		off bool
	}{
		{"nil", nilMemory, true},
		{"zero", New(0, time.Minute), true},
		{"negative", New(-1, time.Minute), true},
		{"zero period", New(5, 0), true},
		{"on", New(1, time.Minute), false},
		{"shared nil", nilShared, true},
		{"shared zero", NewShared(failing{}, "x", 0, time.Minute), true},
		{"shared zero period", NewShared(failing{}, "x", 5, 0), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.l.Off(); got != tc.off {
				t.Fatalf("Off() = %v, want %v", got, tc.off)
			}
			if !tc.off {
				return
			}
			for i := range 100 {
				if ok, retry, err := tc.l.Take(ctx, "a"); !ok || retry != 0 || err != nil {
					t.Fatalf("Take %d on a disabled limiter = %v, %v, %v", i, ok, retry, err)
				}
				if err := tc.l.Give(ctx, "a"); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestFullKeysAreSwept(t *testing.T) {
	m, c := newTest(2, time.Minute)
	take(m, "idle")
	take(m, "recent")
	take(m, "recent")
	c.advance(30 * time.Second) // idle is full again, recent is not
	// The sweep runs every 1024 calls.
	for range 1021 {
		take(m, "busy")
	}
	m.mu.Lock()
	_, idle := m.full["idle"]
	_, recent := m.full["recent"]
	m.mu.Unlock()
	if idle {
		t.Error("a full key was not swept")
	}
	if !recent {
		t.Error("a key short of a token was swept")
	}
	// A swept key starts again with a full bucket.
	for i := range 2 {
		if ok, _ := take(m, "idle"); !ok {
			t.Errorf("swept key refused at %d", i)
		}
	}
}

// Of many takes at once, exactly the burst passes.
func TestConcurrentUse(t *testing.T) {
	m, _ := newTest(100, time.Hour) // the clock stands still: nothing refills
	var wg sync.WaitGroup
	allowed := make([]int, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if ok, _ := take(m, "shared"); ok {
					allowed[g]++
				}
				take(m, fmt.Sprint(i))
				m.Give(ctx, fmt.Sprint("g", g))
			}
		})
	}
	wg.Wait()
	total := 0
	for _, n := range allowed {
		total += n
	}
	if total != 100 {
		t.Errorf("%d of 400 concurrent takes allowed, want the burst of 100", total)
	}
}

// buckets is a Buckets in memory, which says what it was asked.
type buckets struct {
	tokens int
	asked  []string
}

func (b *buckets) TakeToken(_ context.Context, limit, key string, n int, period time.Duration) (bool, time.Duration, error) {
	b.asked = append(b.asked, fmt.Sprintf("take %s %s %d %s", limit, key, n, period))
	if b.tokens >= 1 {
		b.tokens--
		return true, 0, nil
	}
	return false, 15 * time.Second, nil
}

func (b *buckets) GiveToken(_ context.Context, limit, key string, n int, period time.Duration) error {
	b.asked = append(b.asked, fmt.Sprintf("give %s %s %d %s", limit, key, n, period))
	b.tokens++
	return nil
}

type failing struct{}

var errDown = errors.New("the database is down")

func (failing) TakeToken(context.Context, string, string, int, time.Duration) (bool, time.Duration, error) {
	return false, 0, errDown
}
func (failing) GiveToken(context.Context, string, string, int, time.Duration) error { return errDown }

// Shared asks its database once per Take and Give, under its name.
func TestShared(t *testing.T) {
	db := &buckets{tokens: 1}
	s := NewShared(db, "posts", 3, time.Minute)
	if ok, wait := take(s, "ip:192.0.2.1"); !ok || wait != 0 {
		t.Fatalf("first take: %v %v", ok, wait)
	}
	if ok, wait := take(s, "ip:192.0.2.1"); ok || wait != 15*time.Second {
		t.Fatalf("second take: %v %v", ok, wait)
	}
	if err := s.Give(ctx, "ip:192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	want := []string{"take posts ip:192.0.2.1 3 1m0s", "take posts ip:192.0.2.1 3 1m0s", "give posts ip:192.0.2.1 3 1m0s"}
	if fmt.Sprint(db.asked) != fmt.Sprint(want) {
		t.Errorf("asked %q, want %q", db.asked, want)
	}
	down := NewShared(failing{}, "posts", 3, time.Minute)
	if ok, _, err := down.Take(ctx, "k"); ok || !errors.Is(err, errDown) {
		t.Errorf("take on a failing database: %v, %v", ok, err)
	}
	if err := down.Give(ctx, "k"); !errors.Is(err, errDown) {
		t.Errorf("give on a failing database: %v", err)
	}
}

func TestAddressKey(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"2001:db8:1:2::ffff", "2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "2001:db8:1:3::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"not an address", "not an address"},
		{"", ""},
	} {
		if got := AddressKey(tc.in); got != tc.want {
			t.Errorf("AddressKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
