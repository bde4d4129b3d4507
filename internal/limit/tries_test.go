package limit

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func newTestTries(n int, period time.Duration) (*Tries, *fakeClock) {
	c := &fakeClock{t: time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)}
	t := NewTries(n, period)
	t.now = c.now
	return t, c
}

func TestTries(t *testing.T) {
	// 3 per minute: one try every 20 s, bursts of 3.
	tr, c := newTestTries(3, time.Minute)
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
		{0, "give", true, 0},                 // a right password gives its try back
		{0, "take", true, 0},
		{5 * time.Second, "take", false, 15 * time.Second},
		{15 * time.Second, "take", true, 0},
		{time.Hour, "give", true, 0}, // never above the burst
		{0, "take", true, 0},
		{0, "take", true, 0},
		{0, "take", true, 0},
		{0, "take", false, 20 * time.Second},
	}
	for i, st := range steps {
		c.advance(st.advance)
		if st.op == "give" {
			tr.Give("a")
			continue
		}
		ok, retry := tr.Take("a")
		if ok != st.ok || retry != st.retry {
			t.Errorf("step %d: Take = %v, %v; want %v, %v", i, ok, retry, st.ok, st.retry)
		}
	}
	if ok, _ := tr.Take("b"); !ok {
		t.Error("another key shares the bucket")
	}
}

func TestTriesOffAndSweep(t *testing.T) {
	for _, off := range []*Tries{nil, NewTries(0, time.Minute), NewTries(3, 0)} {
		for range 10 {
			if ok, _ := off.Take("a"); !ok {
				t.Fatalf("%+v refused a try", off)
			}
		}
		off.Give("a")
	}
	tr, c := newTestTries(2, time.Minute)
	for i := range 1023 {
		tr.Take(fmt.Sprint(i))
	}
	c.advance(time.Minute)
	tr.Take("x") // the 1024th call sweeps the buckets full again
	if len(tr.buckets) != 1 {
		t.Errorf("%d buckets after the sweep, want 1", len(tr.buckets))
	}
}

// TestTriesConcurrent: of many tries at once, exactly the burst passes.
func TestTriesConcurrent(t *testing.T) {
	tr, _ := newTestTries(10, time.Hour)
	var mu sync.Mutex
	passed := 0
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if ok, _ := tr.Take("k"); ok {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if passed != 10 {
		t.Errorf("%d tries passed, want 10", passed)
	}
}
