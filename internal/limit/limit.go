// Package limit keeps token-bucket rate limits per key (a client address,
// an account), forgetting keys that have been idle for a while. It says
// which addresses are one client (AddressKey), and reads the process's
// open-file limit (OpenFiles), which bounds the live streams.
package limit

import (
	"math"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed is a set of token buckets, one per key, each allowing n events per
// period with bursts of n. The zero n disables it: everything is allowed.
type Keyed struct {
	n      int
	period time.Duration
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	calls   int
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a limiter allowing n events per period per key; n <= 0
// disables it.
func New(n int, period time.Duration) *Keyed {
	return &Keyed{n: n, period: period, now: time.Now, buckets: map[string]*bucket{}}
}

// Off reports whether the limiter allows everything.
func (k *Keyed) Off() bool { return k == nil || k.n <= 0 || k.period <= 0 }

func (k *Keyed) bucket(key string, now time.Time) *bucket {
	k.calls++
	if k.calls%1024 == 0 {
		k.sweep(now)
	}
	b, ok := k.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(rate.Every(k.period/time.Duration(k.n)), k.n)}
		k.buckets[key] = b
	}
	b.seen = now
	return b
}

// sweep forgets buckets idle long enough to be full again. One idle period
// refills a bucket that was at zero, but not one in debt (Take), so the
// tokens are checked too: forgetting a bucket must not wipe its debt.
func (k *Keyed) sweep(now time.Time) {
	for key, b := range k.buckets {
		if now.Sub(b.seen) > k.period && b.lim.TokensAt(now) >= float64(k.n) {
			delete(k.buckets, key)
		}
	}
}

// Allow takes one event for key if the bucket has a token; otherwise it
// takes nothing and says how long until one is available.
func (k *Keyed) Allow(key string) (ok bool, retryAfter time.Duration) {
	if k.Off() {
		return true, 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	b := k.bucket(key, now)
	if b.lim.AllowN(now, 1) {
		return true, 0
	}
	return false, k.waitFor(b, now)
}

// Wait says how long until key may have an event, without taking one (0:
// now).
func (k *Keyed) Wait(key string) time.Duration {
	if k.Off() {
		return 0
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	b, ok := k.buckets[key]
	if !ok {
		return 0
	}
	return k.waitFor(b, now)
}

// Take consumes one event for key even if none is available (the bucket
// goes into debt), for counting failures after the fact.
func (k *Keyed) Take(key string) {
	if k.Off() {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	b := k.bucket(key, now)
	if !b.lim.AllowN(now, 1) {
		b.lim.ReserveN(now, 1)
	}
}

func (k *Keyed) waitFor(b *bucket, now time.Time) time.Duration {
	tokens := b.lim.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	secs := (1 - tokens) / float64(b.lim.Limit())
	return time.Duration(math.Ceil(secs * float64(time.Second)))
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
