package moderation

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestParseSpecErrors(t *testing.T) {
	deps := Deps{History: NewMemoryHistory(0)}
	tests := []struct {
		spec string
		want string // part of the message, besides the spec itself
	}{
		{"", "KIND:ARGUMENT"},
		{"links", "KIND:ARGUMENT"},
		{"bogus:1", `unknown kind "bogus"`},
		{"Links:1", `unknown kind "Links"`},
		{"links:", "missing argument"},
		{"links:  #reason", "missing argument"},
		{"links:x", "not an integer"},
		{"links:1.5", "not an integer"},
		{"links:-1", "negative"},
		{"words:", "missing argument"},
		{"words:|  | ", "empty word list"},
		{"caps:abc", "not a number"},
		{"caps:-1", "outside 0..100"},
		{"caps:101", "outside 0..100"},
		{"caps:NaN", "not a number"},
		{"anonymous:abc", "not a number"},
		{"anonymous:Inf", "not a number"},
		{"anonymous:150", "outside 0..100"},
		{"flood:5", "N/DURATION"},
		{"flood:x/10s", "not an integer"},
		{"flood:-1/10s", "negative"},
		{"flood:5/xyz", "duration"},
		{"flood:5/10", "duration"},
		{"flood:5/0s", "not positive"},
		{"flood:5/-1m", "not positive"},
		{"duplicate:abc", "duration"},
		{"duplicate:0s", "not positive"},
		{"webhook:ftp://example.com/", "http or https"},
		{"webhook:example.com/rate", "http or https"},
		{"webhook:http://", "no host"},
		{"webhook:http://exa mple.com/", "URL"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			m, err := ParseSpec(tt.spec, deps)
			if err == nil {
				t.Fatalf("ParseSpec(%q) = %v, want an error", tt.spec, m.Spec())
			}
			var se *SpecError
			if !errors.As(err, &se) || se.Spec != tt.spec {
				t.Errorf("error %v is not a *SpecError for %q", err, tt.spec)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || !strings.Contains(msg, `"`+tt.spec+`"`) {
				t.Errorf("error %q should name the spec and contain %q", msg, tt.want)
			}
		})
	}
}

func TestParseSpecNeedsHistory(t *testing.T) {
	for _, spec := range []string{"flood:5/10s", "duplicate:1m"} {
		if _, err := ParseSpec(spec, Deps{}); !errors.Is(err, errNoHistory) {
			t.Errorf("ParseSpec(%q) without history: error %v, want %v", spec, err, errNoHistory)
		}
	}
}

func TestParseSpecDefaultReason(t *testing.T) {
	deps := Deps{History: NewMemoryHistory(0)}
	tests := []struct {
		spec string
		want string
	}{
		{"webhook:http://example.com/rate", "rejected by the moderation service"},
		{"links:3", "too many links"},
		{"words:spam", "forbidden word"},
		{"caps:70", "too many capitals"},
		{"flood:5/10s", "flood"},
		{"duplicate:1m", "duplicate message"},
		{"anonymous:40", "anonymous message"},
		{"links:3#no more than three links", "no more than three links"},
		{" links : 3 # spaced out ", "spaced out"},
		{"links:3#", ""},
		{"links:3#a # in the reason", "a # in the reason"},
		{"webhook:https://example.com/rate#frag", "frag"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			m, err := ParseSpec(tt.spec, deps)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.DefaultReason(); got != tt.want {
				t.Errorf("DefaultReason() = %q, want %q", got, tt.want)
			}
			if got := m.Spec(); got != tt.spec {
				t.Errorf("Spec() = %q, want %q", got, tt.spec)
			}
		})
	}
}

// TestParseSpecEveryKind makes sure the table and the documentation agree
// on the kinds.
func TestParseSpecEveryKind(t *testing.T) {
	want := []string{"anonymous", "caps", "duplicate", "flood", "links", "webhook", "words"}
	if got := Kinds(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("Kinds() = %v, want %v", got, want)
	}
}

func TestParseChainJoinsErrors(t *testing.T) {
	_, err := ParseChain([]string{"links:1", "links:x", "bogus:2", "caps:50"}, Deps{})
	if err == nil {
		t.Fatal("ParseChain accepted bad specs")
	}
	for _, spec := range []string{`"links:x"`, `"bogus:2"`} {
		if !strings.Contains(err.Error(), spec) {
			t.Errorf("error %q does not name %s", err, spec)
		}
	}
	chain, err := ParseChain([]string{"links:1", "caps:50"}, Deps{})
	if err != nil || len(chain) != 2 || chain.String() != "[links:1 caps:50]" {
		t.Errorf("ParseChain = %v, %v", chain, err)
	}
}

