package moderation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// waiter is a moderator that needs its context: it rejects after delay,
// unless its context ends first, when it fails with the context's error.
type waiter struct {
	delay time.Duration
	key   any // a context value it must see, if not nil
}

func (w *waiter) Spec() string          { return "waiter:" + w.delay.String() }
func (w *waiter) DefaultReason() string { return "waited" }
func (w *waiter) Rate(ctx context.Context, _ *Submission) (Output, error) {
	if w.key != nil && ctx.Value(w.key) == nil {
		return Neutral(), errors.New("lost the caller's context values")
	}
	select {
	case <-time.After(w.delay):
		return Reject(), nil
	case <-ctx.Done():
		return Neutral(), fmt.Errorf("gave up: %w", ctx.Err())
	}
}

type ctxKey struct{}

// TestJudgeOutlivesCaller: a caller that gives up (a poster hanging up)
// does not make the chain fail; the chain keeps the caller's values.
func TestJudgeOutlivesCaller(t *testing.T) {
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "request"))
	g := &Gate{Mode: ModeAuto, Chain: Chain{&waiter{delay: 100 * time.Millisecond, key: ctxKey{}}}, Fallback: FallbackAccept,
		Logger: testLogger(&syncBuffer{})}
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	d, results := g.Judge(ctx, &Submission{})
	if d != (Decision{Rejected, "waited"}) {
		t.Errorf("Judge = %+v, want the moderator's rejection", d)
	}
	want := []Result{{Spec: "waiter:100ms", Output: RateWithReason(0, "waited")}}
	if !slices.Equal(results, want) {
		t.Errorf("results %+v, want %+v", results, want)
	}

	// Already cancelled before the chain starts: the same.
	if d, _ := g.Judge(ctx, &Submission{}); d.Verdict != Rejected {
		t.Errorf("Judge with a cancelled context = %+v, want rejected", d)
	}
}

// TestJudgeTimeout: the chain as a whole is bounded. A moderator still
// waiting then fails with a timeout, and those that need no time still
// rate.
func TestJudgeTimeout(t *testing.T) {
	words, err := ParseSpec("words:spam", Deps{})
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	g := &Gate{Mode: ModeAuto, Chain: Chain{&waiter{delay: 5 * time.Second}, words}, Fallback: FallbackPending,
		Timeout: 50 * time.Millisecond, Logger: testLogger(&logs)}
	tests := []struct {
		content string
		want    Decision
		second  Output
	}{
		{"spam", Decision{Rejected, "forbidden word"}, RateWithReason(0, "forbidden word")},
		{"ham", Decision{Verdict: Pending}, Neutral()},
	}
	for _, tt := range tests {
		t.Run(tt.content, func(t *testing.T) {
			start := time.Now()
			d, results := g.Judge(context.Background(), &Submission{Content: tt.content})
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("Judge took %v, want about 50ms", elapsed)
			}
			if d != tt.want {
				t.Errorf("Judge = %+v, want %+v", d, tt.want)
			}
			want := []Result{
				{Spec: "waiter:5s", Output: Neutral(), Failure: FailureTimeout, Detail: "gave up: context deadline exceeded"},
				{Spec: "words:spam", Output: tt.second},
			}
			if !slices.Equal(results, want) {
				t.Errorf("results\n%+v\nwant\n%+v", results, want)
			}
		})
	}
	checkWarning(t, logs.String(), "waiter:5s", "failure=timeout")
}

func TestFailureOf(t *testing.T) {
	tests := []struct {
		err  error
		want Failure
	}{
		{context.DeadlineExceeded, FailureTimeout},
		{fmt.Errorf("request: %w", context.DeadlineExceeded), FailureTimeout},
		{timeoutError{}, FailureTimeout},
		{fmt.Errorf("%w: not JSON", ErrBadAnswer), FailureBadAnswer},
		{context.Canceled, FailureError},
		{errors.New("connection refused"), FailureError},
	}
	for _, tt := range tests {
		if got := failureOf(tt.err); got != tt.want {
			t.Errorf("failureOf(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}

type timeoutError struct{}

func (timeoutError) Error() string { return "i/o timeout" }
func (timeoutError) Timeout() bool { return true }

func TestResultRating(t *testing.T) {
	tests := []struct {
		r    Result
		want float64
		ok   bool
	}{
		{Result{Output: Rate(42)}, 42, true},
		{Result{Output: Reject()}, 0, true},
		{Result{Output: Rate(150)}, 150, true}, // said, though it does not count
		{Result{Output: Neutral()}, 0, false},
		{Result{Output: Neutral(), Failure: FailureTimeout}, 0, false},
		{Result{Output: Rate(math.NaN())}, 0, false},
	}
	for _, tt := range tests {
		if got, ok := tt.r.Rating(); got != tt.want || ok != tt.ok {
			t.Errorf("%+v.Rating() = %v, %v; want %v, %v", tt.r, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCut(t *testing.T) {
	if got := cut("héllo", 2); got != "hé" {
		t.Errorf("cut = %q", got)
	}
	if got := cut("abc", 5); got != "abc" {
		t.Errorf("cut = %q", got)
	}
}
