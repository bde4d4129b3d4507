package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// The read path through the whole handler (routing, channel, options,
// snapshot, cached encoding), next to a bare handler writing a fixed 60-byte
// body, measured in the same run. bench/run.sh measures the same over
// loopback with wrk.

func seed(b *testing.B, n int) *tribune {
	tr := sqliteTribune(b, nil)
	c := tr.client("Mozilla/5.0 (X11; Linux x86_64) bench")
	for i := range n {
		c.say("/", fmt.Sprintf("12:00:%02d <b>message %d</b> with a link http://example.com/page/%d and [:totoz] moules< and some more words", i%60, i, i))
	}
	return tr
}

func serveBench(b *testing.B, h http.Handler, want int, target string, headers ...string) {
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest("GET", target, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != want {
				b.Fatalf("%d, want %d", w.Code, want)
			}
		}
	})
}

func BenchmarkBareFixed60(b *testing.B) {
	body := []byte(strings.Repeat("x", 60))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	serveBench(b, h, 200, "/")
}

func BenchmarkRemoteXML50(b *testing.B) {
	tr := seed(b, 50)
	serveBench(b, tr.srv, 200, "/remote/xml/")
}

func BenchmarkRemoteXML50IfModifiedSince(b *testing.B) {
	tr := seed(b, 50)
	// The seed's second and the next are not over yet: a copy of a
	// minute on is current.
	ims := time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)
	serveBench(b, tr.srv, 304, "/remote/xml/", "If-Modified-Since", ims)
}

func BenchmarkRemoteXML50IfNoneMatch(b *testing.B) {
	tr := seed(b, 50)
	tag := tr.client("").get("/remote/xml/").Header().Get("ETag")
	serveBench(b, tr.srv, 304, "/remote/xml/", "If-None-Match", tag)
}

func BenchmarkRemoteXMLPollNothingNew(b *testing.B) {
	tr := seed(b, 50)
	serveBench(b, tr.srv, 304, "/remote/xml/?last_id=50")
}

func BenchmarkRemoteJSON50(b *testing.B) {
	tr := seed(b, 50)
	serveBench(b, tr.srv, 200, "/remote/json/")
}

func BenchmarkPostParallel(b *testing.B) {
	tr := sqliteTribune(b, nil)
	b.ReportAllocs()
	b.SetParallelism(8) // 16 posters on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest("POST", "/post/xml/", strings.NewReader("content=12:00:00 <b>bench</b> http://example.com/ [:totoz]"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			tr.srv.ServeHTTP(w, r)
			if w.Code != 200 {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

// A poll that finds nothing new, anonymous (answered from memory) and
// with a token (one indexed read of the token and its user), and a post
// with a token next to one with HTTP Basic credentials that are checked
// each time (no password cache, the default argon2 memory): what a
// token saves a coincoin's server.

func tokenBench(b *testing.B) (*tribune, string) {
	tr := seed(b, 50)
	if _, err := tr.board.CreateUser(b.Context(), "bench", "bench-password", model.RoleUser); err != nil {
		b.Fatal(err)
	}
	nt, err := tr.board.CreateToken(b.Context(), nil, "bench", "bench", model.ScopePost)
	if err != nil {
		b.Fatal(err)
	}
	return tr, nt.Secret
}

func BenchmarkPollNothingNewAnonymous(b *testing.B) {
	tr, _ := tokenBench(b)
	serveBench(b, tr.srv, http.StatusNotModified, "/remote/xml/?last_id=50")
}

func BenchmarkPollNothingNewWithToken(b *testing.B) {
	tr, token := tokenBench(b)
	serveBench(b, tr.srv, http.StatusNotModified, "/remote/xml/?last_id=50", "Authorization", "Bearer "+token)
}

func benchPost(b *testing.B, tr *tribune, headers ...string) {
	c := tr.client("bench")
	b.ResetTimer()
	for i := range b.N {
		if w := c.do("POST", "/post/", "content=plop+"+strconv.Itoa(i), headers...); w.Code != http.StatusOK {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
	}
}

func BenchmarkPostWithToken(b *testing.B) {
	tr, token := tokenBench(b)
	benchPost(b, tr, "Authorization", "Bearer "+token)
}

func BenchmarkPostWithBasicUnremembered(b *testing.B) {
	tr := sqliteTribune(b, func(c *config.Config) {
		c.PasswordCache = 0
		c.PasswordHashMemoryKiB = config.Default().PasswordHashMemoryKiB
	})
	if _, err := tr.board.CreateUser(b.Context(), "bench", "bench-password", model.RoleUser); err != nil {
		b.Fatal(err)
	}
	benchPost(b, tr, "Authorization", basic("bench", "bench-password"))
}

func BenchmarkPostWithBasicRemembered(b *testing.B) {
	tr, _ := tokenBench(b)
	benchPost(b, tr, "Authorization", basic("bench", "bench-password"))
}
