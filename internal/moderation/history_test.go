package moderation

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// clock is a fake clock the test moves by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time          { return c.now }
func (c *clock) advance(d time.Duration) { c.now = c.now.Add(d) }
func newClock() *clock                   { return &clock{now: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)} }
func (c *clock) deps(h History) Deps     { return Deps{History: h, Now: c.Now} }
func anonAt(addr string) *Submission     { return &Submission{Channel: "c", Address: addr} }
func userAt(login, addr string) *Submission {
	return &Submission{Channel: "c", Login: login, Address: addr}
}

// post rates s with m at the clock's time, then records it as the caller
// would, whatever the decision.
func post(t *testing.T, m Moderator, h *MemoryHistory, c *clock, s *Submission) Output {
	t.Helper()
	out, err := m.Rate(context.Background(), s)
	if err != nil {
		t.Fatalf("%s failed: %v", m.Spec(), err)
	}
	h.Record(s.Channel, s.Identity(), s.Content, c.Now())
	return out
}

func TestFlood(t *testing.T) {
	type step struct {
		after time.Duration // clock advance before this post
		s     *Submission
		want  Output
	}
	tests := []struct {
		name  string
		spec  string
		steps []step
	}{
		{"third post within the window is refused", "flood:2/10s", []step{
			{0, anonAt("192.0.2.1"), Neutral()},
			{time.Second, anonAt("192.0.2.1"), Neutral()},
			{time.Second, anonAt("192.0.2.1"), Reject()},
			// Refused posts count too: still two or more in the last 10 s.
			{5 * time.Second, anonAt("192.0.2.1"), Reject()},
		}},
		{"the window slides", "flood:2/10s", []step{
			{0, anonAt("192.0.2.1"), Neutral()},
			{time.Second, anonAt("192.0.2.1"), Neutral()},
			{9 * time.Second, anonAt("192.0.2.1"), Reject()}, // first post exactly 10 s ago: still inside
			{time.Nanosecond, anonAt("192.0.2.1"), Reject()}, // 2nd and 3rd still inside
			{11 * time.Second, anonAt("192.0.2.1"), Neutral()},
		}},
		{"identities are counted apart", "flood:1/1m", []step{
			{0, anonAt("192.0.2.1"), Neutral()},
			{0, anonAt("192.0.2.2"), Neutral()},
			{0, userAt("alice", "192.0.2.1"), Neutral()},
			{0, userAt("bob", "192.0.2.1"), Neutral()},
			{0, userAt("alice", "198.51.100.7"), Reject()}, // same login, other address
			{0, anonAt("192.0.2.2"), Reject()},
		}},
		{"a login is not an address", "flood:1/1m", []step{
			{0, anonAt("alice"), Neutral()},
			{0, userAt("alice", ""), Neutral()},
		}},
		{"channels are counted apart", "flood:1/1m", []step{
			{0, &Submission{Channel: "a", Address: "192.0.2.1"}, Neutral()},
			{0, &Submission{Channel: "b", Address: "192.0.2.1"}, Neutral()},
			{0, &Submission{Channel: "a", Address: "192.0.2.1"}, Reject()},
		}},
		{"zero allows nothing", "flood:0/1m", []step{
			{0, anonAt("192.0.2.1"), Reject()},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, h := newClock(), NewMemoryHistory(0)
			m, err := ParseSpec(tt.spec, c.deps(h))
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range tt.steps {
				c.advance(st.after)
				if got := post(t, m, h, c, st.s); got != st.want {
					t.Errorf("step %d (%+v): Rate = %v, want %v", i, *st.s, got, st.want)
				}
			}
		})
	}
}

// TestFloodSubmissionTime checks that a submission's own time, when set,
// ends the window rather than the clock.
func TestFloodSubmissionTime(t *testing.T) {
	c, h := newClock(), NewMemoryHistory(0)
	m, err := ParseSpec("flood:1/10s", c.deps(h))
	if err != nil {
		t.Fatal(err)
	}
	h.Record("c", Identity{Address: "192.0.2.1"}, "x", c.Now())
	s := anonAt("192.0.2.1")
	s.Time = c.Now().Add(time.Minute)
	if got, err := m.Rate(context.Background(), s); got != Neutral() || err != nil {
		t.Errorf("a minute later by the submission's time: Rate = %v, %v; want neutral", got, err)
	}
}

