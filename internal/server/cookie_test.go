package server

import (
	"net/http"
	"net/netip"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
)

// TestCookieFlags: every cookie the tribune sets (session, /name,
// language, flash, and their deletions) has the tribune's path, HttpOnly,
// SameSite=Lax, and Secure when the site is served over HTTPS: by its
// configured URL, or as a trusted proxy says (X-Forwarded-Proto), but not
// as anyone else says.
func TestCookieFlags(t *testing.T) {
	proxy := func(trusted string) func(*config.Config) {
		return func(c *config.Config) {
			c.SiteURL = ""
			c.Prefix = "/tribune"
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix(trusted)}
		}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*config.Config)
		header []string
		secure bool
	}{
		{"https site URL", func(c *config.Config) { c.SiteURL = "https://example.com"; c.Prefix = "/tribune" }, nil, true},
		{"http site URL", func(c *config.Config) { c.SiteURL = "http://example.com"; c.Prefix = "/tribune" }, nil, false},
		{"trusted proxy, https", proxy("192.0.2.0/24"), []string{"X-Forwarded-Proto", "https"}, true},
		{"trusted proxy, http", proxy("192.0.2.0/24"), []string{"X-Forwarded-Proto", "http"}, false},
		{"untrusted peer says https", proxy("10.0.0.0/8"), []string{"X-Forwarded-Proto", "https"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := sqliteTribune(t, tc.mutate)
			tr.createUser(t, "nono", "user")
			c := tr.browser("Mozilla/5.0")
			for i := 0; i+1 < len(tc.header); i += 2 {
				c.header.Set(tc.header[i], tc.header[i+1])
			}
			seen := map[string]bool{}
			check := func(what string, w *http.Response, names ...string) {
				t.Helper()
				got := map[string]*http.Cookie{}
				for _, ck := range w.Cookies() {
					if ck.Path == "/" && ck.MaxAge < 0 {
						seen["cleared at /"] = true // an older release's /name cookie
						continue
					}
					got[ck.Name] = ck
				}
				for _, name := range names {
					ck := got[name]
					if ck == nil {
						t.Errorf("%s: no %s cookie in %v", what, name, w.Header["Set-Cookie"])
						continue
					}
					seen[name] = true
					if ck.Path != "/tribune/" || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure != tc.secure {
						t.Errorf("%s: %s", what, w.Header["Set-Cookie"])
					}
				}
			}
			check("board", c.get("/tribune/").Result(), "sessionid")
			check("/name", c.post("/tribune/post/", "content", "/name Nono").Result(), "djangotribune_user-agent")
			check("/name forgotten", c.post("/tribune/post/", "content", "/name").Result(), "djangotribune_user-agent")
			check("language", c.post("/tribune/lang", "lang", "fr", "next", "/tribune/").Result(), "tribune_lang")
			check("flash", c.post("/tribune/prefs", "theme", "dark", "next", "/tribune/profile").Result(), "tribune_flash")
			check("flash shown", c.get("/tribune/profile").Result(), "tribune_flash")
			check("log-in", c.post("/tribune/login", "username", "nono", "password", "nono-password", "next", "/tribune/").Result(), "sessionid")
			check("log-out", c.post("/tribune/logout", "next", "/tribune/").Result(), "sessionid")
			if len(seen) != 5 {
				t.Errorf("cookies seen: %v", seen)
			}
		})
	}
}
