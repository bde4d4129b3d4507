package server

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// lockedBuffer is a log sink for several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A full disk: posts are answered 503 with Retry-After and a short
// explanation, not a generic 500, and the log says so once, with a count,
// not once per post. (SQLite: a page cap fills the database as a full disk
// would.)
func TestStorageFull(t *testing.T) {
	logs := &lockedBuffer{}
	cfg := testConfig()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(logs, nil))
	st := storetest.Open(t, storetest.Backends(t)[0], store.Options{Location: cfg.Location, Logger: log, MaxPageCount: 60})
	tr := &tribune{t: t, cfg: cfg, st: st, log: log, clock: &clock{}}
	tr.board, tr.srv = tr.newServer()
	c := tr.client("Mozilla/5.0")
	full := 0
	for i := 0; i < 3000 && full < 20; i++ {
		w := c.post("/post/", "content", fmt.Sprintf("%d %s", i, strings.Repeat("x", 450)))
		switch w.Code {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
			full++
			if w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), "storage is full") {
				t.Fatalf("full: %v %q", w.Header(), w.Body)
			}
		default:
			t.Fatalf("post %d: %d %s", i, w.Code, w.Body)
		}
	}
	if full < 20 {
		t.Fatal("the database never filled")
	}
	if n := strings.Count(logs.String(), "storage full"); n != 1 {
		t.Fatalf("%d log lines for 20 refused posts:\n%s", n, logs)
	}
	if strings.Contains(logs.String(), "request failed") {
		t.Fatalf("logged as an internal error:\n%s", logs)
	}
	// Reads still work.
	if w := c.get("/remote/json/"); w.Code != http.StatusOK {
		t.Fatalf("read while full: %d", w.Code)
	}
}
