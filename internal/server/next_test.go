package server

import (
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// loginNext finds the log-in form's next page.
var loginNext = regexp.MustCompile(`action="[^"]*/login" class="stacked">\s*<input type="hidden" name="next" value="([^"]*)"`)

// hostileNexts are "next" values that must not take a browser off the
// tribune (or out of its prefix): each form that goes back to "next" goes
// to the tribune's root instead.
func hostileNexts(prefix string) []string {
	vs := []string{
		"/\t/evil.example/", "/%09/evil.example/", "/\t\t/evil.example", "\t//evil.example",
		"/\\evil.example", "\\/evil.example", "/%5Cevil.example", "/%5c%5cevil.example",
		"/%2F%2Fevil.example", "/%2f/evil.example", "//evil.example/", "///evil.example", "//%2Fevil.example",
		"https://evil.example/", "http:/evil.example", "HTTPS://evil.example", "//user@evil.example",
		"javascript:alert(1)", "JaVaScRiPt:alert(1)", "/javascript:alert(1)/../../x", "data:text/html,x",
		"/\r\nSet-Cookie: a=b", "/%0d%0aSet-Cookie:%20a=b", "/%0D%0ALocation:%20//evil.example", "/\nx", "/\x00x",
		"/x\x7f", "/%00", "/%7F", " /x", "evil.example", "", "?next=//evil.example",
		"/%2e%2e/evil", "/./x", "/x/../..//evil.example", "/" + strings.Repeat("a", 5000),
	}
	if prefix != "" {
		vs = append(vs, "/", "/elsewhere", "/login", prefix+"x/", prefix+"/../evil", prefix+"/%2e%2e/evil")
	}
	return vs
}

// TestNextStaysOnTheTribune: the log-in page and every form that goes back
// to a "next" page (log-in, log-out, language, preferences, filters, a
// refused form, moderation removals) refuse to send a browser anywhere but
// a path of the tribune.
func TestNextStaysOnTheTribune(t *testing.T) {
	for _, prefix := range []string{"", "/tribune"} {
		t.Run("prefix "+prefix, func(t *testing.T) {
			tr := sqliteTribune(t, func(c *config.Config) { c.Prefix = prefix })
			p := prefix
			root := p + "/"
			tr.createUser(t, "modo", model.RoleModerator)
			modo := tr.browser("Mozilla/5.0")
			if w := modo.post(p+"/login", "username", "modo", "password", "modo-password"); w.Code != 303 {
				t.Fatalf("log-in: %d", w.Code)
			}
			poster := tr.client("poster")
			// goes posts a form and returns where it was sent.
			goes := func(c *client, path string, fields ...string) string {
				t.Helper()
				w := c.post(path, fields...)
				if w.Code != 303 {
					t.Fatalf("%s %q: %d %s", path, fields, w.Code, w.Body)
				}
				return w.Header().Get("Location")
			}
			forms := []struct {
				name string
				to   func(next string) string
			}{
				{"log-in page", func(next string) string {
					body := tr.browser("x").get(p + "/login?next=" + url.QueryEscape(next)).Body.String()
					m := loginNext.FindStringSubmatch(body)
					if m == nil {
						t.Fatalf("no next in the log-in form: %s", body)
					}
					return html.UnescapeString(m[1])
				}},
				{"log-in", func(next string) string {
					return goes(tr.browser("x"), p+"/login", "username", "modo", "password", "modo-password", "next", next)
				}},
				{"log-out", func(next string) string { return goes(tr.browser("x"), p+"/logout", "next", next) }},
				{"language", func(next string) string { return goes(modo, p+"/lang", "lang", "en", "next", next) }},
				{"preferences", func(next string) string { return goes(modo, p+"/prefs", "theme", "dark", "next", next) }},
				{"refused preferences", func(next string) string {
					return goes(modo, p+"/prefs", "refresh_secs", "zero", "next", next)
				}},
				{"filters", func(next string) string { return goes(modo, p+"/prefs/filters", "op", "on", "next", next) }},
				{"removal", func(next string) string {
					id := poster.say(root, "to remove")
					return goes(modo, fmt.Sprintf("%s/moderation/%d/remove", p, id), "next", next)
				}},
				{"removal by form", func(next string) string {
					id := poster.say(root, "to remove")
					return goes(modo, p+"/moderation/remove", "id", fmt.Sprint(id), "next", next)
				}},
			}
			good := []string{root, p + "/profile", p + "/troie/?limit=5&x=%20y", p + "/noscript/", p + "/moderation/"}
			if p != "" {
				good = append(good, p)
			}
			for _, f := range forms {
				for _, next := range hostileNexts(p) {
					if got := f.to(next); got != root {
						t.Errorf("%s, next %q: sent to %q", f.name, next, got)
					}
				}
				for _, next := range good {
					if got := f.to(next); got != next {
						t.Errorf("%s, next %q: sent to %q", f.name, next, got)
					}
				}
			}
		})
	}
}
