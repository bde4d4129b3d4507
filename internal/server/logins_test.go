package server

import (
	"encoding/base64"
	"fmt"

	"net/http/httptest"
	"net/url"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// The attacks on passwords: floods of wrong log-ins, locking an account
// out, HTTP Basic clients that make the server check a password per
// request.

// from sends a request as a client at addr would; headers are name, value
// pairs.
func (tr *tribune) from(addr, method, target, body string, headers ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.RemoteAddr = addr
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	tr.srv.ServeHTTP(w, r)
	return w
}

// logIn posts the log-in form from addr.
func (tr *tribune) logIn(addr, name, password string, headers ...string) *httptest.ResponseRecorder {
	form := url.Values{"username": {name}, "password": {password}}.Encode()
	return tr.from(addr, "POST", "/login", form, headers...)
}

func basicAuth(name, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+password))
}

// heapWatch samples the Go heap the process holds (in use or not yet given
// back to the system: what its RSS is made of) until stopped.
type heapWatch struct {
	idle, peak uint64
	done       chan struct{}
	wg         sync.WaitGroup
}

func watchHeap() *heapWatch {
	debug.FreeOSMemory() // the heap given back: what is held from now on is new
	h := &heapWatch{idle: heapHeld(), done: make(chan struct{})}
	h.peak = h.idle
	h.wg.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-t.C:
				h.peak = max(h.peak, heapHeld())
			}
		}
	})
	return h
}

func (h *heapWatch) above() uint64 { close(h.done); h.wg.Wait(); return h.peak - h.idle }

func heapHeld() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapSys - m.HeapReleased
}

// TestConcurrentWrongLogins is the attack of the issue: 100 concurrent
// wrong log-ins with the default 64 MiB argon2id cost, from one address
// and from 100, while another user logs in. The server must stay under
// 300 MB above its idle size, answer everyone within 5 s, and let the
// other user in.
func TestConcurrentWrongLogins(t *testing.T) {
	for _, sources := range []int{1, 100} {
		t.Run(fmt.Sprintf("%d addresses", sources), func(t *testing.T) {
			tr := sqliteTribune(t, func(c *config.Config) { c.PasswordHashMemoryKiB = 64 * 1024 })
			for _, name := range []string{"bob", "alice"} {
				if _, err := tr.board.CreateUser(t.Context(), name, name+"-password", model.RoleUser); err != nil {
					t.Fatal(err)
				}
			}
			heap := watchHeap()
			type answer struct {
				code  int
				retry string
				body  string
				took  time.Duration
			}
			answers := make([]answer, 100)
			var wg sync.WaitGroup
			for i := range answers {
				wg.Go(func() {
					addr := fmt.Sprintf("203.0.113.%d:4000", i%sources+1)
					t0 := time.Now()
					w := tr.logIn(addr, "bob", fmt.Sprintf("guess-%d", i))
					answers[i] = answer{w.Code, w.Header().Get("Retry-After"), w.Body.String(), time.Since(t0)}
				})
			}
			var alice answer
			wg.Go(func() {
				time.Sleep(50 * time.Millisecond)
				t0 := time.Now()
				w := tr.logIn("198.51.100.7:5000", "alice", "alice-password")
				alice = answer{w.Code, "", w.Body.String(), time.Since(t0)}
			})
			wg.Wait()
			above := heap.above()
			counts := map[int]int{}
			for i, a := range answers {
				counts[a.code]++
				switch {
				case a.took > 5*time.Second:
					t.Errorf("attempt %d answered in %s", i, a.took)
				case a.code == 401:
				case (a.code == 429 || a.code == 503) && a.retry != "":
				default:
					t.Errorf("attempt %d: %d %q (Retry-After %q)", i, a.code, a.body, a.retry)
				}
			}
			if alice.code != 200 || alice.took > 5*time.Second {
				t.Errorf("the other user's log-in: %d %q in %s", alice.code, alice.body, alice.took)
			}
			done, most := tr.board.PasswordChecks()
			t.Logf("statuses %v; %d checks, at most %d at once; heap %d MB above idle; alice in %s",
				counts, done, most, above>>20, alice.took)
			if above > 300<<20 {
				t.Errorf("the heap grew by %d MB", above>>20)
			}
			if sources == 1 && counts[401] > 10 {
				t.Errorf("%d wrong passwords checked from one address, the limit is 10", counts[401])
			}
		})
	}
}

