package server

import (
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/store/storetest"
)

// Several server processes share one PostgreSQL database: what one
// publishes, the others' backends and live streams show, and ids stay
// ordered for a client polling any of them.
func TestProcessesSharingPostgres(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	dsn := storetest.PostgresSchema(t, pg)
	shared := storetest.Backend{Name: "postgres", DSN: dsn}
	a, b := newTribune(t, shared, nil), newTribune(t, shared, nil)
	nodes := []*tribune{a, b}
	ca, cb := a.client("on A"), b.client("on B")
	// B caches its snapshot before A posts.
	if w := cb.get("/remote/json/"); w.Code != 304 {
		t.Fatalf("empty: %d", w.Code)
	}
	srvB := httptest.NewServer(b.srv)
	t.Cleanup(srvB.Close)
	live := openStream(t, srvB, "/remote/stream/", nil)
	select { // B hears A's commits
	case <-b.st.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("B never listens")
	}

	id := ca.say("/", "posted on A")
	if e := live.next("message"); e.id != fmt.Sprint(id) || !strings.Contains(e.data, "posted on A") {
		t.Fatalf("B's stream: %+v", e)
	}
	waitFor(t, func() bool { return slices.Equal(ids(decodeJSON(t, cb.get("/remote/json/"))), []int64{id}) })

	// Concurrent posts on both: each node's backend ends up with every id,
	// in order, and no poller skips one.
	var wg sync.WaitGroup
	for _, n := range nodes {
		c := n.client("poster")
		wg.Go(func() {
			for i := range 20 {
				c.say("/", fmt.Sprint("burst ", i))
			}
		})
	}
	wg.Wait()
	for _, c := range []*client{ca, cb} {
		waitFor(t, func() bool { return len(decodeJSON(t, c.get("/remote/json/?limit=100"))) == 41 })
		got := ids(decodeJSON(t, c.get("/remote/json/?limit=100")))
		if !slices.IsSorted(got) || got[0] != id {
			t.Fatalf("ids %v", got)
		}
	}
	// A channel created through A is known to B.
	if w := ca.get("/"); w.Code != 200 {
		t.Fatal(w.Code)
	}
	if _, err := a.st.CreateChannel(t.Context(), "shared", "Shared"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return cb.post("/shared/post/", "content", "x").Code == 200 })
}
