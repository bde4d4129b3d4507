package moderation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
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

func (m *flood) Rate(ctx context.Context, s *Submission) Output {
	since := m.deps.at(s).Add(-m.window)
	n, err := m.deps.History.CountSince(ctx, s.Channel, s.Identity(), since)
	if err != nil {
		warnNeutral(ctx, m.deps.logger(), m.Spec(), fmt.Errorf("history: %w", err))
		return Neutral()
	}
	// The submission being rated is not in the history yet: n earlier ones
	// make this one the (n+1)th.
	if n >= m.max {
		return Reject()
	}
	return Neutral()
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

func (m *duplicate) Rate(ctx context.Context, s *Submission) Output {
	since := m.deps.at(s).Add(-m.window)
	same, err := m.deps.History.SameTextSince(ctx, s.Channel, s.Identity(), s.Content, since)
	if err != nil {
		warnNeutral(ctx, m.deps.logger(), m.Spec(), fmt.Errorf("history: %w", err))
		return Neutral()
	}
	if same {
		return Reject()
	}
	return Neutral()
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

// warnNeutral logs why a moderator gave no opinion. It is a warning, not an
// error: the post goes on, but an operator should know a moderator is blind.
func warnNeutral(ctx context.Context, log *slog.Logger, spec string, cause error) {
	log.WarnContext(ctx, "moderation: moderator failed, counted as neutral",
		slog.String("moderator", spec), slog.Any("error", cause))
}

// MemoryHistory is a History kept in memory, for tests and single-process
// sites. It is safe for concurrent use; the zero value is ready and keeps
// everything.
type MemoryHistory struct {
	retention time.Duration

	mu   sync.Mutex
	subs map[historyKey][]historyEntry
}

var _ History = (*MemoryHistory)(nil)

// NewMemoryHistory returns a history that forgets an identity's submissions
// once they are older than retention (0 keeps everything): set it to the
// longest flood or duplicate window in use.
func NewMemoryHistory(retention time.Duration) *MemoryHistory {
	return &MemoryHistory{retention: retention}
}

type historyKey struct {
	channel    string
	registered bool // keeps login "x" apart from address "x"
	who        string
}

type historyEntry struct {
	at   time.Time
	text string
}

func keyOf(channel string, who Identity) historyKey {
	if who.Registered() {
		return historyKey{channel: channel, registered: true, who: who.Login}
	}
	return historyKey{channel: channel, who: who.Address}
}

// Record notes a submission. Entries of the same identity and channel past
// the retention are dropped on the way; Prune drops everybody's.
func (h *MemoryHistory) Record(channel string, who Identity, text string, at time.Time) {
	k := keyOf(channel, who)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = make(map[historyKey][]historyEntry)
	}
	entries := h.subs[k]
	if h.retention > 0 {
		entries = keepSince(entries, at.Add(-h.retention))
	}
	h.subs[k] = append(entries, historyEntry{at: at, text: text})
}

// Prune forgets every submission made before before. Call it now and then
// when identities come and go, or the map keeps one key per identity ever
// seen.
func (h *MemoryHistory) Prune(before time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, entries := range h.subs {
		if entries = keepSince(entries, before); len(entries) == 0 {
			delete(h.subs, k)
		} else {
			h.subs[k] = entries
		}
	}
}

// keepSince filters in place, keeping entries at or after since.
func keepSince(entries []historyEntry, since time.Time) []historyEntry {
	kept := entries[:0]
	for _, e := range entries {
		if !e.at.Before(since) {
			kept = append(kept, e)
		}
	}
	clear(entries[len(kept):]) // let the dropped texts be collected
	return kept
}

// CountSince implements History.
func (h *MemoryHistory) CountSince(_ context.Context, channel string, who Identity, since time.Time) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, e := range h.subs[keyOf(channel, who)] {
		if !e.at.Before(since) {
			n++
		}
	}
	return n, nil
}

// SameTextSince implements History.
func (h *MemoryHistory) SameTextSince(_ context.Context, channel string, who Identity, text string, since time.Time) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.subs[keyOf(channel, who)] {
		if e.text == text && !e.at.Before(since) {
			return true, nil
		}
	}
	return false, nil
}
