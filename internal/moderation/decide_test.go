package moderation

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestDecide covers the edge cases derived from postman's code (reference
// §2.5) with plain values.
func TestDecide(t *testing.T) {
	long := strings.Repeat("é", MaxReasonLength+10)
	tests := []struct {
		name     string
		outs     []Output
		fallback Fallback
		want     Decision
	}{
		{"0.0 is a firm reject", []Output{Rate(0.0)}, FallbackAccept, Decision{Rejected, ""}},
		{"negative zero is a firm reject", []Output{Rate(math.Copysign(0, -1))}, FallbackAccept, Decision{Rejected, ""}},
		{"100.0 is a firm accept", []Output{RateWithReason(1, "low"), Rate(100.0)}, FallbackReject, Decision{Accepted, ""}},
		{"0.5 counts in the average", []Output{RateWithReason(0.5, "tiny")}, FallbackAccept, Decision{Rejected, "tiny"}},
		{"49.5 rejects", []Output{RateWithReason(49.5, "almost")}, FallbackAccept, Decision{Rejected, "almost"}},
		{"50 accepts", []Output{RateWithReason(50, "never shown")}, FallbackReject, Decision{Accepted, ""}},
		{"0.5 and 99.5 average 50", []Output{Rate(0.5), Rate(99.5)}, FallbackReject, Decision{Accepted, ""}},
		{"-0.1 is neutral", []Output{Rate(-0.1)}, FallbackPending, Decision{Pending, ""}},
		{"100.5 is neutral", []Output{Rate(100.5)}, FallbackReject, Decision{Rejected, ""}},
		{"NaN is neutral", []Output{Rate(math.NaN())}, FallbackAccept, Decision{Accepted, ""}},
		{"infinities are neutral", []Output{Rate(math.Inf(1)), Rate(math.Inf(-1))}, FallbackPending, Decision{Pending, ""}},
		{"null reason (30, null) counts, its reason dropped", []Output{RateWithReason(30, ""), RateWithReason(20, "b")}, FallbackAccept, Decision{Rejected, "b"}},
		{"(0, null) rejects with an empty reason", []Output{RateWithReason(10, "a"), RateWithReason(0, "")}, FallbackAccept, Decision{Rejected, ""}},
		{"whitespace reasons dropped from an average", []Output{RateWithReason(10, " \t\n"), RateWithReason(20, "\u00a0"), RateWithReason(30, "kept")}, FallbackAccept, Decision{Rejected, "kept"}},
		{"reasons of ratings >= 50 never appear", []Output{RateWithReason(1, "one"), RateWithReason(60, "sixty"), RateWithReason(50, "fifty")}, FallbackAccept, Decision{Rejected, "one"}},
		{"duplicate reasons kept", []Output{RateWithReason(10, "x"), RateWithReason(10, "x")}, FallbackAccept, Decision{Rejected, "x, x"}},
		{"averaged rejection may have no reason", []Output{Rate(10)}, FallbackAccept, Decision{Rejected, ""}},
		{"neutral outputs do not count", []Output{Rate(40), Neutral(), Rate(-5), Rate(101)}, FallbackAccept, Decision{Rejected, ""}},
		{"firm reject replaces earlier reasons", []Output{RateWithReason(10, "a"), RateWithReason(0, "firm")}, FallbackAccept, Decision{Rejected, "firm"}},
		{"firm accept after low ratings accepts", []Output{RateWithReason(1, "a"), Accept()}, FallbackReject, Decision{Accepted, ""}},
		{"firm reason truncated to 120 runes", []Output{RateWithReason(0, long)}, FallbackAccept, Decision{Rejected, long[:2*MaxReasonLength]}},
		{"joined reason truncated to 120 runes", []Output{RateWithReason(1, strings.Repeat("a", 100)), RateWithReason(1, strings.Repeat("b", 100))}, FallbackAccept, Decision{Rejected, strings.Repeat("a", 100) + ", " + strings.Repeat("b", 18)}},
		{"120 runes kept whole", []Output{RateWithReason(0, strings.Repeat("z", MaxReasonLength))}, FallbackAccept, Decision{Rejected, strings.Repeat("z", MaxReasonLength)}},
		{"empty chain, fallback pending", nil, FallbackPending, Decision{Pending, ""}},
		{"empty chain, fallback accept", nil, FallbackAccept, Decision{Accepted, ""}},
		{"empty chain, fallback reject", nil, FallbackReject, Decision{Rejected, ""}},
		{"unknown fallback behaves like pending", nil, Fallback(7), Decision{Pending, ""}},
		{"hand-built neutral with a reason is neutral", []Output{{Kind: OutputNeutral, Score: 0, Reason: "why", HasReason: true}}, FallbackPending, Decision{Pending, ""}},
		{"reason without HasReason is ignored", []Output{{Kind: OutputScore, Score: 0, Reason: "stray"}}, FallbackPending, Decision{Rejected, ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decide(slices.Values(tt.outs), tt.fallback); got != tt.want {
				t.Errorf("Decide(%v, %v) = %+v, want %+v", tt.outs, tt.fallback, got, tt.want)
			}
		})
	}
}

// TestDecideStopsPulling checks the short-circuit on the pure core: no
// output is pulled after a firm verdict.
func TestDecideStopsPulling(t *testing.T) {
	tests := []struct {
		name   string
		outs   []Output
		pulled int
	}{
		{"firm reject", []Output{Rate(30), Reject(), Accept(), Rate(10)}, 2},
		{"firm accept", []Output{Neutral(), Accept(), Reject()}, 2},
		{"no firm verdict", []Output{Rate(30), Neutral(), Rate(70)}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pulled := 0
			seq := func(yield func(Output) bool) {
				for _, o := range tt.outs {
					pulled++
					if !yield(o) {
						return
					}
				}
			}
			Decide(seq, FallbackPending)
			if pulled != tt.pulled {
				t.Errorf("pulled %d outputs, want %d", pulled, tt.pulled)
			}
		})
	}
}

func TestWithDefaultReason(t *testing.T) {
	tests := []struct {
		name string
		in   Output
		want Output
	}{
		{"bare rating takes it", Rate(10), RateWithReason(10, "def")},
		{"given reason wins", RateWithReason(10, "mine"), RateWithReason(10, "mine")},
		{"given empty reason wins", RateWithReason(10, ""), RateWithReason(10, "")},
		{"neutral stays neutral", Neutral(), Neutral()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.WithDefaultReason("def"); got != tt.want {
				t.Errorf("%v.WithDefaultReason = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseFallback(t *testing.T) {
	tests := []struct {
		in      string
		want    Fallback
		wantErr bool
	}{
		{"pending", FallbackPending, false},
		{"accept", FallbackAccept, false},
		{"reject", FallbackReject, false},
		{"", FallbackPending, true},
		{"Accept", FallbackPending, true},
		{"true", FallbackPending, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFallback(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseFallback(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err == nil {
				var f Fallback
				if err := f.UnmarshalText([]byte(got.String())); err != nil || f != got {
					t.Errorf("UnmarshalText(%q) = %v, %v", got, f, err)
				}
			}
		})
	}
}
