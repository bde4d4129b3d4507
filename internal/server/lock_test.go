package server

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

func TestLockedLetsUsersIn(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Locked = true })
	tr.createUser(t, "member", model.RoleUser)
	c := tr.client("x")
	c.login(t, "member")
	if w := c.post("/post/", "content", "members only"); w.Code != 200 {
		t.Fatalf("member post: %d %s", w.Code, w.Body)
	}
	if w := c.get("/remote/xml/"); w.Code != 200 {
		t.Fatalf("member read: %d", w.Code)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("member:member-password"))
	if w := tr.client("script").do("POST", "/post/", "content=via basic", "Authorization", basic); w.Code != 200 {
		t.Fatalf("basic auth on a locked tribune: %d", w.Code)
	}
}

// TestLockedRoutes: while locked, anonymous visitors get 403 on every read
// and post route of every channel (browsers asking for a page are sent to
// log-in instead); log-in, sign-up and discovery stay open.
func TestLockedRoutes(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Locked = true })
	if _, err := tr.st.CreateChannel(t.Context(), "troie", "Troie"); err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, p := range []string{"/remote/", "/remote/xml/", "/remote/json/", "/remote/tsv/", "/crap/remote.xml", "/remote/xml/crap/",
		"/clock/12:00/", "/clock/12:00/xml/", "/remote/stream/", "/", "/noscript/"} {
		routes = append(routes, "GET "+p)
	}
	for _, m := range []string{"POST", "PUT"} {
		for _, p := range []string{"/post/", "/post/tsv/", "/post/json/", "/post/xml/", "/crap/post.xml", "/post/xml/crap/"} {
			routes = append(routes, m+" "+p)
		}
	}
	routes = append(routes, "POST /")
	for _, channel := range []string{"", "/troie"} {
		for _, route := range routes {
			method, path, _ := strings.Cut(route, " ")
			path = channel + path
			t.Run(method+" "+path, func(t *testing.T) {
				body := ""
				if method != "GET" {
					body = "content=hello"
				}
				w := tr.client("Mozilla/5.0").do(method, path, body)
				if w.Code != http.StatusForbidden || w.Body.String() != "The tribune is locked" || w.Header().Get("X-Post-Id") != "" {
					t.Errorf("%d %q", w.Code, w.Body)
				}
				if method == "GET" && (path == channel+"/" || path == channel+"/noscript/") {
					w := tr.browser("Mozilla/5.0").get(path)
					if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next="+url.QueryEscape(path) {
						t.Errorf("browser: %d %v", w.Code, w.Header())
					}
				}
			})
		}
	}
	// Nothing was posted.
	for _, slug := range []string{"", "troie"} {
		ch, err := tr.st.Channel(t.Context(), slug)
		if err != nil {
			t.Fatal(err)
		}
		if msgs, err := tr.st.Page(t.Context(), ch.ID, 0, 0, 10); err != nil || len(msgs) != 0 {
			t.Fatalf("posted on %q while locked: %d %v", slug, len(msgs), err)
		}
	}
	// Discovery says so; log-in and sign-up stay open.
	d := tr.client("x").get("/discovery.config").Body.String()
	if !strings.Contains(d, `public="false"`) || !strings.Contains(d, `anonymous="false"`) {
		t.Errorf("discovery: %s", d)
	}
	checkPage(t, tr.browser("x"), "/login", 200)
	checkPage(t, tr.browser("x"), "/signup", 200)
	c := tr.client("x")
	if w := c.post("/signup", "username", "newcomer", "password", "longenough"); w.Code != 200 {
		t.Fatalf("sign-up while locked: %d %s", w.Code, w.Body)
	}
	if w := c.post("/troie/post/", "content", "let me in"); w.Code != 200 {
		t.Fatalf("post after sign-up: %d %s", w.Code, w.Body)
	}
	// Under a prefix, the way back keeps it.
	prefixed := sqliteTribune(t, func(c *config.Config) { c.Locked, c.Prefix = true, "/tribune" })
	prefixed.st.CreateChannel(t.Context(), "troie", "Troie")
	for _, path := range []string{"/tribune/", "/tribune/troie/noscript/?x=1"} {
		w := prefixed.browser("x").get(path)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/tribune/login?next="+url.QueryEscape(path) {
			t.Errorf("%s: %d %v", path, w.Code, w.Header())
		}
	}
	if w := prefixed.browser("x").get("/tribune"); w.Code/100 != 3 || w.Header().Get("Location") != "/tribune/" {
		t.Errorf("/tribune: %d %v", w.Code, w.Header())
	}
	// TRIBUNE_SIGNUP=false closes sign-up.
	closed := sqliteTribune(t, func(c *config.Config) { c.Locked, c.Signup = true, false })
	if w := closed.client("x").post("/signup", "username", "newcomer", "password", "longenough"); w.Code != http.StatusForbidden {
		t.Fatalf("closed sign-up while locked: %d", w.Code)
	}
}
