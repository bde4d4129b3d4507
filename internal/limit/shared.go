package limit

import (
	"context"
	"time"
)

// Buckets keeps token buckets for every process of a tribune: the store on
// PostgreSQL, whose statements take or give back a token atomically.
type Buckets interface {
	// TakeToken takes a token of the bucket (limit, key), holding n a
	// period, if it has one; otherwise it says how long until it has.
	TakeToken(ctx context.Context, limit, key string, n int, period time.Duration) (ok bool, wait time.Duration, err error)
	// GiveToken gives a token back to the bucket (limit, key).
	GiveToken(ctx context.Context, limit, key string, n int, period time.Duration) error
}

// Shared is a Limiter whose buckets are in a database, so that a cluster
// of processes allows n events a period in all, not n per process. Each
// Take and Give is one statement.
type Shared struct {
	db     Buckets
	name   string // the limit's name: its buckets are apart from other limits'
	n      int
	period time.Duration
}

// NewShared allows n events per period per key, in bursts of n, counted in
// db under name; n <= 0 disables it.
func NewShared(db Buckets, name string, n int, period time.Duration) *Shared {
	return &Shared{db: db, name: name, n: n, period: period}
}

// Off reports whether everything is allowed.
func (s *Shared) Off() bool { return s == nil || s.n <= 0 || s.period <= 0 }

// Take takes a token for key if one is left; otherwise it takes nothing
// and says how long until one is.
func (s *Shared) Take(ctx context.Context, key string) (ok bool, wait time.Duration, err error) {
	if s.Off() {
		return true, 0, nil
	}
	return s.db.TakeToken(ctx, s.name, key, s.n, s.period)
}

// Give gives back a token taken for key.
func (s *Shared) Give(ctx context.Context, key string) error {
	if s.Off() {
		return nil
	}
	return s.db.GiveToken(ctx, s.name, key, s.n, s.period)
}
