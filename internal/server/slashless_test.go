package server

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// noRedirects is a client like quteqoin's and olcc's post.php: it never
// follows a redirect (here: it fails on one).
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
	return errors.New("redirect refused")
}}

// Clients do not follow redirects: a post to a client route without its
// final slash (quteqoin's djangotribune preset posts to post/xml) is
// stored, with no redirect, for every method, format, channel and prefix;
// and every client route answers the same without its slash as with it.
func TestClientRoutesWithoutSlash(t *testing.T) {
	for _, prefix := range []string{"", "/tribune"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			tr := sqliteTribune(t, func(c *config.Config) { c.Prefix = prefix })
			troie, err := tr.st.CreateChannel(t.Context(), "troie", "Troie")
			if err != nil {
				t.Fatal(err)
			}
			def, _ := tr.st.Channel(t.Context(), model.DefaultSlug)
			srv := httptest.NewServer(tr.srv)
			t.Cleanup(srv.Close)
			tr.clock.set(t, "2013-03-10 12:00:00")

			send := func(method, path string, body string, header ...string) (*http.Response, []byte) {
				t.Helper()
				var rd io.Reader
				if body != "" {
					rd = strings.NewReader(body)
				}
				req, _ := http.NewRequest(method, srv.URL+prefix+path, rd)
				req.Header.Set("User-Agent", "quteqoin/0.42")
				if body != "" {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				for i := 0; i+1 < len(header); i += 2 {
					req.Header.Set(header[i], header[i+1])
				}
				res, err := noRedirects.Do(req)
				if err != nil {
					t.Fatalf("%s %s: %v", method, prefix+path, err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res, b
			}

			// Posts, on both channels.
			want := map[int64][]string{}
			for _, root := range []string{"/", "/troie/"} {
				ch := def.ID
				if root == "/troie/" {
					ch = troie.ID
				}
				for _, method := range []string{"POST", "PUT"} {
					for _, path := range []string{"post", "post/tsv", "post/json", "post/xml", "post/xml/crap", "crap/post.xml"} {
						text := method + " " + root + path
						res, body := send(method, root+path+"?last_id=1", url.Values{"content": {text}}.Encode())
						if res.StatusCode != 200 || res.Header.Get("X-Post-Id") == "" {
							t.Errorf("%s %s%s: %d %q", method, prefix, root+path, res.StatusCode, body)
						}
						want[ch] = append(want[ch], text)
					}
				}
			}
			for ch, texts := range want {
				ms, err := tr.st.Page(t.Context(), ch, 0, 0, 100)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, m := range ms {
					got = append(got, m.Raw)
				}
				slices.Reverse(got)
				if !slices.Equal(got, texts) {
					t.Errorf("channel %d holds %q, want %q", ch, got, texts)
				}
			}

			// Reads: the same answer with and without the slash, and
			// the same conditional answers.
			for _, root := range []string{"/", "/troie/"} {
				for _, path := range []string{"remote", "remote/tsv", "remote/json", "remote/xml", "remote/xml/crap",
					"clock/12:00:00", "clock/12:00:00/xml", "remote/json?last_id=3&limit=2"} {
					p, q, _ := strings.Cut(path, "?")
					if q != "" {
						q = "?" + q
					}
					withRes, withBody := send("GET", root+p+"/"+q, "")
					res, body := send("GET", root+p+q, "")
					if res.StatusCode != 200 || withRes.StatusCode != 200 || string(body) != string(withBody) ||
						res.Header.Get("Content-Type") != withRes.Header.Get("Content-Type") ||
						res.Header.Get("ETag") != withRes.Header.Get("ETag") ||
						res.Header.Get("Last-Modified") != withRes.Header.Get("Last-Modified") {
						t.Errorf("GET %s%s: %d %v %.60q\nwith its slash: %d %v %.60q", prefix, root+path, res.StatusCode,
							res.Header, body, withRes.StatusCode, withRes.Header, withBody)
						continue
					}
					for _, h := range [][]string{
						{"If-None-Match", res.Header.Get("ETag")},
						{"If-Modified-Since", "Sun, 10 Mar 2030 12:00:00 GMT"},
					} {
						if res, _ := send("GET", root+p+q, "", h...); res.StatusCode != http.StatusNotModified {
							t.Errorf("GET %s%s with %s: %d", prefix, root+path, h[0], res.StatusCode)
						}
					}
					if res, body := send("HEAD", root+p+q, ""); res.StatusCode != 200 || len(body) != 0 {
						t.Errorf("HEAD %s%s: %d %q", prefix, root+path, res.StatusCode, body)
					}
				}
				// The live stream: HEAD answers its headers.
				res, _ := send("HEAD", root+"remote/stream", "")
				if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
					t.Errorf("HEAD %s%sremote/stream: %d %v", prefix, root, res.StatusCode, res.Header)
				}
				// Errors are the route's, not a redirect.
				if res, body := send("GET", root+"clock/nonsense", ""); res.StatusCode != 400 ||
					res.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
					t.Errorf("GET %s%sclock/nonsense: %d %q", prefix, root, res.StatusCode, body)
				}
				if res, _ := send("POST", root+"post/json", "content="); res.StatusCode != 400 {
					t.Errorf("POST %s%spost/json with no message: %d", prefix, root, res.StatusCode)
				}
			}
			// An unknown channel is still 404.
			if res, _ := send("POST", "/nowhere/post/xml", "content=x"); res.StatusCode != 404 {
				t.Errorf("POST %s/nowhere/post/xml: %d", prefix, res.StatusCode)
			}
		})
	}
}
