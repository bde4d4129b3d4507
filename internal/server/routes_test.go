package server

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// A page's path without its final slash is redirected to the same path
// with it, under the prefix and the channel the client asked for, with the
// query; a form keeps its method and body (307). (Clients' routes answer
// without the slash instead: TestClientRoutesWithoutSlash.)
func TestSlashRedirectsKeepPrefixChannelAndQuery(t *testing.T) {
	for _, prefix := range []string{"", "/tribune"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			tr := sqliteTribune(t, func(c *config.Config) { c.Prefix = prefix })
			if _, err := tr.st.CreateChannel(t.Context(), "ok", "OK"); err != nil {
				t.Fatal(err)
			}
			c := tr.client("Mozilla/5.0")
			for _, tc := range []struct {
				method, path, want string
				code               int
			}{
				{"GET", "/ok?x=1", "/ok/?x=1", http.StatusMovedPermanently},
				{"POST", "/ok", "/ok/", http.StatusTemporaryRedirect},
				{"GET", "/ok/noscript?x=1", "/ok/noscript/?x=1", http.StatusMovedPermanently},
				{"HEAD", "/noscript", "/noscript/", http.StatusMovedPermanently},
				{"POST", "/ok/noscript", "/ok/noscript/", http.StatusTemporaryRedirect},
				{"GET", "/moderation", "/moderation/", http.StatusMovedPermanently},
				{"GET", "/admin?x=1", "/admin/?x=1", http.StatusMovedPermanently},
			} {
				w := c.do(tc.method, prefix+tc.path, "content=x")
				if w.Code != tc.code || w.Header().Get("Location") != prefix+tc.want {
					t.Errorf("%s %s: %d %q, want %d %q", tc.method, prefix+tc.path, w.Code,
						w.Header().Get("Location"), tc.code, prefix+tc.want)
				}
			}
		})
	}
}

// The prefix's root is the board; the prefix itself redirects to it.
func TestPrefixRoot(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Prefix = "/tribune" })
	b := tr.browser("Mozilla/5.0")
	checkPage(t, b, "/tribune/", 200)
	for _, m := range []string{"GET", "HEAD"} {
		if w := b.do(m, "/tribune", ""); w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/tribune/" {
			t.Errorf("%s /tribune: %d %q", m, w.Code, w.Header().Get("Location"))
		}
	}
}

// browserAccept is what browsers send.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// The routes of clients answer their errors in plain text even to a
// browser, since coincoins running in browsers send Accept: text/html.
func TestRemoteErrorsArePlainText(t *testing.T) {
	tr := sqliteTribune(t, nil)
	b := tr.browser("Mozilla/5.0")
	for _, tc := range []struct {
		method, path, body string
		code               int
	}{
		{"GET", "/clock/nonsense/", "", http.StatusBadRequest},
		{"GET", "/clock/nonsense/xml/", "", http.StatusBadRequest},
		{"POST", "/post/", "content=", http.StatusBadRequest},
		{"POST", "/post/xml/", "nothing=1", http.StatusBadRequest},
		{"POST", "/crap/post.xml", "content=", http.StatusBadRequest},
		{"POST", "/remote/xml/", "content=x", http.StatusMethodNotAllowed},
		{"GET", "/post/json/", "", http.StatusMethodNotAllowed},
	} {
		w := b.do(tc.method, tc.path, tc.body)
		if w.Code != tc.code || w.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s %s: %d %s\n%.80s", tc.method, tc.path, w.Code, w.Header().Get("Content-Type"), w.Body)
		}
	}
	// The site's pages still answer browsers with a page.
	if w := b.get("/nope/"); w.Code != 404 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Errorf("unknown page: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
}

