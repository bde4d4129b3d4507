package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Identity is who sent a submission, as flood and duplicate count it: the
// login for a registered user, otherwise the client address.
type Identity struct {
	Login   string // != "" means a registered user; Address is then ignored
	Address string
}

// Registered reports whether the identity is a registered user.
func (id Identity) Registered() bool { return id.Login != "" }

// History answers questions about earlier submissions (published, pending
// or rejected) in a channel. Moderators only ask: the caller records each
// submission after its decision, whatever the decision, so that a flooder
// who keeps trying stays refused.
type History interface {
	// CountSince returns how many submissions the identity made in the
	// channel at or after since.
	CountSince(ctx context.Context, channel string, who Identity, since time.Time) (int, error)
	// SameTextSince reports whether the identity submitted exactly this
	// text in the channel at or after since.
	SameTextSince(ctx context.Context, channel string, who Identity, text string, since time.Time) (bool, error)
}

// flood rejects the (max+1)th submission of an identity within window.
type flood struct {
	base
	max    int
	window time.Duration
	deps   Deps
}

func newFlood(arg string, b base, deps Deps) (Moderator, error) {
	count, window, ok := strings.Cut(arg, "/")
	if !ok {
		return nil, fmt.Errorf("%q: want N/DURATION, such as 5/10s", arg)
	}
	n, err := parseCount(strings.TrimSpace(count))
	if err != nil {
		return nil, err
	}
	d, err := parseWindow(strings.TrimSpace(window))
	if err != nil {
		return nil, err
	}
	if deps.History == nil {
		return nil, errNoHistory
	}
	return &flood{base: b, max: n, window: d, deps: deps}, nil
}

func (m *flood) Rate(ctx context.Context, s *Submission) (Output, error) {
	since := m.deps.at(s).Add(-m.window)
	n, err := m.deps.History.CountSince(ctx, s.Channel, s.Identity(), since)
	if err != nil {
		return Neutral(), fmt.Errorf("history: %w", err)
	}
	// The submission being rated is not in the history yet: n earlier ones
	// make this one the (n+1)th.
	if n >= m.max {
		return Reject(), nil
	}
	return Neutral(), nil
}

// duplicate rejects a text the same identity already sent within window.
type duplicate struct {
	base
	window time.Duration
	deps   Deps
}

func newDuplicate(arg string, b base, deps Deps) (Moderator, error) {
	d, err := parseWindow(arg)
	if err != nil {
		return nil, err
	}
	if deps.History == nil {
		return nil, errNoHistory
	}
	return &duplicate{base: b, window: d, deps: deps}, nil
}

func (m *duplicate) Rate(ctx context.Context, s *Submission) (Output, error) {
	since := m.deps.at(s).Add(-m.window)
	same, err := m.deps.History.SameTextSince(ctx, s.Channel, s.Identity(), s.Content, since)
	if err != nil {
		return Neutral(), fmt.Errorf("history: %w", err)
	}
	if same {
		return Reject(), nil
	}
	return Neutral(), nil
}

var errNoHistory = errors.New("no submission history configured")

// parseWindow reads a positive duration in time.ParseDuration syntax.
func parseWindow(arg string) (time.Duration, error) {
	d, err := time.ParseDuration(arg)
	if err != nil {
		return 0, fmt.Errorf("duration: %w", err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration %s is not positive", d)
	}
	return d, nil
}
