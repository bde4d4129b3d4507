package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/outbound"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

var paris, _ = time.LoadLocation("Europe/Paris")

// clock is a settable clock for the store's publication times.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t.IsZero() {
		return time.Now()
	}
	return c.t
}

// set fixes the clock at a local Paris time ("2013-03-10 15:30:12").
func (c *clock) set(t *testing.T, local string) {
	tm, err := time.ParseInLocation("2006-01-02 15:04:05", local, paris)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.t = tm
	c.mu.Unlock()
}

// tribune is a whole server over a throw-away database.
type tribune struct {
	t     testing.TB
	cfg   *config.Config
	st    *store.Store
	board *board.Board
	srv   *Server
	clock *clock
	log   *slog.Logger
}

func testConfig() *config.Config {
	cfg := config.Default()
	cfg.Location = paris
	cfg.PasswordHashMemoryKiB = 64 // fast hashes in tests
	cfg.SiteURL = "http://example.com"
	cfg.PostRateLimit = config.Rate{}
	cfg.SignupRateLimit = config.Rate{}
	cfg.TotozSearchURL = "" // nothing may reach totoz.eu from a test
	return &cfg
}

// newTribune starts a tribune on b with the config changes of mutate.
func newTribune(t testing.TB, b storetest.Backend, mutate func(*config.Config)) *tribune {
	t.Helper()
	cfg := testConfig()
	if mutate != nil {
		mutate(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	clk := &clock{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st := storetest.Open(t, b, store.Options{Location: cfg.Location, Now: clk.Now, Logger: log})
	tr := &tribune{t: t, cfg: cfg, st: st, clock: clk, log: log}
	tr.board, tr.srv = tr.newServer()
	return tr
}

// newServer starts a board and its server over the tribune's store.
func (tr *tribune) newServer() (*board.Board, *Server) {
	tr.t.Helper()
	b, err := board.New(board.Deps{Config: tr.cfg, Store: tr.st, Logger: tr.log, Outbound: outbound.New(nil),
		Reserved: ReservedSlugs()})
	if err != nil {
		tr.t.Fatal(err)
	}
	srv, err := New(b, tr.log, nil)
	if err != nil {
		tr.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { b.Run(ctx) })
	tr.t.Cleanup(func() { srv.EndStreams(); cancel(); wg.Wait() })
	return b, srv
}

// sqliteTribune is newTribune on SQLite only, for tests that are about HTTP
// rather than storage.
func sqliteTribune(t testing.TB, mutate func(*config.Config)) *tribune {
	return newTribune(t, storetest.Backends(t)[0], mutate)
}

// eachTribune runs fn on a tribune over every available database.
func eachTribune(t *testing.T, mutate func(*config.Config), fn func(t *testing.T, tr *tribune)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, newTribune(t, b, mutate)) })
	}
}

// client is a user agent with a cookie jar.
type client struct {
	tr      *tribune
	ua      string
	cookies map[string]*http.Cookie
	header  http.Header // extra headers for every request
}

func (tr *tribune) client(ua string) *client {
	return &client{tr: tr, ua: ua, cookies: map[string]*http.Cookie{}, header: http.Header{}}
}

// do sends a request; body is urlencoded form data unless a Content-Type
// header says otherwise. headers are name, value pairs.
func (c *client) do(method, target, body string, headers ...string) *httptest.ResponseRecorder {
	c.tr.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	r.RemoteAddr = "192.0.2.1:1234"
	if c.ua != "" {
		r.Header.Set("User-Agent", c.ua)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range c.header {
		r.Header[k] = v
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	for _, ck := range c.cookies {
		r.AddCookie(ck)
	}
	w := httptest.NewRecorder()
	c.tr.srv.ServeHTTP(w, r)
	for _, ck := range w.Result().Cookies() {
		if ck.MaxAge < 0 {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = &http.Cookie{Name: ck.Name, Value: ck.Value, Quoted: ck.Quoted}
		}
	}
	return w
}

func (c *client) get(target string, headers ...string) *httptest.ResponseRecorder {
	return c.do("GET", target, "", headers...)
}

// post sends a form made of name, value pairs.
func (c *client) post(target string, fields ...string) *httptest.ResponseRecorder {
	vs := url.Values{}
	for i := 0; i+1 < len(fields); i += 2 {
		vs.Add(fields[i], fields[i+1])
	}
	return c.do("POST", target, vs.Encode())
}

// say posts content on the channel at path ("/" or "/slug/") and fails the
// test unless it is published.
func (c *client) say(path, content string) int64 {
	c.tr.t.Helper()
	w := c.post(path+"post/", "content", content)
	if w.Code != http.StatusOK || w.Header().Get("X-Post-Id") == "" {
		c.tr.t.Fatalf("post %q: %d %s", content, w.Code, w.Body)
	}
	var id int64
	json.Unmarshal([]byte(w.Header().Get("X-Post-Id")), &id)
	return id
}

// jsonRow is a row of the JSON backend.
type jsonRow struct {
	ID          int64   `json:"id"`
	Created     string  `json:"created"`
	Clock       string  `json:"clock"`
	Login       *string `json:"author__username"`
	UserAgent   string  `json:"user_agent"`
	WebRender   string  `json:"web_render"`
	ClockIndice int     `json:"clock_indice"`
	ClockClass  string  `json:"clockclass"`
	Owned       bool    `json:"owned"`
}

func decodeJSON(t testing.TB, w *httptest.ResponseRecorder) []jsonRow {
	t.Helper()
	var rows []jsonRow
	if err := json.Unmarshal(w.Body.Bytes(), &rows); err != nil {
		t.Fatalf("JSON backend: %v\n%s", err, w.Body)
	}
	return rows
}

func ids(rows []jsonRow) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = r.ID
	}
	return out
}

func idRange(from, to int64) []int64 {
	var out []int64
	if from <= to {
		for i := from; i <= to; i++ {
			out = append(out, i)
		}
	} else {
		for i := from; i >= to; i-- {
			out = append(out, i)
		}
	}
	return out
}