func TestDuplicate(t *testing.T) {
	type step struct {
		after time.Duration
		s     Submission
		want  Output
	}
	alice := func(text string) Submission {
		return Submission{Channel: "c", Login: "alice", Address: "192.0.2.1", Content: text}
	}
	anon := func(text string) Submission { return Submission{Channel: "c", Address: "192.0.2.1", Content: text} }
	tests := []struct {
		name  string
		steps []step
	}{
		{"same text twice", []step{
			{0, alice("hello"), Neutral()},
			{time.Second, alice("hello"), Reject()},
		}},
		{"other text", []step{
			{0, alice("hello"), Neutral()},
			{time.Second, alice("hello!"), Neutral()},
			{time.Second, alice("Hello"), Neutral()}, // exactly the same text only
		}},
		{"after the window", []step{
			{0, alice("hello"), Neutral()},
			{time.Minute + time.Nanosecond, alice("hello"), Neutral()},
		}},
		{"other identity", []step{
			{0, alice("hello"), Neutral()},
			{0, anon("hello"), Neutral()}, // same address, but alice is counted by login
			{0, anon("hello"), Reject()},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, h := newClock(), NewMemoryHistory(0)
			m, err := ParseSpec("duplicate:1m", c.deps(h))
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range tt.steps {
				c.advance(st.after)
				if got := post(t, m, h, c, &st.s); got != st.want {
					t.Errorf("step %d (%q): Rate = %v, want %v", i, st.s.Content, got, st.want)
				}
			}
		})
	}
}

// brokenHistory fails every question.
type brokenHistory struct{}

var errBroken = errors.New("database is locked")

func (brokenHistory) CountSince(context.Context, string, Identity, time.Time) (int, error) {
	return 0, errBroken
}

func (brokenHistory) SameTextSince(context.Context, string, Identity, string, time.Time) (bool, error) {
	return false, errBroken
}

func TestHistoryErrorIsNeutral(t *testing.T) {
	for _, spec := range []string{"flood:0/1m", "duplicate:1m"} {
		t.Run(spec, func(t *testing.T) {
			var logs syncBuffer
			deps := Deps{History: brokenHistory{}, Logger: testLogger(&logs)}
			g, err := Policy{Mode: ModeAuto, Chain: []string{spec}}.Compile(deps, FallbackAccept)
			if err != nil {
				t.Fatal(err)
			}
			d, results := g.Judge(context.Background(), anonAt("192.0.2.1"))
			if d.Verdict != Accepted {
				t.Errorf("Judge = %+v, want the fallback's acceptance", d)
			}
			want := []Result{{Spec: spec, Failure: FailureError, Detail: "history: database is locked"}}
			if !slices.Equal(results, want) {
				t.Errorf("results %+v, want %+v", results, want)
			}
			checkWarning(t, logs.String(), spec, "database is locked")
		})
	}
}

func TestMemoryHistoryRetentionAndPrune(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	alice, bob := Identity{Login: "alice"}, Identity{Address: "192.0.2.9"}

	h := NewMemoryHistory(time.Minute)
	h.Record("c", alice, "a", t0)
	h.Record("c", alice, "b", t0.Add(30*time.Second))
	h.Record("c", bob, "x", t0)
	// Recording two minutes later drops alice's older entries, not bob's.
	h.Record("c", alice, "c", t0.Add(2*time.Minute))
	if n, _ := h.CountSince(ctx, "c", alice, time.Time{}); n != 1 {
		t.Errorf("alice after retention: %d entries, want 1", n)
	}
	if n, _ := h.CountSince(ctx, "c", bob, time.Time{}); n != 1 {
		t.Errorf("bob untouched: %d entries, want 1", n)
	}
	if same, _ := h.SameTextSince(ctx, "c", alice, "a", time.Time{}); same {
		t.Error("alice's dropped text is still found")
	}

	h.Prune(t0.Add(time.Minute))
	if n, _ := h.CountSince(ctx, "c", bob, time.Time{}); n != 0 {
		t.Errorf("bob after Prune: %d entries, want 0", n)
	}
	if len(h.subs) != 1 {
		t.Errorf("Prune left %d keys, want 1", len(h.subs))
	}

	var zero MemoryHistory // the zero value works and keeps everything
	zero.Record("c", alice, "a", t0)
	zero.Record("c", alice, "a", t0.Add(24*time.Hour))
	if n, _ := zero.CountSince(ctx, "c", alice, t0); n != 2 {
		t.Errorf("zero MemoryHistory: %d entries, want 2", n)
	}
}

func TestMemoryHistoryConcurrent(t *testing.T) {
	c, h := newClock(), NewMemoryHistory(time.Hour)
	m, err := ParseSpec("flood:1000/1h", c.deps(h))
	if err != nil {
		t.Fatal(err)
	}
	at := c.Now()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				s := anonAt("192.0.2.1")
				s.Time = at
				if _, err := m.Rate(context.Background(), s); err != nil {
					t.Error(err)
				}
				h.Record("c", s.Identity(), "x", at)
				if i == 0 {
					h.Prune(at.Add(-time.Hour))
				}
			}
		})
	}
	wg.Wait()
	if n, _ := h.CountSince(context.Background(), "c", Identity{Address: "192.0.2.1"}, at); n != 400 {
		t.Errorf("%d entries, want 400", n)
	}
}
