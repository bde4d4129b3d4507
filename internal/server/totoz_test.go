package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
)

// fakeTotoz is a totoz server on loopback: its search answers what answer
// returns for the terms asked, and it records the terms.
type fakeTotoz struct {
	*httptest.Server
	mu    sync.Mutex
	asked []string
}

func newFakeTotoz(t *testing.T, answer func(w http.ResponseWriter, terms string)) *fakeTotoz {
	f := &fakeTotoz{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/search.xml" {
			http.NotFound(w, r)
			return
		}
		terms := r.URL.Query().Get("terms")
		f.mu.Lock()
		f.asked = append(f.asked, terms)
		f.mu.Unlock()
		answer(w, terms)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeTotoz) questions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// totozXML is totoz.eu's search answer for names.
func totozXML(names ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><totozes>`)
	for _, n := range names {
		fmt.Fprintf(&b, "<totoz><name>%s</name><user>u</user><nsfw>0</nsfw></totoz>", n)
	}
	b.WriteString("</totozes>")
	return b.String()
}

func (c *client) totozSearch(q string) (int, []string, *httptest.ResponseRecorder) {
	c.tr.t.Helper()
	w := c.get("/totoz/search?q="+url.QueryEscape(q), "Accept", "application/json")
	var names []string
	if w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), &names); err != nil {
			c.tr.t.Fatalf("answer %q: %v", w.Body, err)
		}
		if names == nil {
			c.tr.t.Fatalf("answer %q: not a list", w.Body)
		}
	}
	return w.Code, names, w
}

// The palette's search asks the totoz server named by the setting (auto:
// the image server's host), and passes on only names a totoz may have.
func TestTotozSearchPassesOnValidNames(t *testing.T) {
	remote := newFakeTotoz(t, func(w http.ResponseWriter, terms string) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprint(w, totozXML("plop", "plop:2", "Plop", "plop bis", "&lt;script&gt;alert(1)&lt;/script&gt;",
			"../../etc", "plöp", "plop]", "", "  ", strings.Repeat("p", 200), "plop\nx", "pl@p_-"))
	})
	tr := sqliteTribune(t, func(c *config.Config) {
		c.SmileysURL = remote.URL + "/img/{name}"
		c.TotozSearchURL = "auto"
	})
	code, names, w := tr.client("ff").totozSearch("pl op")
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, w.Body)
	}
	if got, want := strings.Join(names, ","), "plop,plop:2,plop bis,pl@p_-"; got != want {
		t.Errorf("names %q, want %q", got, want)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if got := remote.questions(); len(got) != 1 || got[0] != "pl op" {
		t.Errorf("the totoz server was asked %q", got)
	}
	// The board's page tells the palette where to search.
	page := tr.client("ff").get("/", "Accept", "text/html").Body.String()
	if !strings.Contains(page, `totozSearchURL`) {
		t.Error("the board does not give the palette the search's address")
	}
}

// The query is checked before anything leaves the site.
func TestTotozSearchRefusesBadQueries(t *testing.T) {
	remote := newFakeTotoz(t, func(w http.ResponseWriter, terms string) { fmt.Fprint(w, totozXML("x")) })
	tr := sqliteTribune(t, func(c *config.Config) { c.TotozSearchURL = remote.URL + "/search.xml?terms={query}" })
	c := tr.client("ff")
	for _, q := range []string{"", "é", "a&terms=b", "../x", "<b>", strings.Repeat("x", 41), "a\x00b", "a]b"} {
		if code, _, w := c.totozSearch(q); code != http.StatusBadRequest {
			t.Errorf("q=%q: status %d (%s)", q, code, w.Body)
		}
	}
	fr := c.get("/totoz/search?q=%C3%A9", "Accept-Language", "fr")
	if fr.Code != http.StatusBadRequest || !strings.Contains(fr.Body.String(), "Un nom de totoz") {
		t.Errorf("in French: %d %q", fr.Code, fr.Body)
	}
	if got := remote.questions(); len(got) != 0 {
		t.Errorf("bad queries reached the totoz server: %q", got)
	}
	if w := c.do(http.MethodPost, "/totoz/search?q=x", ""); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d", w.Code)
	}
}

// Whatever the remote does wrong, the palette gets an empty list, never a
// server error.
func TestTotozSearchRemoteFailures(t *testing.T) {
	big := totozXML(strings.Split(strings.Repeat("plop,", 20000), ",")...)
	remote := newFakeTotoz(t, func(w http.ResponseWriter, terms string) {
		switch terms {
		case "down":
			http.Error(w, "no", http.StatusInternalServerError)
		case "garbage":
			fmt.Fprint(w, "<html><body>not the search</body")
		case "json":
			fmt.Fprint(w, `["plop"]`)
		case "big":
			fmt.Fprint(w, big)
		case "moved":
			w.Header().Set("Location", "/search.xml?terms=plop")
			w.WriteHeader(http.StatusFound)
		case "cut":
			hj, _ := w.(http.Hijacker)
			conn, _, _ := hj.Hijack()
			conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<totozes><totoz><name>plop"))
			conn.Close()
		}
	})
	tr := sqliteTribune(t, func(c *config.Config) { c.TotozSearchURL = remote.URL + "/search.xml?terms={query}" })
	c := tr.client("ff")
	for _, q := range []string{"down", "garbage", "json", "big", "cut", "moved"} {
		code, names, w := c.totozSearch(q)
		if code != http.StatusOK || len(names) != 0 {
			t.Errorf("q=%s: status %d, %q", q, code, w.Body)
		}
	}
	if got := remote.questions(); len(got) != 6 {
		t.Errorf("the totoz server was asked %q (a redirect followed?)", got)
	}
	if len(big) <= 64<<10 {
		t.Fatal("the big answer is not big")
	}
}

// Answers are kept a while: the same name typed again does not ask the
// remote again; the rate limit counts the questions that do, per address.
func TestTotozSearchCacheAndLimit(t *testing.T) {
	remote := newFakeTotoz(t, func(w http.ResponseWriter, terms string) { fmt.Fprint(w, totozXML(terms+"1")) })
	tr := sqliteTribune(t, func(c *config.Config) {
		c.TotozSearchURL = remote.URL + "/search.xml?terms={query}"
		c.TotozSearchRateLimit = config.Rate{N: 3, Period: time.Hour}
	})
	c := tr.client("ff")
	for range 5 {
		if code, names, w := c.totozSearch("Plop"); code != http.StatusOK || len(names) != 1 || names[0] != "plop1" {
			t.Fatalf("status %d: %s", code, w.Body)
		}
	}
	if got := remote.questions(); len(got) != 1 {
		t.Errorf("the totoz server was asked %d times for one name", len(got))
	}
	c.totozSearch("a")
	c.totozSearch("b")
	code, _, w := c.totozSearch("c")
	if code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("the 4th question: %d %q (Retry-After %q)", code, w.Body, w.Header().Get("Retry-After"))
	}
	// Another address has its own budget.
	other := tr.client("ff")
	if code, _, w := other.totozSearchFrom("198.51.100.7", "d"); code != http.StatusOK {
		t.Errorf("another address: %d %s", code, w.Body)
	}
	if got := len(remote.questions()); got != 4 {
		t.Errorf("the totoz server was asked %d times, want 4", got)
	}
}

func (c *client) totozSearchFrom(addr, q string) (int, []string, *httptest.ResponseRecorder) {
	c.tr.t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/totoz/search?q="+url.QueryEscape(q), nil)
	req.RemoteAddr = addr + ":1234"
	w := httptest.NewRecorder()
	c.tr.srv.ServeHTTP(w, req)
	var names []string
	json.Unmarshal(w.Body.Bytes(), &names)
	return w.Code, names, w
}

// With no search, the route answers an empty list and asks no one; the
// board does not send the palette to it.
func TestTotozSearchOff(t *testing.T) {
	remote := newFakeTotoz(t, func(w http.ResponseWriter, terms string) { fmt.Fprint(w, totozXML("x")) })
	for name, mutate := range map[string]func(*config.Config){
		"empty":             func(c *config.Config) { c.SmileysURL = remote.URL + "/img/{name}"; c.TotozSearchURL = "" },
		"auto, no server":   func(c *config.Config) { c.SmileysURL = ""; c.TotozSearchURL = "auto" },
		"auto, on the site": func(c *config.Config) { c.SmileysURL = "/totoz/{name}.gif"; c.TotozSearchURL = "auto" },
	} {
		t.Run(name, func(t *testing.T) {
			tr := sqliteTribune(t, mutate)
			if code, names, w := tr.client("ff").totozSearch("plop"); code != http.StatusOK || len(names) != 0 {
				t.Errorf("status %d: %s", code, w.Body)
			}
			if strings.Contains(tr.client("ff").get("/", "Accept", "text/html").Body.String(), "totozSearchURL") {
				t.Error("the board sends the palette to a search that is off")
			}
		})
	}
	if got := remote.questions(); len(got) != 0 {
		t.Errorf("the totoz server was asked %q", got)
	}
}

// The locked tribune does not search for anonymous visitors.
func TestTotozSearchLocked(t *testing.T) {
	remote := newFakeTotoz(t, func(w http.ResponseWriter, terms string) { fmt.Fprint(w, totozXML("x")) })
	tr := sqliteTribune(t, func(c *config.Config) {
		c.TotozSearchURL = remote.URL + "/search.xml?terms={query}"
		c.Locked = true
	})
	if code, _, w := tr.client("ff").totozSearch("plop"); code != http.StatusForbidden {
		t.Errorf("status %d: %s", code, w.Body)
	}
	if got := remote.questions(); len(got) != 0 {
		t.Errorf("the totoz server was asked %q", got)
	}
}

func TestTotozSearchSetting(t *testing.T) {
	for _, bad := range []string{"ftp://x/{query}", "https://x/search.xml", "/search.xml?terms={query}", "https:///{query}"} {
		cfg := testConfig()
		cfg.TotozSearchURL = bad
		if err := cfg.Validate(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	cfg := config.Default()
	if got := cfg.TotozSearch(); got != "https://totoz.eu/search.xml?terms={query}" {
		t.Errorf("default search %q", got)
	}
}
