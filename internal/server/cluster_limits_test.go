package server

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// Two processes on one PostgreSQL database share the rate limits: a
// visitor's post budget is N in all, not N on each. The N+1th post is
// refused with 429 and Retry-After on either process, and the budget comes
// back with time on both.
func TestClusterSharesThePostBudget(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	shared := storetest.Backend{Name: "postgres", DSN: storetest.PostgresSchema(t, pg)}
	// One token every 2 s: the posts below take far less.
	const n = 5
	limit := func(c *config.Config) { c.PostRateLimit = config.Rate{N: n, Period: n * 2 * time.Second} }
	a, b := newTribune(t, shared, limit), newTribune(t, shared, limit)
	clients := []*client{a.client("on A"), b.client("on B")} // one address: 192.0.2.1
	for i := range n {
		clients[i%2].say("/", fmt.Sprint("post ", i))
	}
	var wait time.Duration
	for _, c := range clients {
		w := c.post("/post/", "content", "one too many")
		secs, err := strconv.Atoi(w.Header().Get("Retry-After"))
		if w.Code != http.StatusTooManyRequests || err != nil || secs < 1 || secs > 2 {
			t.Fatalf("post %d on %s: %d, Retry-After %q, %s", n+1, c.ua, w.Code, w.Header().Get("Retry-After"), w.Body)
		}
		wait = time.Duration(secs) * time.Second
	}
	time.Sleep(wait)
	for _, c := range clients {
		c.say("/", "after the wait")
		time.Sleep(wait)
	}
	// Another address has a budget of its own.
	w := a.from("198.51.100.7:5000", "POST", "/post/", "content=elsewhere")
	if w.Code != http.StatusOK {
		t.Fatalf("another address: %d %s", w.Code, w.Body)
	}
}

// The failed log-ins too are counted for the cluster: guesses spread over
// two processes reach the limit as soon as on one.
func TestClusterSharesTheLoginTries(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	shared := storetest.Backend{Name: "postgres", DSN: storetest.PostgresSchema(t, pg)}
	limit := func(c *config.Config) { c.LoginRateLimit = config.Rate{N: 4, Period: time.Hour} }
	a, b := newTribune(t, shared, limit), newTribune(t, shared, limit)
	a.createUser(t, "bob", model.RoleUser)
	const attacker = "203.0.113.9:4000"
	nodes := []*tribune{a, b}
	for i := range 4 {
		if w := nodes[i%2].logIn(attacker, "bob", fmt.Sprint("guess-", i)); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d %s", i, w.Code, w.Body)
		}
	}
	for i, n := range nodes {
		if w := n.logIn(attacker, "bob", "bob-password"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
			t.Fatalf("fifth try on node %d: %d %v", i, w.Code, w.Header())
		}
	}
	// A right password gives its try back, on every process: bob from
	// home logs in as often as he likes.
	for i := range 6 {
		if w := nodes[i%2].logIn("198.51.100.7:5000", "bob", "bob-password"); w.Code != http.StatusOK {
			t.Fatalf("bob from home, log-in %d: %d %s", i, w.Code, w.Body)
		}
	}
}
