package moderation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Submission is what moderators see of a new message. It is not stored yet:
// like postman's unsaved message, it has no id.
type Submission struct {
	Channel string // channel slug ("" for the default channel)
	Content string // raw text as typed (after command rewriting)
	Info    string // identity text: user agent or chosen name
	Login   string // "" for an anonymous poster
	Address string // client IP address
	// Links is how many links the caller's renderer found in Content, for
	// the links kind, so that moderation and display agree without a
	// second render. nil means CountLinks(Content).
	Links *int
	// Time is when the message was sent; flood and duplicate windows end
	// there. The zero value means "now" (Deps.Now).
	Time time.Time
}

// Identity returns who sent s, as flood and duplicate count it.
func (s *Submission) Identity() Identity {
	return Identity{Login: s.Login, Address: s.Address}
}

// Moderator rates one submission. A moderator that cannot make up its mind
// (a service down or too slow, a storage error, an answer it cannot read)
// returns an error: the chain counts it as neutral and records why in its
// results, and Gate.Judge logs it, so that moderation never makes a post
// fail and an outage still shows.
type Moderator interface {
	// Spec is the spec the moderator was built from, for logs and records
	// (webhook credentials are masked).
	Spec() string
	// DefaultReason is the reason that goes with a bare rating (postman's
	// default_reason attribute).
	DefaultReason() string
	// Rate rates s. An error wins over the output: the moderator failed.
	Rate(ctx context.Context, s *Submission) (Output, error)
}

// Chain is an ordered list of auto-moderators. Order matters: the first firm
// verdict stops the chain.
type Chain []Moderator

// ParseChain builds a chain from specs, in order. Every bad spec is
// reported, joined into one error.
func ParseChain(specs []string, deps Deps) (Chain, error) {
	chain := make(Chain, 0, len(specs))
	var errs []error
	for _, spec := range specs {
		m, err := ParseSpec(spec, deps)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		chain = append(chain, m)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return chain, nil
}

// Run rates s with the chain and decides with postman's procedure (see
// Decide). Moderators run one after the other, in order, and none runs after
// a firm verdict. The results say what each moderator asked said, in order.
func (c Chain) Run(ctx context.Context, s *Submission, fallback Fallback) (Decision, []Result) {
	results := make([]Result, 0, len(c))
	// Rated lazily, so that Decide's early return is what stops the chain.
	outputs := func(yield func(Output) bool) {
		for _, m := range c {
			r := ask(ctx, m, s)
			results = append(results, r)
			if !yield(r.Output) {
				return
			}
		}
	}
	return Decide(outputs, fallback), results
}

// Mode is a channel's moderation policy mode.
type Mode string

const (
	// ModeOpen publishes every valid message at once.
	ModeOpen Mode = "open"
	// ModeAuto runs the auto-moderator chain on every new message.
	ModeAuto Mode = "auto"
	// ModeManual holds every message for a human moderator.
	ModeManual Mode = "manual"
)

// ParseMode reads "open", "auto" or "manual".
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case ModeOpen, ModeAuto, ModeManual:
		return m, nil
	}
	return "", fmt.Errorf("moderation: unknown mode %q (want open, auto or manual)", s)
}

// UnmarshalText parses like ParseMode, so that decoding configuration
// validates the value.
func (m *Mode) UnmarshalText(text []byte) error {
	v, err := ParseMode(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Policy is a channel's moderation configuration, as stored.
type Policy struct {
	Mode  Mode
	Chain []string // auto-moderator specs, in chain order; used in ModeAuto
	// Fallback overrides the site's default fallback when not nil.
	Fallback *Fallback
}

// ParsePolicy builds a Policy from its stored text form: a mode, the specs,
// and a fallback where "" means the site default. The specs are only checked
// by Compile, which needs the dependencies.
func ParsePolicy(mode string, chain []string, fallback string) (Policy, error) {
	m, err := ParseMode(mode)
	if err != nil {
		return Policy{}, err
	}
	p := Policy{Mode: m, Chain: chain}
	if fallback != "" {
		f, err := ParseFallback(fallback)
		if err != nil {
			return Policy{}, err
		}
		p.Fallback = &f
	}
	return p, nil
}

// Compile checks the policy and builds its moderators. siteDefault is the
// fallback used when the policy has none. The chain is built whatever the
// mode, so that a bad spec is reported before someone switches the channel
// to auto.
func (p Policy) Compile(deps Deps, siteDefault Fallback) (*Gate, error) {
	if _, err := ParseMode(string(p.Mode)); err != nil {
		return nil, err
	}
	chain, err := ParseChain(p.Chain, deps)
	if err != nil {
		return nil, err // already names each bad spec
	}
	g := &Gate{Mode: p.Mode, Chain: chain, Fallback: siteDefault, Timeout: deps.ChainTimeout, Logger: deps.Logger}
	if p.Fallback != nil {
		g.Fallback = *p.Fallback
	}
	return g, nil
}

// Gate is a compiled Policy: it decides what happens to each new message of
// a channel. It is safe for concurrent use if its moderators are (the
// built-in ones are).
type Gate struct {
	Mode     Mode
	Chain    Chain
	Fallback Fallback
	// Timeout bounds a chain run; 0 means DefaultChainTimeout.
	Timeout time.Duration
	// Logger receives the failures of moderators; nil means slog.Default().
	Logger *slog.Logger
}

// Judge decides the fate of a new submission according to the mode: open
// accepts, manual holds, auto runs the chain and returns what each
// moderator said.
//
// The chain does not stop when ctx is cancelled: it runs on a context
// detached from ctx's cancellation (its values kept), bounded by Timeout.
// A caller that gives up, such as a poster who hangs up, must not make the
// moderators fail, which would leave the decision to the fallback.
func (g *Gate) Judge(ctx context.Context, s *Submission) (Decision, []Result) {
	switch g.Mode {
	case ModeOpen:
		return Decision{Verdict: Accepted}, nil
	case ModeAuto:
		timeout := g.Timeout
		if timeout <= 0 {
			timeout = DefaultChainTimeout
		}
		run, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		d, results := g.Chain.Run(run, s, g.Fallback)
		warnFailures(ctx, g.Logger, results)
		return d, results
	}
	// ModeManual, and any mode a hand-built Gate got wrong: holding the
	// message is the choice that publishes nothing by mistake.
	return Decision{Verdict: Pending}, nil
}

// String lists the chain's specs, for logs.
func (c Chain) String() string {
	specs := make([]string, len(c))
	for i, m := range c {
		specs[i] = m.Spec()
	}
	return "[" + strings.Join(specs, " ") + "]"
}
