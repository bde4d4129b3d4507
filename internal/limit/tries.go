package limit

import (
	"math"
	"sync"
	"time"
)

// Tries is a set of token buckets like Keyed, for attempts whose outcome is
// known only after they ran (a password check): a try is taken before the
// attempt, so that concurrent attempts cannot all pass a check made before
// any of them is counted, and given back when the attempt turns out not to
// count (a right password, a check that did not run). x/time/rate cannot
// give a token back once its reservation has acted, hence this small
// bucket of our own.
type Tries struct {
	n      int
	period time.Duration
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*tries
	calls   int
}

// tries is a bucket: tokens as of at.
type tries struct {
	tokens float64
	at     time.Time
}

// NewTries allows n tries per period per key, in bursts of n; n <= 0
// disables it.
func NewTries(n int, period time.Duration) *Tries {
	return &Tries{n: n, period: period, now: time.Now, buckets: map[string]*tries{}}
}

// Off reports whether everything is allowed.
func (t *Tries) Off() bool { return t == nil || t.n <= 0 || t.period <= 0 }

// fill brings b's tokens up to now.
func (t *Tries) fill(b *tries, now time.Time) {
	if now.After(b.at) {
		b.tokens = min(float64(t.n), b.tokens+float64(t.n)*float64(now.Sub(b.at))/float64(t.period))
		b.at = now
	}
}

// Take takes a try for key if one is left; otherwise it takes nothing and
// says how long until one is.
func (t *Tries) Take(key string) (ok bool, retryAfter time.Duration) {
	if t.Off() {
		return true, 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.calls++
	if t.calls%1024 == 0 {
		t.sweep(now)
	}
	b, found := t.buckets[key]
	if !found {
		b = &tries{tokens: float64(t.n), at: now}
		t.buckets[key] = b
	}
	t.fill(b, now)
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	secs := (1 - b.tokens) * t.period.Seconds() / float64(t.n)
	return false, time.Duration(math.Ceil(secs * float64(time.Second)))
}

// Give gives back a try taken for key.
func (t *Tries) Give(key string) {
	if t.Off() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if b, ok := t.buckets[key]; ok {
		t.fill(b, t.now())
		b.tokens = min(float64(t.n), b.tokens+1)
	}
}

// sweep forgets full buckets: a new one starts full.
func (t *Tries) sweep(now time.Time) {
	for key, b := range t.buckets {
		if t.fill(b, now); b.tokens >= float64(t.n) {
			delete(t.buckets, key)
		}
	}
}