func TestParseMode(t *testing.T) {
	for _, s := range []string{"open", "auto", "manual"} {
		if m, err := ParseMode(s); err != nil || string(m) != s {
			t.Errorf("ParseMode(%q) = %q, %v", s, m, err)
		}
	}
	for _, s := range []string{"", "Open", "closed"} {
		if _, err := ParseMode(s); err == nil {
			t.Errorf("ParseMode(%q) accepted", s)
		}
		var m Mode
		if err := m.UnmarshalText([]byte(s)); err == nil {
			t.Errorf("UnmarshalText(%q) accepted", s)
		}
	}
}

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy("auto", []string{"links:2"}, "")
	if err != nil || p.Mode != ModeAuto || p.Fallback != nil || len(p.Chain) != 1 {
		t.Errorf(`ParsePolicy("auto", …, "") = %+v, %v`, p, err)
	}
	p, err = ParsePolicy("auto", nil, "reject")
	if err != nil || p.Fallback == nil || *p.Fallback != FallbackReject {
		t.Errorf(`ParsePolicy("auto", nil, "reject") = %+v, %v`, p, err)
	}
	if _, err := ParsePolicy("nope", nil, ""); err == nil {
		t.Error("ParsePolicy accepted a bad mode")
	}
	if _, err := ParsePolicy("auto", nil, "maybe"); err == nil {
		t.Error("ParsePolicy accepted a bad fallback")
	}
}

func TestGateJudge(t *testing.T) {
	accept, reject := FallbackAccept, FallbackReject
	anon := &Submission{Channel: "c", Content: "hello", Address: "192.0.2.1"}
	tests := []struct {
		name   string
		policy Policy
		site   Fallback
		want   Verdict
	}{
		{"open publishes even what the chain rejects", Policy{Mode: ModeOpen, Chain: []string{"anonymous:0"}}, FallbackPending, Accepted},
		{"manual holds even what the chain accepts", Policy{Mode: ModeManual, Chain: []string{"anonymous:100"}}, FallbackAccept, Pending},
		{"auto runs the chain", Policy{Mode: ModeAuto, Chain: []string{"anonymous:0"}}, FallbackAccept, Rejected},
		{"auto with an empty chain takes the site default", Policy{Mode: ModeAuto}, FallbackAccept, Accepted},
		{"auto with an empty chain, default pending", Policy{Mode: ModeAuto}, FallbackPending, Pending},
		{"the policy's fallback beats the site's", Policy{Mode: ModeAuto, Fallback: &reject}, FallbackAccept, Rejected},
		{"the policy's fallback accept", Policy{Mode: ModeAuto, Chain: []string{"caps:50"}, Fallback: &accept}, FallbackReject, Accepted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := tt.policy.Compile(Deps{}, tt.site)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := g.Judge(context.Background(), anon); got.Verdict != tt.want {
				t.Errorf("Judge = %+v, want %v", got, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	if _, err := (Policy{Mode: "sometimes"}).Compile(Deps{}, FallbackPending); err == nil {
		t.Error("Compile accepted a bad mode")
	}
	// A bad spec is refused even while the mode does not use the chain.
	_, err := (Policy{Mode: ModeOpen, Chain: []string{"links:many"}}).Compile(Deps{}, FallbackPending)
	var se *SpecError
	if !errors.As(err, &se) || se.Spec != "links:many" {
		t.Errorf("Compile error = %v, want a *SpecError for links:many", err)
	}
}

func TestGateJudgeUnknownModeHolds(t *testing.T) {
	g := &Gate{Mode: "weird", Chain: Chain{&fixture{out: Accept()}}}
	if got, _ := g.Judge(context.Background(), &Submission{}); got.Verdict != Pending {
		t.Errorf("Judge with mode %q = %+v, want pending", g.Mode, got)
	}
}

// discard is a Deps whose warnings go nowhere, for tests that provoke them
// on purpose without checking them.
func discard() Deps { return Deps{Poster: poster, Logger: testLogger(io.Discard)} }