// TestBusy: beyond the checks it can afford, the server answers 503 with
// Retry-After, in the asker's language.
func TestBusy(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.PasswordHashMemoryKiB = 64 * 1024; c.PasswordChecks = 1 })
	if _, err := tr.board.CreateUser(t.Context(), "bob", "bob-password", model.RoleUser); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { tr.logIn("203.0.113.1:1", "bob", "guess-1") })
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if done, _ := tr.board.PasswordChecks(); done == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first check never started")
		}
	}
	// One check for bob is running: another waits for nothing (the same
	// credentials would share its answer).
	w := tr.logIn("203.0.113.2:1", "bob", "guess-2", "Accept-Language", "fr")
	if w.Code != 503 || w.Header().Get("Retry-After") != "1" ||
		w.Body.String() != "Le serveur est occupé à vérifier des mots de passe\u00a0: réessayez dans 1 seconde" {
		t.Fatalf("busy: %d %v %q", w.Code, w.Header(), w.Body)
	}
	w = tr.from("203.0.113.3:1", "POST", "/post/", "content=hello", "Authorization", basicAuth("bob", "guess-3"))
	if w.Code != 503 || w.Header().Get("Retry-After") != "1" ||
		w.Body.String() != "The server is busy checking passwords: try again in 1 second" {
		t.Fatalf("busy, HTTP Basic: %d %v %q", w.Code, w.Header(), w.Body)
	}
}

// TestNoLockout: an attacker's wrong passwords from one address do not keep
// the account's owner out from another; they keep the attacker out.
func TestNoLockout(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.createUser(t, "bob", model.RoleAdmin)
		tr.createUser(t, "alice", model.RoleUser)
		const attacker = "203.0.113.9:4000"
		for i := range 10 {
			if w := tr.logIn(attacker, "bob", fmt.Sprint("guess-", i)); w.Code != 401 {
				t.Fatalf("wrong password %d: %d %q", i, w.Code, w.Body)
			}
		}
		for _, pw := range []string{"guess-10", "bob-password"} {
			if w := tr.logIn(attacker, "bob", pw); w.Code != 429 || w.Header().Get("Retry-After") == "" {
				t.Fatalf("the attacker's 11th try: %d %v", w.Code, w.Header())
			}
		}
		if w := tr.logIn("198.51.100.7:5000", "bob", "bob-password"); w.Code != 200 {
			t.Fatalf("bob from his own address after an attack from another: %d %q", w.Code, w.Body)
		}
		if w := tr.logIn("198.51.100.7:5000", "Bob", "bob-password"); w.Code != 200 {
			t.Fatalf("bob again: %d %q", w.Code, w.Body)
		}
		// The attacker's address may still log in to another account:
		// its failures were for bob.
		if w := tr.logIn(attacker, "alice", "alice-password"); w.Code != 200 {
			t.Fatalf("alice from the attacker's address: %d %q", w.Code, w.Body)
		}
		// An IPv6 /64 is one address.
		for i := range 10 {
			tr.logIn(fmt.Sprintf("[2001:db8:1:2::%x]:4000", i+1), "bob", "guess")
		}
		if w := tr.logIn("[2001:db8:1:2:ffff::1]:4000", "bob", "bob-password"); w.Code != 429 {
			t.Fatalf("11th try from the same /64: %d", w.Code)
		}
		if w := tr.logIn("[2001:db8:1:3::1]:4000", "bob", "bob-password"); w.Code != 200 {
			t.Fatalf("from the next /64: %d", w.Code)
		}
	})
}

