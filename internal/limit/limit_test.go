package limit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fakeClock is the limiter's injected clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTest(n int, period time.Duration) (*Keyed, *fakeClock) {
	c := &fakeClock{t: time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)}
	k := New(n, period)
	k.now = c.now
	return k, c
}

func TestAllow(t *testing.T) {
	// 3 per minute: one token every 20 s, bursts of 3.
	k, c := newTest(3, time.Minute)
	steps := []struct {
		advance time.Duration
		ok      bool
		retry   time.Duration
	}{
		{0, true, 0},
		{0, true, 0},
		{0, true, 0},
		{0, false, 20 * time.Second},
		{0, false, 20 * time.Second}, // a refusal takes nothing
		{5 * time.Second, false, 15 * time.Second},
		{14 * time.Second, false, time.Second},
		{time.Second, true, 0},
		{0, false, 20 * time.Second},
		{time.Hour, true, 0}, // refilled, but only up to the burst
		{0, true, 0},
		{0, true, 0},
		{0, false, 20 * time.Second},
	}
	for i, st := range steps {
		c.advance(st.advance)
		ok, retry := k.Allow("a")
		if ok != st.ok || retry != st.retry {
			t.Errorf("step %d: Allow = %v, %v; want %v, %v", i, ok, retry, st.ok, st.retry)
		}
	}
}

// TestRetryAfterIsEnough checks, for rates that do not divide evenly, that
// waiting retryAfter is enough and that it is not noticeably more than
// needed (float rounding may add a nanosecond).
func TestRetryAfterIsEnough(t *testing.T) {
	for _, n := range []int{3, 7, 9, 11, 30} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			k, c := newTest(n, 10*time.Second)
			for range n {
				k.Allow("a")
			}
			_, retry := k.Allow("a")
			every := 10 * time.Second / time.Duration(n)
			if retry < every-time.Microsecond || retry > every+time.Microsecond {
				t.Errorf("retryAfter = %v, want about %v", retry, every)
			}
			c.advance(retry - time.Microsecond)
			if ok, _ := k.Allow("a"); ok {
				t.Error("allowed before retryAfter")
			}
			c.advance(time.Microsecond)
			if ok, _ := k.Allow("a"); !ok {
				t.Error("not allowed after waiting retryAfter")
			}
		})
	}
}

func TestWaitDoesNotConsume(t *testing.T) {
	k, c := newTest(2, time.Minute)
	if w := k.Wait("a"); w != 0 {
		t.Errorf("Wait on an unknown key = %v", w)
	}
	for range 10 {
		if w := k.Wait("a"); w != 0 {
			t.Fatalf("Wait on a full bucket = %v", w)
		}
	}
	// Waiting took nothing: the whole burst is still there.
	for i := range 2 {
		if ok, _ := k.Allow("a"); !ok {
			t.Fatalf("Allow %d refused after Waits", i)
		}
	}
	if w := k.Wait("a"); w != 30*time.Second {
		t.Errorf("Wait on an empty bucket = %v, want 30s", w)
	}
	c.advance(10 * time.Second)
	first := k.Wait("a")
	if first < 20*time.Second || first > 20*time.Second+time.Microsecond {
		t.Fatalf("Wait = %v, want 20s", first)
	}
	for range 5 {
		if w := k.Wait("a"); w != first {
			t.Fatalf("Wait = %v, then %v", first, w)
		}
	}
	c.advance(first)
	if w := k.Wait("a"); w != 0 {
		t.Errorf("Wait after refilling one token = %v", w)
	}
	if ok, _ := k.Allow("a"); !ok {
		t.Error("Allow refused after Wait said 0")
	}
}

func TestTakeGoesIntoDebt(t *testing.T) {
	k, c := newTest(3, time.Minute)
	for i := range 3 {
		k.Take("a")
		want := time.Duration(0)
		if i == 2 {
			want = 20 * time.Second
		}
		if w := k.Wait("a"); w != want {
			t.Errorf("Wait after %d Takes = %v, want %v", i+1, w, want)
		}
	}
	// Two more: two tokens of debt, so three tokens to wait for.
	k.Take("a")
	k.Take("a")
	if w := k.Wait("a"); w != time.Minute {
		t.Errorf("Wait in debt = %v, want 1m", w)
	}
	if ok, retry := k.Allow("a"); ok || retry != time.Minute {
		t.Errorf("Allow in debt = %v, %v", ok, retry)
	}
	c.advance(40 * time.Second)
	if ok, retry := k.Allow("a"); ok || retry != 20*time.Second {
		t.Errorf("Allow after repaying two tokens = %v, %v", ok, retry)
	}
	c.advance(20 * time.Second)
	if ok, _ := k.Allow("a"); !ok {
		t.Error("Allow refused once the debt is repaid")
	}
}

