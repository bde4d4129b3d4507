package moderation

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// fixture is a moderator that always says the same thing and counts its
// calls, like the moderator functions of postman's test suite.
type fixture struct {
	name  string
	out   Output
	def   string
	calls int
}

func (f *fixture) Spec() string          { return f.name }
func (f *fixture) DefaultReason() string { return f.def }
func (f *fixture) Rate(context.Context, *Submission) (Output, error) {
	f.calls++
	return f.out, nil
}

// upstreamFixtures are postman's moderator fixtures (tests.py,
// MessageTest.test_auto_moderation), by name.
var upstreamFixtures = map[string]struct {
	out Output
	def string
}{
	"none":    {Neutral(), ""},
	"true":    {Accept(), ""},
	"false":   {Reject(), ""},
	"m0":      {Rate(0), ""},
	"m100":    {Rate(100), ""},
	"m50":     {Rate(50), ""},
	"m49d":    {Rate(49), "moderate_as_49 default_reason"},
	"m49r":    {RateWithReason(49, "moderate_as_49 with_reason"), "is not used"},
	"m1":      {RateWithReason(1, "moderate_as_1"), ""},
	"m1blank": {RateWithReason(1, " "), ""},
	"m2":      {RateWithReason(2, "moderate_as_2"), ""},
	"m98":     {Rate(98), "useless; never used"},
	"neg":     {Rate(-1), ""},
	"high":    {Rate(101), ""},
	"m0r":     {RateWithReason(0, "moderate_as_0 with_reason"), ""},
}