// TestAccountGuard: guesses on one account spread over many addresses are
// limited per account, for the addresses the account has not logged in
// from; the owner's own address still gets in.
func TestAccountGuard(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.LoginAccountRateLimit = config.Rate{N: 5, Period: time.Hour} },
		func(t *testing.T, tr *tribune) {
			tr.createUser(t, "bob", model.RoleAdmin)
			const home = "198.51.100.7:5000"
			if w := tr.logIn(home, "bob", "bob-password"); w.Code != 200 {
				t.Fatalf("log-in from home: %d", w.Code)
			}
			for i := range 5 {
				if w := tr.logIn(fmt.Sprintf("203.0.113.%d:4000", i+1), "bob", "guess"); w.Code != 401 {
					t.Fatalf("guess %d: %d", i, w.Code)
				}
			}
			if w := tr.logIn("203.0.113.99:4000", "bob", "bob-password"); w.Code != 429 || w.Header().Get("Retry-After") == "" {
				t.Fatalf("a sixth address, even with the right password: %d %v", w.Code, w.Header())
			}
			if w := tr.logIn(home, "bob", "bob-password"); w.Code != 200 {
				t.Fatalf("bob from home during the attack: %d %q", w.Code, w.Body)
			}
		})
}

// TestBasicFlood: an HTTP Basic client costs one password check, not one
// per request; its 429s cost none; wrong credentials are refused before
// the check once the tries are spent; a password or role changed by
// another process is honoured at once.
func TestBasicFlood(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.PostRateLimit = config.Rate{N: 5, Period: time.Minute} },
		func(t *testing.T, tr *tribune) {
			tr.createUser(t, "bot", model.RoleUser)
			tr.createUser(t, "mod", model.RoleModerator)
			checks := func() int64 { n, _ := tr.board.PasswordChecks(); return n }
			const addr = "203.0.113.5:4000"
			counts := map[int]int{}
			for i := range 12 {
				w := tr.from(addr, "POST", "/post/", "content=beep", "Authorization", basicAuth("bot", "bot-password"))
				counts[w.Code]++
				if w.Code == 429 && (w.Header().Get("Retry-After") == "" || !strings.HasPrefix(w.Body.String(), "Too many posts")) {
					t.Fatalf("post %d: %d %v %q", i, w.Code, w.Header(), w.Body)
				}
			}
			if counts[200] != 5 || counts[429] != 7 || checks() != 1 {
				t.Fatalf("12 posts by Basic: %v, %d password checks (want 1)", counts, checks())
			}
			// Wrong credentials: 10 checks, then 429s that check nothing.
			counts = map[int]int{}
			for range 15 {
				w := tr.from(addr, "POST", "/post/", "content=beep", "Authorization", basicAuth("bot", "guess"))
				counts[w.Code]++
			}
			if counts[401] != 10 || counts[429] != 5 || checks() != 11 {
				t.Fatalf("15 wrong Basic posts: %v, %d checks (want 11)", counts, checks())
			}
			// The moderation API with Basic: one check for many calls.
			for range 5 {
				if w := tr.from("198.51.100.1:1", "GET", "/moderation/pending.json", "", "Authorization", basicAuth("mod", "mod-password")); w.Code != 200 {
					t.Fatalf("moderation API: %d %q", w.Code, w.Body)
				}
			}
			if checks() != 12 {
				t.Fatalf("5 moderation calls cost %d checks", checks()-11)
			}
			// Another process changes the password and the role.
			other := &tribune{t: t, cfg: tr.cfg, st: tr.st, log: tr.log}
			other.board, other.srv = other.newServer()
			if err := other.board.SetPassword(t.Context(), "bot", "new-password"); err != nil {
				t.Fatal(err)
			}
			if w := tr.from("198.51.100.2:1", "POST", "/post/", "content=beep", "Authorization", basicAuth("bot", "bot-password")); w.Code != 401 {
				t.Fatalf("old password after a change elsewhere: %d", w.Code)
			}
			if err := other.board.SetRole(t.Context(), nil, "mod", model.RoleUser); err != nil {
				t.Fatal(err)
			}
			if w := tr.from("198.51.100.1:1", "GET", "/moderation/pending.json", "", "Authorization", basicAuth("mod", "mod-password")); w.Code != 403 {
				t.Fatalf("moderation API after losing the role elsewhere: %d", w.Code)
			}
			if err := other.board.DeleteUser(t.Context(), "mod"); err != nil {
				t.Fatal(err)
			}
			if w := tr.from("198.51.100.1:1", "POST", "/post/", "content=ghost", "Authorization", basicAuth("mod", "mod-password")); w.Code != 401 {
				t.Fatalf("deleted account: %d %q", w.Code, w.Body)
			}
		})
}