func TestKeysAreIndependent(t *testing.T) {
	k, _ := newTest(1, time.Minute)
	if ok, _ := k.Allow("a"); !ok {
		t.Fatal("first a refused")
	}
	if ok, _ := k.Allow("a"); ok {
		t.Fatal("second a allowed")
	}
	if ok, _ := k.Allow("b"); !ok {
		t.Error("b refused because of a")
	}
	k.Take("c")
	k.Take("c")
	if w := k.Wait("a"); w != time.Minute {
		t.Errorf("a waits %v after c's debt", w)
	}
	if w := k.Wait("d"); w != 0 {
		t.Errorf("unknown d waits %v", w)
	}
}

func TestOff(t *testing.T) {
	var nilKeyed *Keyed
	tests := []struct {
		name string
		k    *Keyed
		off  bool
	}{
		{"nil", nilKeyed, true},
		{"zero", New(0, time.Minute), true},
		{"negative", New(-1, time.Minute), true},
		{"zero period", New(5, 0), true},
		{"on", New(1, time.Minute), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.k.Off(); got != tc.off {
				t.Fatalf("Off() = %v, want %v", got, tc.off)
			}
			if !tc.off {
				return
			}
			for i := range 100 {
				tc.k.Take("a")
				if ok, retry := tc.k.Allow("a"); !ok || retry != 0 {
					t.Fatalf("Allow %d on a disabled limiter = %v, %v", i, ok, retry)
				}
				if w := tc.k.Wait("a"); w != 0 {
					t.Fatalf("Wait on a disabled limiter = %v", w)
				}
			}
		})
	}
}

func TestIdleKeysAreSwept(t *testing.T) {
	k, c := newTest(2, time.Minute)
	k.Allow("idle")
	k.Allow("recent")
	c.advance(time.Minute + time.Second)
	k.Allow("recent")
	// The sweep runs every 1024 calls that touch a bucket.
	for range 1024 {
		k.Allow("busy")
	}
	k.mu.Lock()
	_, idle := k.buckets["idle"]
	_, recent := k.buckets["recent"]
	_, busy := k.buckets["busy"]
	k.mu.Unlock()
	if idle {
		t.Error("the idle key was not swept")
	}
	if !recent || !busy {
		t.Errorf("active keys swept: recent %v, busy %v", recent, busy)
	}
	// A swept key starts again with a full bucket.
	for i := range 2 {
		if ok, _ := k.Allow("idle"); !ok {
			t.Errorf("swept key refused at %d", i)
		}
	}
}

// TestDebtSurvivesTheSweep checks that a key in debt is not forgotten
// before it is full again, which would wipe the debt.
func TestDebtSurvivesTheSweep(t *testing.T) {
	k, c := newTest(2, time.Minute)
	for range 6 {
		k.Take("debtor") // four tokens of debt: three minutes to full
	}
	c.advance(time.Minute + time.Second)
	for range 1024 {
		k.Allow("busy")
	}
	if w := k.Wait("debtor"); w == 0 {
		t.Fatal("the sweep forgot a key still in debt")
	}
	if ok, _ := k.Allow("debtor"); ok {
		t.Error("a key still in debt was allowed")
	}
	// Once it would be full again, it is swept.
	c.advance(3 * time.Minute)
	for range 1024 {
		k.Allow("busy")
	}
	k.mu.Lock()
	_, debtor := k.buckets["debtor"]
	k.mu.Unlock()
	if debtor {
		t.Error("a full idle key was not swept")
	}
}

func TestConcurrentUse(t *testing.T) {
	k, _ := newTest(100, time.Hour) // the clock stands still: nothing refills
	var wg sync.WaitGroup
	allowed := make([]int, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				if ok, _ := k.Allow("shared"); ok {
					allowed[g]++
				}
				k.Wait(fmt.Sprint(i))
				k.Take(fmt.Sprint("t", g))
			}
		})
	}
	wg.Wait()
	total := 0
	for _, n := range allowed {
		total += n
	}
	if total != 100 {
		t.Errorf("%d of 400 concurrent calls allowed, want the burst of 100", total)
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