// syncBuffer is a log sink the test can read while the http server's
// goroutines may still be running.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func testLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// TestUpstreamAutoModeration runs postman's 20 auto-moderation cases under
// the three fallback settings.
//
// T19 and T20 are postman's malformed pairs (0,) and (0, "reason", "extra"),
// which raise an error there. Our only source of malformed outputs is a
// webhook answer, so they become webhook answers that are JSON arrays rather
// than objects, and they are neutral by design: the fallback decides.
func TestUpstreamAutoModeration(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bad1":
			io.WriteString(w, `[0]`)
		case "/bad2":
			io.WriteString(w, `[0, "reason", "extra"]`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer bad.Close()

	pending := Decision{Verdict: Pending}
	accepted := Decision{Verdict: Accepted}
	rejected := func(reason string) Decision { return Decision{Verdict: Rejected, Reason: reason} }
	same := func(d Decision) [3]Decision { return [3]Decision{d, d, d} }
	byFallback := [3]Decision{pending, accepted, rejected("")}

	tests := []struct {
		id    string
		chain []string
		// want is indexed by Fallback: pending, accept, reject.
		want [3]Decision
		// calls per moderator, when some must not be called.
		calls []int
		// warn is true when a webhook's answer is malformed: the gate
		// logs it and records it as a failure.
		warn bool
	}{
		{id: "T1", chain: nil, want: byFallback},
		{id: "T2", chain: []string{"neg"}, want: byFallback},
		{id: "T3", chain: []string{"high"}, want: byFallback},
		{id: "T4", chain: []string{"none"}, want: byFallback},
		{id: "T5", chain: []string{"false"}, want: same(rejected(""))},
		{id: "T6", chain: []string{"m0"}, want: same(rejected(""))},
		{id: "T7", chain: []string{"true"}, want: same(accepted)},
		{id: "T8", chain: []string{"m100"}, want: same(accepted)},
		{id: "T9", chain: []string{"m50"}, want: same(accepted)},
		{id: "T10", chain: []string{"m49d"}, want: same(rejected("moderate_as_49 default_reason"))},
		{id: "T11", chain: []string{"m49r"}, want: same(rejected("moderate_as_49 with_reason"))},
		{id: "T12", chain: []string{"none", "false", "true"}, want: same(rejected("")), calls: []int{1, 1, 0}},
		{id: "T13", chain: []string{"none", "true", "false"}, want: same(accepted), calls: []int{1, 1, 0}},
		{id: "T14", chain: []string{"m1", "m98"}, want: same(rejected("moderate_as_1"))},
		{id: "T15", chain: []string{"m1", "m2", "m50"}, want: same(rejected("moderate_as_1, moderate_as_2"))},
		{id: "T16", chain: []string{"m1", "m1blank", "m2"}, want: same(rejected("moderate_as_1, moderate_as_2"))},
		{id: "T17", chain: []string{"m1", "m2", "m50", "m0r"}, want: same(rejected("moderate_as_0 with_reason"))},
		{id: "T18", chain: []string{"m50", "none", "neg", "high"}, want: same(accepted)},
		{id: "T19", chain: []string{"bad1"}, want: byFallback, warn: true},
		{id: "T20", chain: []string{"bad2"}, want: byFallback, warn: true},
		// Not upstream: T17 with a firm accept after the firm reject, which
		// must never be asked.
		{id: "T17-stops", chain: []string{"m1", "m2", "m50", "m0r", "m100"}, want: same(rejected("moderate_as_0 with_reason")), calls: []int{1, 1, 1, 1, 0}},
	}
	for _, tt := range tests {
		for _, fallback := range []Fallback{FallbackPending, FallbackAccept, FallbackReject} {
			t.Run(tt.id+"/"+fallback.String(), func(t *testing.T) {
				var logs syncBuffer
				deps := Deps{Poster: poster, Logger: testLogger(&logs)}
				var chain Chain
				var fixtures []*fixture
				for _, name := range tt.chain {
					if strings.HasPrefix(name, "bad") {
						m, err := ParseSpec("webhook:"+bad.URL+"/"+name, deps)
						if err != nil {
							t.Fatal(err)
						}
						chain = append(chain, m)
						continue
					}
					fx, ok := upstreamFixtures[name]
					if !ok {
						t.Fatalf("no fixture %q", name)
					}
					f := &fixture{name: name, out: fx.out, def: fx.def}
					fixtures = append(fixtures, f)
					chain = append(chain, f)
				}

				g := &Gate{Mode: ModeAuto, Chain: chain, Fallback: fallback, Logger: deps.Logger}
				got, results := g.Judge(context.Background(), &Submission{Channel: "test", Content: "hello"})
				if want := tt.want[fallback]; got != want {
					t.Errorf("Run(%v) = %+v, want %+v", tt.chain, got, want)
				}
				for i, f := range fixtures {
					want := 1
					if tt.calls != nil {
						want = tt.calls[i]
					}
					if f.calls != want {
						t.Errorf("moderator %d (%s) called %d times, want %d", i, f.name, f.calls, want)
					}
				}
				if warned := strings.Contains(logs.String(), "level=WARN"); warned != tt.warn {
					t.Errorf("warning logged = %v, want %v; logs:\n%s", warned, tt.warn, logs.String())
				}
				failed := slices.ContainsFunc(results, func(r Result) bool { return r.Failure == FailureBadAnswer })
				if failed != tt.warn {
					t.Errorf("results %+v: a bad answer recorded = %v, want %v", results, failed, tt.warn)
				}
			})
		}
	}
}

// TestRunReasonRules checks, through a chain, that a reason given with a
// rating beats the moderator's default reason even when empty, and that a
// bare rating takes the default.
func TestRunReasonRules(t *testing.T) {
	tests := []struct {
		name  string
		chain []*fixture
		want  Decision
	}{
		{
			name:  "firm reject with an empty reason ignores the default",
			chain: []*fixture{{out: RateWithReason(0, ""), def: "default"}},
			want:  Decision{Verdict: Rejected},
		},
		{
			name:  "bare firm reject takes the default",
			chain: []*fixture{{out: Reject(), def: "default"}},
			want:  Decision{Verdict: Rejected, Reason: "default"},
		},
		{
			name:  "averaged rating with an empty reason ignores the default",
			chain: []*fixture{{out: RateWithReason(30, ""), def: "default"}, {out: Rate(10), def: "other"}},
			want:  Decision{Verdict: Rejected, Reason: "other"},
		},
		{
			name:  "firm reject keeps a blank reason as given",
			chain: []*fixture{{out: RateWithReason(0, " "), def: "default"}},
			want:  Decision{Verdict: Rejected, Reason: " "},
		},
		{
			name:  "neutral output ignores the default",
			chain: []*fixture{{out: Neutral(), def: "default"}},
			want:  Decision{Verdict: Pending},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain := make(Chain, len(tt.chain))
			for i, f := range tt.chain {
				chain[i] = f
			}
			if got, _ := chain.Run(context.Background(), &Submission{}, FallbackPending); got != tt.want {
				t.Errorf("Run = %+v, want %+v", got, tt.want)
			}
		})
	}
}