// On a locked tribune only the board's pages send a browser to the log-in
// page; every client route answers 403 in plain text, whatever it accepts.
func TestLockedRemoteRoutesRefuseBrowsers(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Locked = true })
	b := tr.browser("Mozilla/5.0")
	for _, path := range []string{"/", "/noscript/"} {
		if w := b.get(path); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next="+strings.ReplaceAll(path, "/", "%2F") {
			t.Errorf("GET %s: %d %q", path, w.Code, w.Header().Get("Location"))
		}
	}
	for _, tc := range []struct{ method, path string }{
		{"GET", "/remote/"}, {"GET", "/remote/xml/"}, {"GET", "/remote/json/"}, {"GET", "/remote/tsv/"},
		{"GET", "/crap/remote.xml"}, {"GET", "/remote/xml/crap/"}, {"GET", "/clock/12:00/"},
		{"GET", "/clock/12:00/xml/"}, {"GET", "/remote/stream/"},
		{"POST", "/post/"}, {"POST", "/post/xml/"}, {"PUT", "/post/json/"}, {"POST", "/crap/post.xml"},
	} {
		w := b.do(tc.method, tc.path, "content=x")
		if w.Code != http.StatusForbidden || w.Body.String() != "The tribune is locked" ||
			w.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("%s %s: %d %s %.80q", tc.method, tc.path, w.Code, w.Header().Get("Content-Type"), w.Body)
		}
	}
}

// The board's form posts as the session's user: HTTP Basic credentials do
// not open it on a locked tribune (they would post anonymously).
func TestLockedBoardPostRefusesBasic(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Locked = true })
	tr.createUser(t, "member", model.RoleUser)
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("member:member-password"))
	c := tr.client("script")
	if w := c.do("POST", "/", "content=via basic", "Authorization", basic); w.Code != http.StatusForbidden {
		t.Fatalf("board post with HTTP Basic: %d %q", w.Code, w.Body)
	}
	def, err := tr.st.Channel(t.Context(), model.DefaultSlug)
	if err != nil {
		t.Fatal(err)
	}
	if ms, err := tr.st.Page(t.Context(), def.ID, 0, 0, 10); err != nil || len(ms) != 0 {
		t.Fatalf("posted: %+v %v", ms, err)
	}
	// The remote post routes still take it, and post as the account.
	if w := c.do("POST", "/post/", "content=via basic", "Authorization", basic); w.Code != 200 {
		t.Fatalf("remote post with HTTP Basic: %d", w.Code)
	}
	if ms, _ := tr.st.Page(t.Context(), def.ID, 0, 0, 10); len(ms) != 1 || ms[0].Login != "member" {
		t.Fatalf("remote post: %+v", ms)
	}
}

