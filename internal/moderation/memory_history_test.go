package moderation

import (
	"context"
	"sync"
	"time"
)

// MemoryHistory is a History kept in memory, for tests. It is safe for concurrent use; the zero value is ready and keeps
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
