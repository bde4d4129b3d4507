package outbound_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/outbound"
	"github.com/tribune-go/tribune/internal/version"
)

func TestPostRequest(t *testing.T) {
	type seen struct {
		method, contentType, accept, userAgent, body string
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, r.Header.Get("Content-Type"), r.Header.Get("Accept"), r.Header.Get("User-Agent"), string(body)}
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()

	status, answer, err := outbound.New(nil).Post(t.Context(), srv.URL+"/hook", "application/x-www-form-urlencoded", []byte("a=1&b=2"), 100)
	if err != nil || status != 200 || string(answer) != `{"ok":true}` {
		t.Fatalf("Post = %d, %q, %v", status, answer, err)
	}
	want := seen{"POST", "application/x-www-form-urlencoded", "application/json", "tribune/" + version.String(), "a=1&b=2"}
	if s := <-got; s != want {
		t.Errorf("request %+v, want %+v", s, want)
	}
}

func TestPostAnswerLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Query().Get("answer"))
	}))
	defer srv.Close()
	c := outbound.New(nil)
	for _, tc := range []struct {
		answer    string
		maxAnswer int
		want      string
	}{
		{"", 10, ""},
		{"0123456789", 10, "0123456789"},
		// One byte more than the limit says that the body went past it.
		{"0123456789a", 10, "0123456789a"},
		{"0123456789abcdef", 10, "0123456789a"},
		{"abc", 0, "a"},
		{"abc", -1, "a"},
	} {
		status, answer, err := c.Post(t.Context(), srv.URL+"/?answer="+tc.answer, "text/plain", nil, tc.maxAnswer)
		if err != nil || status != 200 || string(answer) != tc.want {
			t.Errorf("answer %q, limit %d: Post = %d, %q, %v; want %q", tc.answer, tc.maxAnswer, status, answer, err, tc.want)
		}
	}
}

func TestPostStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/created":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, "made")
		case "/found":
			w.WriteHeader(http.StatusFound) // no Location: not followed
			io.WriteString(w, "elsewhere")
		default:
			http.Error(w, "broken", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	c := outbound.New(nil)
	if status, answer, err := c.Post(t.Context(), srv.URL+"/created", "text/plain", nil, 10); err != nil || status != 201 || string(answer) != "made" {
		t.Errorf("201: Post = %d, %q, %v", status, answer, err)
	}
	for path, want := range map[string]struct {
		status int
		err    string
	}{
		"/found":  {302, "answer status 302 Found"},
		"/broken": {503, "answer status 503 Service Unavailable"},
	} {
		status, answer, err := c.Post(t.Context(), srv.URL+path, "text/plain", nil, 10)
		if status != want.status || answer != nil || err == nil || err.Error() != want.err {
			t.Errorf("%s: Post = %d, %q, %v; want %d, no answer, %q", path, status, answer, err, want.status, want.err)
		}
	}
}

func TestPostUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	status, answer, err := outbound.New(nil).Post(t.Context(), url, "text/plain", nil, 10)
	if status != 0 || answer != nil || err == nil {
		t.Errorf("Post to a closed port = %d, %q, %v; want an error", status, answer, err)
	}
	if _, _, err := outbound.New(nil).Post(t.Context(), "http://exa mple.com/", "text/plain", nil, 10); err == nil {
		t.Error("Post to a malformed URL succeeded")
	}
}

// TestPostDeadline checks that a deadline stays recognisable, whether it
// passes before the answer's headers or while its body is read, and that
// the context bounds a client that has no timeout of its own.
func TestPostDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/body" {
			io.WriteString(w, `{"partial":`)
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	for _, path := range []string{"/headers", "/body"} {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, answer, err := outbound.New(&http.Client{}).Post(ctx, srv.URL+path, "text/plain", nil, 100)
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("Post took %v, want about 50ms", elapsed)
			}
			var timeout interface{ Timeout() bool }
			if answer != nil || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Post = %q, %v; want context.DeadlineExceeded", answer, err)
			}
			if !errors.As(err, &timeout) || !timeout.Timeout() {
				t.Errorf("error %v has no Timeout() that says true", err)
			}
		})
	}
}

// TestPostReusesConnections checks that answers longer than the caller
// reads are drained, so that one connection carries every call.
func TestPostReusesConnections(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/error" {
			w.WriteHeader(http.StatusInternalServerError)
		}
		io.WriteString(w, strings.Repeat("x", 10<<10))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c := outbound.New(nil)
	for i := range 5 {
		path := "/"
		if i%2 == 1 {
			path = "/error"
		}
		c.Post(t.Context(), srv.URL+path, "text/plain", nil, 10)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections for 5 calls, want 1", n)
	}
}

// Get asks with its Accept and the tribune's User-Agent, and bounds the
// answer as Post does.
func TestGet(t *testing.T) {
	type seen struct{ method, accept, userAgent, query string }
	got := make(chan seen, 5)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- seen{r.Method, r.Header.Get("Accept"), r.Header.Get("User-Agent"), r.URL.RawQuery}
		if r.URL.Query().Get("terms") == "moved" {
			http.Redirect(w, r, "/elsewhere?terms=x", http.StatusFound)
			return
		}
		if r.URL.Query().Get("terms") == "down" {
			http.Error(w, "no", http.StatusBadGateway)
			return
		}
		io.WriteString(w, strings.Repeat("x", 1000))
	}))
	defer srv.Close()
	c := outbound.New(nil)
	status, answer, err := c.Get(t.Context(), srv.URL+"/search.xml?terms=a%20b", "application/xml", 10)
	if err != nil || status != 200 || len(answer) != 11 {
		t.Fatalf("Get = %d, %d bytes, %v; want 200 and maxAnswer+1 bytes (cut)", status, len(answer), err)
	}
	want := seen{"GET", "application/xml", "tribune/" + version.String(), "terms=a%20b"}
	if s := <-got; s != want {
		t.Errorf("request %+v, want %+v", s, want)
	}
	if status, answer, err := c.Get(t.Context(), srv.URL+"/search.xml?terms=down", "application/xml", 10); err == nil || status != 502 || answer != nil {
		t.Errorf("a 502: %d %q %v", status, answer, err)
	}
	<-got
	if status, _, err := c.Get(t.Context(), srv.URL+"/search.xml?terms=moved", "application/xml", 10); err == nil || status != http.StatusFound {
		t.Errorf("a redirect: %d %v, want the 302 itself", status, err)
	}
	<-got
	select {
	case s := <-got:
		t.Errorf("the redirect was followed: %+v", s)
	default:
	}
}