// Every GET route answers HEAD with the same status and headers and no
// body, and a POST (or, where POST is a route of its own, a DELETE) with
// 405 and the methods it takes; channel routes under the tribune's root
// and under a channel, with and without a prefix.
func TestGetRoutesTable(t *testing.T) {
	type route struct {
		path  string
		code  int    // of GET and HEAD
		other string // the method to refuse: POST unless the path takes it
		allow string // Allow of the 405 (a prefix for /noscript/, which may take POST)
	}
	channelRoutes := []route{
		{"", 200, "DELETE", "GET, HEAD, POST"},
		{"noscript/", 200, "DELETE", "GET, HEAD"},
		{"remote/", 200, "POST", "GET, HEAD, OPTIONS"},
		{"remote/tsv/", 200, "POST", "GET, HEAD, OPTIONS"},
		{"remote/json/", 200, "POST", "GET, HEAD, OPTIONS"},
		{"remote/xml/", 200, "POST", "GET, HEAD, OPTIONS"},
		{"crap/remote.xml", 200, "POST", "GET, HEAD, OPTIONS"},
		{"remote/xml/crap/", 200, "POST", "GET, HEAD, OPTIONS"},
		{"clock/12:00/", 200, "POST", "GET, HEAD, OPTIONS"},
		{"clock/12:00/xml/", 200, "POST", "GET, HEAD, OPTIONS"},
		{"discovery.config", 200, "POST", "GET, HEAD, OPTIONS"},
	}
	siteRoutes := []route{
		{"login", 200, "DELETE", "GET, HEAD, POST"},
		{"signup", 200, "DELETE", "GET, HEAD, POST"},
		{"profile", 200, "POST", "GET, HEAD"},
		{"prefs.json", 200, "POST", "GET, HEAD"},
		{"my/messages.json", 200, "POST", "GET, HEAD"},
		{"moderation/", 303, "POST", "GET, HEAD"},
		{"moderation/pending.json", 401, "POST", "GET, HEAD"},
		{"admin/", 303, "POST", "GET, HEAD"},
		{"captcha/unknown.png", 404, "POST", "GET, HEAD"},
	}
	for _, prefix := range []string{"", "/tribune"} {
		t.Run("prefix="+prefix, func(t *testing.T) {
			tr := sqliteTribune(t, func(c *config.Config) {
				c.Prefix = prefix
				c.Titles = []string{"One title"} // the same page twice
			})
			if _, err := tr.st.CreateChannel(t.Context(), "troie", "Troie"); err != nil {
				t.Fatal(err)
			}
			tr.clock.set(t, "2013-03-10 12:00:00")
			c := tr.browser("Mozilla/5.0")
			c.say(prefix+"/", "at the root")
			c.say(prefix+"/troie/", "in troie")
			var routes []route
			for _, root := range []string{prefix + "/", prefix + "/troie/"} {
				for _, r := range channelRoutes {
					r.path = root + r.path
					routes = append(routes, r)
				}
			}
			for _, r := range siteRoutes {
				r.path = prefix + "/" + r.path
				routes = append(routes, r)
			}
			routes = append(routes, route{tr.srv.pages.Static.Path("tribune.css"), 200, "POST", "GET, HEAD, OPTIONS"})
			for _, r := range routes {
				get, head := c.get(r.path), c.do("HEAD", r.path, "")
				if get.Code != r.code || head.Code != r.code {
					t.Errorf("%s: GET %d, HEAD %d, want %d", r.path, get.Code, head.Code, r.code)
				}
				if head.Body.Len() != 0 {
					t.Errorf("HEAD %s has a body", r.path)
				}
				gh, hh := get.Header().Clone(), head.Header().Clone()
				gh.Del("Set-Cookie") // session and CSRF tokens are new each time
				hh.Del("Set-Cookie")
				gh.Del("X-Request-Id") // and so are request ids
				hh.Del("X-Request-Id")
				if fmt.Sprint(gh) != fmt.Sprint(hh) {
					t.Errorf("%s: headers differ\nGET  %v\nHEAD %v", r.path, gh, hh)
				}
				w := c.do(r.other, r.path, "content=x")
				if w.Code != http.StatusMethodNotAllowed || !strings.HasPrefix(w.Header().Get("Allow"), r.allow) ||
					!strings.HasSuffix(r.path, "noscript/") && w.Header().Get("Allow") != r.allow {
					t.Errorf("%s %s: %d, Allow %q, want 405 and %q", r.other, r.path, w.Code, w.Header().Get("Allow"), r.allow)
				}
			}
			// The live stream: HEAD answers its headers and ends.
			for _, root := range []string{prefix + "/", prefix + "/troie/"} {
				w := c.do("HEAD", root+"remote/stream/", "")
				if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "text/event-stream; charset=utf-8" {
					t.Errorf("HEAD %sremote/stream/: %d %v", root, w.Code, w.Header())
				}
				if w := c.post(root+"remote/stream/", "content", "x"); w.Code != 405 || w.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
					t.Errorf("POST %sremote/stream/: %d %q", root, w.Code, w.Header().Get("Allow"))
				}
			}
		})
	}
}

// No channel can shadow a route, nor a route a channel: the first path
// segment of every route at the tribune's root is reserved (whatever its
// case), and every channel route under a slug the board accepts reaches
// the channels' routes.
func TestReservedSlugsFromTheRouteTable(t *testing.T) {
	tr := sqliteTribune(t, nil)
	reserved := ReservedSlugs()
	var firsts []string
	for _, rt := range tr.srv.siteRoutes() {
		firsts = append(firsts, strings.SplitN(strings.TrimPrefix(rt.path, "/"), "/", 2)[0])
	}
	for _, rt := range tr.srv.channelRoutes() {
		if first := strings.SplitN(rt.path, "/", 2)[0]; first != "{$}" {
			firsts = append(firsts, first)
		}
	}
	for _, first := range firsts {
		if !slices.Contains(reserved, first) {
			t.Errorf("%q is not reserved", first)
		}
		for _, slug := range []string{first, strings.ToUpper(first)} {
			if err := tr.board.ValidSlug(slug); err == nil {
				t.Errorf("a channel may be named %q", slug)
			}
		}
	}
	mux := tr.srv.routes().(*http.ServeMux)
	for _, slug := range []string{"troie", "a", "Remote2", "x-y_z", "moderations"} {
		if err := tr.board.ValidSlug(slug); err != nil {
			t.Fatalf("%q: %v", slug, err)
		}
		for _, rt := range tr.srv.channelRoutes() {
			path := "/" + slug + "/" + strings.NewReplacer("{$}", "", "{clock}", "12:00").Replace(rt.path)
			if _, pattern := mux.Handler(httptest.NewRequest(rt.method, path, nil)); pattern != "/{channel}/" {
				t.Errorf("%s %s goes to %q, not to the channel", rt.method, path, pattern)
			}
		}
	}
}

