package board

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"runtime"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/limit"
)

// What keeps password checks affordable. A check costs
// TRIBUNE_PASSWORD_MEMORY_KIB of argon2id and a good part of a second of
// CPU, so: failures are counted before the check (loginLimiter), the
// checks running at once are bounded (checkGate), and a right password is
// remembered for a while (credCache), so that an HTTP Basic client does not
// pay a check per request.

// loginLimiter counts failed log-ins, taking a try before the check and
// giving it back when the password was right or the check did not run.
// Failures are counted per account and address and per address, so that
// an attacker's guesses from one address keep nobody else out; and per
// account from the addresses it has not logged in from lately, against a
// guess spread over many addresses, which then waits while the owner, from
// an address they logged in from before, still gets in.
//
// One address draws at most accountShare tries an hour from an account's
// guard: past its share it is held by its own limits only, so that it
// takes many addresses, not one patient one, to empty the guard and make
// the owner wait at a new address.
type loginLimiter struct {
	pair, address, account limit.Limiter
	share                  limit.Limiter // per account and address, feeding account; nil when account is off
	known                  *knownAddresses
}

// accountShare is how many tries an hour one address may take from an
// account's guard.
const accountShare = 10

// newLoginLimiter makes its limits with limitOf (newLimit: in memory, or
// shared through the database).
func newLoginLimiter(cfg *config.Config, limitOf func(name string, r config.Rate) limit.Limiter) loginLimiter {
	l := loginLimiter{pair: limitOf("login-pair", cfg.LoginRateLimit), address: limitOf("login-address", cfg.LoginAddressRateLimit),
		account: limitOf("login-account", cfg.LoginAccountRateLimit), known: newKnownAddresses()}
	if !cfg.LoginAccountRateLimit.Off() {
		l.share = limitOf("login-share", config.Rate{N: accountShare, Period: time.Hour})
	}
	return l
}

// take takes a try for the account name (lower case) from addr (an
// address key). It returns how to give it back, or how long to wait when a
// limit is reached.
func (l loginLimiter) take(ctx context.Context, name, addr string) (giveBack func(), wait time.Duration, err error) {
	type taken struct {
		t   limit.Limiter
		key string
	}
	var got []taken
	giveBack = func() {
		// Even when the asker has left: the check did not count. A try
		// that could not be given back stays taken, which errs on the
		// safe side.
		ctx := context.WithoutCancel(ctx)
		for _, g := range got {
			g.t.Give(ctx, g.key)
		}
	}
	try := func(t limit.Limiter, key string) bool {
		if err != nil {
			return false
		}
		var ok bool
		if ok, wait, err = t.Take(ctx, key); ok {
			got = append(got, taken{t, key})
		}
		return ok
	}
	guarded := func() bool {
		if l.known.has(name, addr) || l.share == nil {
			return true
		}
		ok, _, e := l.share.Take(ctx, name+"\x00"+addr)
		if e != nil {
			err = e
			return false
		}
		if !ok {
			return true // this address has had its share of the guard
		}
		got = append(got, taken{l.share, name + "\x00" + addr})
		return try(l.account, name)
	}
	if try(l.pair, name+"\x00"+addr) && try(l.address, addr) && guarded() {
		return giveBack, 0, nil
	}
	giveBack()
	return nil, wait, err
}

// knownAddresses remembers, per account, the addresses that logged in to
// it lately. In memory: a restart forgets them, and another process has
// its own.
type knownAddresses struct {
	mu  sync.Mutex
	m   map[string]map[string]time.Time // account → address → last log-in
	now func() time.Time
}

const (
	knownFor        = 30 * 24 * time.Hour
	knownPerAccount = 16      // the most recent addresses of an account
	knownAccounts   = 100_000 // beyond, new accounts are not remembered
)

func newKnownAddresses() *knownAddresses {
	return &knownAddresses{m: map[string]map[string]time.Time{}, now: time.Now}
}

func (k *knownAddresses) has(name, addr string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	at, ok := k.m[name][addr]
	return ok && k.now().Sub(at) < knownFor
}

func (k *knownAddresses) add(name, addr string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	as, ok := k.m[name]
	if !ok {
		if len(k.m) >= knownAccounts {
			k.sweep(now)
			if len(k.m) >= knownAccounts {
				return
			}
		}
		as = map[string]time.Time{}
		k.m[name] = as
	}
	if _, ok := as[addr]; !ok && len(as) >= knownPerAccount {
		oldest := ""
		for a, t := range as {
			if oldest == "" || t.Before(as[oldest]) {
				oldest = a
			}
		}
		delete(as, oldest)
	}
	as[addr] = now
}

func (k *knownAddresses) sweep(now time.Time) {
	for name, as := range k.m {
		for a, t := range as {
			if now.Sub(t) >= knownFor {
				delete(as, a)
			}
		}
		if len(as) == 0 {
			delete(k.m, name)
		}
	}
}

