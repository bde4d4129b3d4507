package tribune_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tribune-go/tribune"
)

// The library embedded in a host application under a prefix, as
// examples/embed does.
func TestEmbedUnderPrefix(t *testing.T) {
	cfg := tribune.DefaultConfig()
	cfg.Prefix = "/tribune"
	cfg.DB = filepath.Join(t.TempDir(), "t.db")
	st, err := tribune.OpenStore(context.Background(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr, err := tribune.New(cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "host home") })
	mux.Handle("/tribune/", tr)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	r, err := http.PostForm(srv.URL+"/tribune/post/", url.Values{"content": {"plop"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 || r.Header.Get("X-Post-Id") != "1" {
		t.Fatalf("post: %d %v", r.StatusCode, r.Header)
	}
	r, err = http.Get(srv.URL + "/tribune/remote/xml/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(body), `<board site="`+srv.URL+`/tribune/"`) || !strings.Contains(string(body), "<message>plop</message>") {
		t.Fatalf("backend under the prefix: %s", body)
	}
	r, err = http.Get(srv.URL + "/tribune/discovery.config")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(body), `path="/tribune/post/xml/"`) {
		t.Fatalf("discovery under the prefix: %s", body)
	}
	// The prefix's root is the board; the bare prefix redirects to it (here
	// the host's mux does, with its own status).
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		path, location string
		code           int
	}{{"/tribune/", "", 200}, {"/tribune", "/tribune/", http.StatusTemporaryRedirect}} {
		r, err = noFollow.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != tc.code || r.Header.Get("Location") != tc.location {
			t.Fatalf("GET %s: %d %q", tc.path, r.StatusCode, r.Header.Get("Location"))
		}
	}
	r, _ = http.Get(srv.URL + "/")
	body, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if string(body) != "host home" {
		t.Fatalf("the host's own page: %q", body)
	}
}

func TestConfigIsValidated(t *testing.T) {
	cfg := tribune.DefaultConfig()
	cfg.Prefix = "no-slash"
	cfg.DB = filepath.Join(t.TempDir(), "t.db")
	if _, err := tribune.OpenStore(context.Background(), &cfg); err == nil || !strings.Contains(err.Error(), "TRIBUNE_PREFIX") {
		t.Fatalf("bad prefix accepted: %v", err)
	}
}