// A path without its final slash is redirected only for the methods the
// path with it takes; the others get 405 and what it takes.
func TestSlashlessOtherMethods(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("x")
	for _, tc := range []struct{ method, path, allow string }{
		{"GET", "/post", "OPTIONS, POST, PUT"},
		{"POST", "/remote", "GET, HEAD, OPTIONS"},
		{"POST", "/remote/xml", "GET, HEAD, OPTIONS"},
		{"PUT", "/moderation", "GET, HEAD"},
	} {
		w := c.do(tc.method, tc.path, "content=x")
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d %q, want 405 %q", tc.method, tc.path, w.Code, w.Header().Get("Allow"), tc.allow)
		}
	}
}

// A coincoin in a page of another site may read and post: the clients'
// routes answer a CORS preflight for the headers it needs (an access token,
// the conditional headers), with and without the final slash, and their
// answers, errors and 304s included, are readable by any origin, without
// credentials. The site's pages and forms offer none of it.
func TestClientRoutesCORS(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("x")
	c.say("/", "hello")
	for _, path := range []string{"/post/", "/post/xml", "/remote/xml/", "/remote/json", "/clock/12:00/", "/remote/stream/"} {
		w := c.do("OPTIONS", path, "", "Origin", "https://elsewhere.example", "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "authorization, if-none-match")
		h := w.Header()
		if w.Code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != "*" ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "If-None-Match") ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
			h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("OPTIONS %s: %d %v", path, w.Code, h)
		}
	}
	for _, path := range []string{"/login", "/profile/tokens", "/moderation/", "/"} {
		if w := c.do("OPTIONS", path, ""); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("OPTIONS %s: %d %v", path, w.Code, w.Header())
		}
	}
	post := c.do("POST", "/post/", "message=from+elsewhere", "Origin", "https://elsewhere.example")
	refused := c.do("POST", "/post/", "message=", "Origin", "https://elsewhere.example")
	notModified := c.do("GET", "/remote/xml/?last_id=99999", "")
	search := c.do("GET", "/search/json/?q=hello", "")
	for name, w := range map[string]*httptest.ResponseRecorder{"post": post, "refused post": refused, "304": notModified, "search": search} {
		if w.Header().Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "X-Post-Id") ||
			!strings.Contains(w.Header().Get("Access-Control-Expose-Headers"), "Link") {
			t.Errorf("%s: %d %v", name, w.Code, w.Header())
		}
	}
	if post.Code != http.StatusOK || refused.Code != http.StatusBadRequest || notModified.Code != http.StatusNotModified {
		t.Errorf("statuses: %d %d %d", post.Code, refused.Code, notModified.Code)
	}
}

// A form that says where to go next is a browser's, whatever it accepts.
func TestFormWithNextIsABrowsers(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.createUser(t, "nono", model.RoleUser)
	c := tr.client("x")
	if w := c.post("/login", "username", "nono", "password", "wrong", "next", "/troie/"); w.Code != 401 ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Errorf("refused log-in: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if w := c.post("/login", "username", "nono", "password", "nono-password", "next", "/troie/"); w.Code != 303 ||
		w.Header().Get("Location") != "/troie/" {
		t.Errorf("log-in: %d %v", w.Code, w.Header())
	}
	if w := c.post("/login", "username", "nono", "password", "nono-password"); w.Code != 200 ||
		w.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("a script's log-in: %d %v", w.Code, w.Header())
	}
}