// checkGate bounds the password checks running at once (each holds its
// argon2id memory) and the ones waiting for them. One account or one
// address may hold only so many places, so that a flood of guesses on one
// account leaves room for the others' log-ins. Beyond, or after waiting
// too long, a check is refused with a *BusyError.
type checkGate struct {
	slots   chan struct{}
	most    int           // checks running or waiting
	perKey  int           // of them, for one account or one address
	wait    time.Duration // the longest wait for a slot
	collect bool          // collect the garbage after each check

	mu      sync.Mutex
	in      int
	keys    map[string]int
	running int
	peak    int   // the most checks that ran at once
	done    int64 // checks run
}

// checkWait is how long a check may wait for a slot; with the queue's
// bound, it keeps every answer within a few seconds.
const checkWait = 3 * time.Second

// collectAbove is the argon2id memory cost above which each check is
// followed by a garbage collection.
const collectAbove = 4 << 10 // KiB

func newCheckGate(n int, memoryKiB uint32) *checkGate {
	n = max(n, 1)
	return &checkGate{slots: make(chan struct{}, n), most: 3 * n, perKey: n, wait: checkWait, keys: map[string]int{},
		collect: memoryKiB >= collectAbove}
}

// enter waits for a slot for a check on behalf of keys (the account and
// the address); leave frees it.
func (g *checkGate) enter(ctx context.Context, keys ...string) (leave func(), err error) {
	g.mu.Lock()
	full := g.in >= g.most
	for _, k := range keys {
		full = full || g.keys[k] >= g.perKey
	}
	if full {
		g.mu.Unlock()
		return nil, &BusyError{Wait: time.Second}
	}
	g.in++
	for _, k := range keys {
		g.keys[k]++
	}
	g.mu.Unlock()
	out := func(ran bool) {
		g.mu.Lock()
		defer g.mu.Unlock()
		g.in--
		for _, k := range keys {
			if g.keys[k]--; g.keys[k] == 0 {
				delete(g.keys, k)
			}
		}
		if ran {
			g.running--
		}
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
	case <-t.C:
		out(false)
		return nil, &BusyError{Wait: time.Second}
	case <-ctx.Done():
		out(false)
		return nil, ctx.Err()
	}
	g.mu.Lock()
	g.running++
	g.done++
	g.peak = max(g.peak, g.running)
	g.mu.Unlock()
	return func() {
		if g.collect {
			// argon2id's memory is garbage once the check is done:
			// collected now, the next check reuses it, rather than the
			// heap growing to twice what the running checks hold.
			runtime.GC()
		}
		out(true) // counted out before the slot is free for the next
		<-g.slots
	}, nil
}

// stats are the checks run and the most that ran at once.
func (g *checkGate) stats() (done int64, peak int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.done, g.peak
}

// credCache remembers right user names and passwords for a while, by a
// keyed hash (HMAC with a random key of this process: the memory holds
// nothing a password can be guessed from offline). An entry names the
// account and the hash it was checked against: the caller reads the
// account again and trusts the entry only if its hash is the same, so a
// password change, a deletion or a new role, in this process or another,
// is honoured at once.
type credCache struct {
	ttl time.Duration // 0: off
	key []byte
	now func() time.Time

	mu sync.Mutex
	m  map[[sha256.Size]byte]cred
}

type cred struct {
	id      int64
	hash    string
	expires time.Time
}

// credCacheSize bounds the entries: right passwords, so few in practice.
const credCacheSize = 10_000

func newCredCache(ttl time.Duration) *credCache {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand)
	return &credCache{ttl: ttl, key: key, now: time.Now, m: map[[sha256.Size]byte]cred{}}
}

// sum is the entry's key for a (lower-case) name and a password.
func (c *credCache) sum(name, password string) [sha256.Size]byte {
	h := hmac.New(sha256.New, c.key)
	h.Write(binary.AppendUvarint(nil, uint64(len(name))))
	h.Write([]byte(name))
	h.Write([]byte(password))
	var s [sha256.Size]byte
	h.Sum(s[:0])
	return s
}

// get returns the account and hash a name and password were found right
// for.
func (c *credCache) get(name, password string) (id int64, hash string, ok bool) {
	if c.ttl <= 0 {
		return 0, "", false
	}
	s := c.sum(name, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[s]
	if !ok || !c.now().Before(e.expires) {
		delete(c.m, s)
		return 0, "", false
	}
	return e.id, e.hash, true
}

// put remembers that password is right for the account named name, as of
// its hash.
func (c *credCache) put(name, password string, id int64, hash string) {
	if c.ttl <= 0 {
		return
	}
	s := c.sum(name, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.m) >= credCacheSize {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= credCacheSize {
			return
		}
	}
	c.m[s] = cred{id: id, hash: hash, expires: now.Add(c.ttl)}
}

// forget drops an entry that no longer holds.
func (c *credCache) forget(name, password string) {
	s := c.sum(name, password)
	c.mu.Lock()
	delete(c.m, s)
	c.mu.Unlock()
}