// TestOddCredentials: credentials that cannot be an account's are refused
// as wrong ones, on both databases (PostgreSQL refuses invalid UTF-8 and
// NUL in a query).
func TestOddCredentials(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		for i, name := range []string{"\xff\xfe", "bo\x00b", strings.Repeat("x", 2000), ""} {
			addr := fmt.Sprintf("203.0.113.%d:1", i+1)
			if w := tr.logIn(addr, name, "password"); w.Code != 401 {
				t.Errorf("log-in as %q: %d %q", name, w.Code, w.Body)
			}
			auth := "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":password"))
			if w := tr.from(addr, "POST", "/post/", "content=x", "Authorization", auth); w.Code != 401 {
				t.Errorf("Basic as %q: %d %q", name, w.Code, w.Body)
			}
		}
		if w := tr.logIn("203.0.113.9:1", "bob", strings.Repeat("p", 5000)); w.Code != 401 {
			t.Errorf("long password: %d", w.Code)
		}
	})
}

// TestBasicTogether: a client sending the same credentials in several
// requests at once (opening its channels) pays one check for them all.
func TestBasicTogether(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.createUser(t, "bot", model.RoleUser)
	codes := make([]int, 10)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			w := tr.from("203.0.113.5:4000", "POST", "/post/", "content=beep", "Authorization", basicAuth("bot", "bot-password"))
			codes[i] = w.Code
		})
	}
	wg.Wait()
	done, _ := tr.board.PasswordChecks()
	for i, c := range codes {
		if c != 200 {
			t.Errorf("post %d: %d", i, c)
		}
	}
	if done != 1 {
		t.Errorf("%d password checks for one client's credentials", done)
	}
}

// TestOneAddressCannotEmptyTheGuard: one patient address draws only its
// share of an account's guard, so the owner still gets in from a new
// address; it takes many addresses to make him wait there.
func TestOneAddressCannotEmptyTheGuard(t *testing.T) {
	eachTribune(t, func(c *config.Config) {
		c.LoginRateLimit = config.Rate{N: 1000, Period: time.Minute}
		c.LoginAddressRateLimit = config.Rate{N: 1000, Period: time.Minute}
		c.LoginAccountRateLimit = config.Rate{N: 15, Period: time.Hour}
	}, func(t *testing.T, tr *tribune) {
		tr.createUser(t, "bob", model.RoleAdmin)
		for i := range 40 {
			if w := tr.logIn("203.0.113.9:4000", "bob", fmt.Sprint("guess-", i)); w.Code != 401 {
				t.Fatalf("guess %d: %d", i, w.Code)
			}
		}
		if w := tr.logIn("198.51.100.77:5000", "bob", "bob-password"); w.Code != 200 {
			t.Fatalf("bob from a new address after one address's 40 guesses: %d %q", w.Code, w.Body)
		}
		// Two more addresses, each with its share: the guard is spent.
		for _, a := range []string{"203.0.113.10:4000", "203.0.113.11:4000"} {
			for i := range 10 {
				tr.logIn(a, "bob", fmt.Sprint("guess-", i))
			}
		}
		if w := tr.logIn("198.51.100.78:5000", "bob", "bob-password"); w.Code != 429 {
			t.Fatalf("bob from a new address after three addresses' guesses: %d", w.Code)
		}
	})
}
