package server

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// Another process deletes a channel while this one runs: a post to it is
// 404 (not a 500 from the foreign key), and its reads stop.
func TestChannelDeletedByAnotherProcess(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			tr := newTribune(t, b, nil)
			if _, err := tr.st.CreateChannel(t.Context(), "ok", "OK"); err != nil {
				t.Fatal(err)
			}
			c := tr.client("Mozilla/5.0")
			c.say("/ok/", "before")
			other := storetest.Open(t, b, store.Options{Location: paris})
			if err := other.DeleteChannel(t.Context(), "ok"); err != nil {
				t.Fatal(err)
			}
			// On SQLite nothing tells this process: the post reaches the
			// store. On PostgreSQL a notification may be first.
			if w := c.post("/ok/post/", "content", "after"); w.Code != http.StatusNotFound {
				t.Fatalf("post to the deleted channel: %d %s", w.Code, w.Body)
			}
			if w := c.get("/ok/remote/json/"); w.Code != http.StatusNotFound {
				t.Fatalf("read of the deleted channel: %d", w.Code)
			}
		})
	}
}

// On PostgreSQL the other process's notification makes this one forget a
// deleted channel before its periodic refresh.
func TestChannelDeletionNotified(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	b := storetest.Backend{Name: "postgres", DSN: storetest.PostgresSchema(t, pg)}
	tr := newTribune(t, b, nil)
	if _, err := tr.st.CreateChannel(t.Context(), "ok", "OK"); err != nil {
		t.Fatal(err)
	}
	c := tr.client("Mozilla/5.0")
	c.say("/ok/", "before")
	time.Sleep(200 * time.Millisecond) // the hub's LISTEN is up
	start := time.Now()
	other := storetest.Open(t, b, store.Options{Location: paris})
	if err := other.DeleteChannel(t.Context(), "ok"); err != nil {
		t.Fatal(err)
	}
	for c.get("/ok/remote/json/").Code != http.StatusNotFound {
		if time.Since(start) > 2500*time.Millisecond /* half the board's periodic refresh */ {
			t.Fatal("the deleted channel is still served")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// An unknown first path segment is answered from the channel list in
// memory, without a query each time; a channel created by another process
// is still found at once.
func TestUnknownSlugs(t *testing.T) {
	b := storetest.Backends(t)[0]
	tr := newTribune(t, b, nil)
	c := tr.client("Mozilla/5.0")
	other := storetest.Open(t, b, store.Options{Location: paris})
	if _, err := other.CreateChannel(t.Context(), "fresh", "Fresh"); err != nil {
		t.Fatal(err)
	}
	if w := c.post("/fresh/post/", "content", "x"); w.Code != 200 {
		t.Fatalf("channel created by another process: %d %s", w.Code, w.Body)
	}
	// Unknown ones cost no query each: see the board's TestUnknownSlugsFromMemory.
	for _, path := range []string{"/favicon.ico", "/nope/remote/xml/", "/nope2/", "/wp-login.php"} {
		if w := c.get(path); w.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, w.Code)
		}
	}
}
