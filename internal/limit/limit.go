// Package limit keeps token-bucket rate limits per key (a client address,
// an account): in this process's memory (Memory), or in a database that
// every process of a cluster shares (Shared). It says which addresses are
// one client (AddressKey), and reads the process's open-file limit
// (OpenFiles), which bounds the live streams.
package limit

import (
	"context"
	"net/netip"
	"sync"
	"time"
)

// Limiter is a set of token buckets, one per key, each allowing n events
// per period in bursts of n.
//
// A token is taken before the attempt it pays for, so that concurrent
// attempts cannot all pass a check made before any of them is counted; it
// is given back when the attempt turns out not to count (a right password,
// a check that did not run).
type Limiter interface {
	// Take takes a token for key if one is left; otherwise it takes
	// nothing and says how long until one is.
	Take(ctx context.Context, key string) (ok bool, wait time.Duration, err error)
	// Give gives back a token taken for key.
	Give(ctx context.Context, key string) error
}

// Memory is a Limiter in this process's memory, forgetting the keys whose
// buckets are full again. x/time/rate cannot give a token back once its
// reservation has acted, hence this small bucket of our own.
//
// A bucket is kept as the time it will be full again (the generic cell
// rate algorithm): each token costs period/n of it, and a token is left
// while that time is less than period-cost ahead. Durations only, so the
// waits it tells are exact; the database's buckets (Shared) are the same.
type Memory struct {
	n      int
	period time.Duration
	cost   time.Duration // of one token: period/n
	now    func() time.Time

	mu    sync.Mutex
	full  map[string]time.Time // when each bucket is full again
	calls int
}

// New allows n events per period per key, in bursts of n; n <= 0 disables
// it.
func New(n int, period time.Duration) *Memory {
	m := &Memory{n: n, period: period, now: time.Now, full: map[string]time.Time{}}
	if n > 0 {
		m.cost = period / time.Duration(n)
	}
	return m
}

// Off reports whether everything is allowed.
func (m *Memory) Off() bool { return m == nil || m.n <= 0 || m.period <= 0 }

// Take takes a token for key if one is left; otherwise it takes nothing
// and says how long until one is. It never fails.
func (m *Memory) Take(_ context.Context, key string) (ok bool, wait time.Duration, err error) {
	if m.Off() {
		return true, 0, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	m.calls++
	if m.calls%1024 == 0 {
		m.sweep(now)
	}
	full := m.full[key]
	if full.Before(now) {
		full = now
	}
	if ahead := full.Sub(now) - (m.period - m.cost); ahead > 0 {
		return false, ahead, nil
	}
	m.full[key] = full.Add(m.cost)
	return true, 0, nil
}

// Give gives back a token taken for key. It never fails.
func (m *Memory) Give(_ context.Context, key string) error {
	if m.Off() {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if full, ok := m.full[key]; ok {
		// Never above the burst: a bucket full in the past is full.
		m.full[key] = full.Add(-m.cost)
	}
	return nil
}

// sweep forgets full buckets: a new one starts full.
func (m *Memory) sweep(now time.Time) {
	for key, full := range m.full {
		if !full.After(now) {
			delete(m.full, key)
		}
	}
}

// AddressKey is the key of a client address for limits: an IPv4 address
// as itself (IPv4-mapped IPv6 addresses unmapped, so that ::ffff:a.b.c.d
// and a.b.c.d are one client), an IPv6 address by its /64 (one site's
// allocation: its machines are one client). Anything else is kept as is.
func AddressKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}
