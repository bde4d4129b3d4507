package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// The static files the pages link to have fingerprinted names (a hash of
// their content) and are cached for a year; a name that is not the current
// fingerprint is not served. Plain HTTP, no browser.
func TestStaticCacheHeaders(t *testing.T) {
	s := newServer(t, nil)
	get := func(u string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	_, page := get(s.URL + "/")
	refs := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(string(page), -1)
	want := map[string]string{"board": "text/javascript", "tribune": "text/css", "favicon": "image/svg+xml"}
	seen := map[string]bool{}
	name := regexp.MustCompile(`^/static/([a-z]+)\.([0-9a-f]{12})\.[a-z]+$`)
	for _, ref := range refs {
		path := ref[1]
		m := name.FindStringSubmatch(path)
		if m == nil {
			t.Errorf("%s is not a fingerprinted name", path)
			continue
		}
		seen[m[1]] = true
		resp, body := get(s.URL + path)
		if resp.StatusCode != 200 {
			t.Errorf("%s: %s", path, resp.Status)
			continue
		}
		if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", path, got)
		}
		if ct, w := resp.Header.Get("Content-Type"), want[m[1]]; w != "" && !strings.HasPrefix(ct, w) {
			t.Errorf("%s: Content-Type %q, want %s", path, ct, w)
		}
		sum := sha256.Sum256(body)
		if h := hex.EncodeToString(sum[:])[:12]; h != m[2] {
			t.Errorf("%s: the name's fingerprint %s is not the content's %s", path, m[2], h)
		}
		if etag := resp.Header.Get("ETag"); etag != `"`+m[2]+`"` {
			t.Errorf("%s: ETag %q", path, etag)
		}
		// Revalidation (a forced reload) costs no body.
		req, _ := http.NewRequest("GET", s.URL+path, nil)
		req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.StatusCode != http.StatusNotModified {
			t.Errorf("%s with If-None-Match: %s, want 304", path, r2.Status)
		}
		// Another fingerprint, or none, is not this file.
		for _, stale := range []string{"/static/" + m[1] + ".000000000000" + path[strings.LastIndex(path, "."):], "/static/" + m[1] + path[strings.LastIndex(path, "."):]} {
			if r, _ := get(s.URL + stale); r.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %s, want 404", stale, r.Status)
			}
		}
	}
	for n := range want {
		if !seen[n] {
			t.Errorf("the board page links no %s file: %q", n, refs)
		}
	}
}
