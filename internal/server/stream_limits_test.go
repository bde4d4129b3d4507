package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/limit"
)

// The streams of one client share its cap, however it writes its
// address: IPv4-mapped or not (a dual-stack proxy), any address of an IPv6
// /64. The streams come through a trusted proxy on loopback, which says
// the client's address.
func TestStreamLimitPerClient(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) {
		c.StreamMaxPerAddress = 2
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	})
	srv := httptest.NewServer(tr.srv)
	t.Cleanup(srv.Close) // after the streams' own clean-ups
	clients := []struct {
		name          string
		first, second string // two addresses of one client
		other         string // another client
	}{
		{"IPv4 mapped or not", "::ffff:198.51.100.7", "198.51.100.7", "198.51.100.8"},
		{"one IPv6 /64", "2001:db8:1:2::a", "2001:db8:1:2::b", "2001:db8:1:3::a"},
	}
	for _, cl := range clients {
		t.Run(cl.name, func(t *testing.T) {
			from := func(addr string) *sseClient {
				return openStream(t, srv, "/remote/stream/", nil, "X-Forwarded-For", addr)
			}
			first := from(cl.first)
			second := from(cl.second)
			if first.status != 200 || second.status != 200 {
				t.Fatalf("the client's two streams: %d, %d", first.status, second.status)
			}
			for _, addr := range []string{cl.first, cl.second} {
				if s := from(addr); s.status != http.StatusTooManyRequests {
					t.Errorf("a third stream, from %s: %d, want 429", addr, s.status)
				}
			}
			if s := from(cl.other); s.status != 200 {
				t.Errorf("another client's stream, from %s: %d", cl.other, s.status)
			}
			// A closed stream gives its place back.
			first.cancel()
			waitFor(t, func() bool { return from(cl.second).status == 200 })
		})
	}
}

// At the server's cap, a stream is answered 503 with Retry-After, in the
// asker's language, and everything else is still served: backends and
// posts (the streams open get the post).
func TestStreamCapOfTheServer(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.StreamMax = 3 }, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close) // after the streams' own clean-ups
		var open []*sseClient
		for range 3 {
			s := openStream(t, srv, "/remote/stream/", nil)
			if s.status != 200 {
				t.Fatalf("stream %d of 3: %d", len(open)+1, s.status)
			}
			open = append(open, s)
		}
		for _, lang := range []string{"en", "fr"} {
			s := openStream(t, srv, "/remote/stream/", nil, "Accept-Language", lang)
			if s.status == 200 {
				t.Fatalf("a fourth stream opened (%s)", lang)
			}
			req, _ := http.NewRequest("GET", srv.URL+"/remote/stream/", nil)
			req.Header.Set("Accept-Language", lang)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			want := map[string]string{"en": "try again in 30 seconds", "fr": "réessayez dans 30 secondes"}[lang]
			if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "30" ||
				!strings.Contains(string(body), want) {
				t.Fatalf("a stream over the cap (%s): %d, Retry-After %q, %q", lang, resp.StatusCode, resp.Header.Get("Retry-After"), body)
			}
		}

		// Posts and reads are served at capacity, over real connections.
		resp, err := http.PostForm(srv.URL+"/post/", url.Values{"content": {"posted at capacity"}})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("a post at capacity: %v %v", resp, err)
		}
		resp.Body.Close()
		resp, err = http.Get(srv.URL + "/remote/xml/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "posted at capacity") {
			t.Fatalf("a backend read at capacity: %d %s", resp.StatusCode, body)
		}
		for i, s := range open {
			if e := s.next("message"); !strings.Contains(e.data, "posted at capacity") {
				t.Fatalf("stream %d: %+v", i, e)
			}
		}

		// A closed stream gives its place back.
		open[0].cancel()
		waitFor(t, func() bool { return openStream(t, srv, "/remote/stream/", nil).status == 200 })
	})
}

// The cap derives from the open-file limit unless set.
func TestStreamCap(t *testing.T) {
	files := limit.OpenFiles()
	if n, of := StreamCap(&config.Config{StreamMax: 7}); n != 7 || of != files {
		t.Errorf("set: %d, %d", n, of)
	}
	n, of := StreamCap(&config.Config{})
	switch {
	case of != files:
		t.Errorf("open files %d, want %d", of, files)
	case files > 0 && n != min(files/2, maxDerivedStreams):
		t.Errorf("derived from %d open files: %d", files, n)
	case files == 0 && n != maxDerivedStreams:
		t.Errorf("no limit known: %d", n)
	}
}
