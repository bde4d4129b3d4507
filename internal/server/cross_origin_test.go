package server

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// rulesOf is the BaK rules of c's session.
func rulesOf(t *testing.T, c *client) []bak.Rule {
	t.Helper()
	var p prefsJSON
	if err := json.Unmarshal(c.get("/prefs.json").Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	return p.Filters.Rules
}

// authorOf posts content as c from a coincoin (no browser headers) and
// returns the message's login, "" when anonymous, and whether c owns it.
func authorOf(t *testing.T, c *client, content string) (login string, owned bool) {
	t.Helper()
	id := c.say("/", content)
	return rowOf(t, c, id)
}

func rowOf(t *testing.T, c *client, id int64) (login string, owned bool) {
	t.Helper()
	for _, r := range decodeJSON(t, c.get("/remote/json/")) {
		if r.ID == id {
			if r.Login != nil {
				login = *r.Login
			}
			return login, r.Owned
		}
	}
	t.Fatalf("message %d not found", id)
	return "", false
}

// foreignPosts are the ways another site's page makes its visitor's
// browser post to the tribune: headers, and the body's type.
var foreignPosts = []struct {
	name        string
	contentType string
	headers     []string
}{
	{"cross-site form", "application/x-www-form-urlencoded", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate", "Origin", "https://evil.example"}},
	{"cross-site text/plain form", "text/plain", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
	{"cross-site fetch no-cors", "text/plain;charset=UTF-8", []string{"Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "no-cors", "Origin", "https://evil.example"}},
	{"same-site, another subdomain", "application/x-www-form-urlencoded", []string{"Sec-Fetch-Site", "same-site", "Origin", "http://chat.example.com"}},
	{"same-site, another port", "multipart/form-data; boundary=XyZ", []string{"Sec-Fetch-Site", "same-site", "Origin", "http://example.com:8081"}},
	{"same-site, https", "application/x-www-form-urlencoded", []string{"Sec-Fetch-Site", "same-site", "Origin", "https://example.com"}},
	{"Origin only (older browser)", "application/x-www-form-urlencoded", []string{"Origin", "https://evil.example"}},
	{"Origin null (sandboxed page)", "application/x-www-form-urlencoded", []string{"Origin", "null"}},
	{"same-origin claim, foreign Origin", "application/x-www-form-urlencoded", []string{"Sec-Fetch-Site", "same-origin", "Origin", "https://evil.example"}},
}

// foreignBody is content in the body type a foreign page sends.
func foreignBody(contentType, content string) string {
	switch {
	case contentType == "text/plain", contentType == "text/plain;charset=UTF-8":
		return "content=" + content + "\r\n" // what a text/plain form sends
	case contentType == "multipart/form-data; boundary=XyZ":
		return "--XyZ\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\n" + content + "\r\n--XyZ--\r\n"
	}
	return url.Values{"content": {content}}.Encode()
}

// TestForeignPostsActOnNoSession: another site's page that makes a logged-in
// moderator's browser post to the tribune (a form, a text/plain form, a
// no-cors fetch; from another site or from another origin of the same
// site) acts as a client without cookies: the moderator's session, filters
// and name are untouched, no cookie is set, and the post is anonymous.
func TestForeignPostsActOnNoSession(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("Mozilla/5.0 modo")
		modo.login(t, "modo")
		saved := []bak.Rule{{Target: bak.TargetUA, Kind: bak.Exact, Pattern: "troll"}}
		expectCommand(t, modo, "/bak add ua troll")
		expectCommand(t, modo, "/bak save")
		expectCommand(t, modo, "/name Modo")
		session := modo.cookies["sessionid"].Value
		for _, fp := range foreignPosts {
			t.Run(fp.name, func(t *testing.T) {
				for _, content := range []string{"/bak add author spammer", "/bak off", "/bak save", "/bak reset", "/name Spammer", "signed?"} {
					headers := append([]string{"Content-Type", fp.contentType}, fp.headers...)
					w := modo.do("POST", "/post/", foreignBody(fp.contentType, content), headers...)
					want := http.StatusOK
					if content == "/bak save" {
						want = http.StatusBadRequest // anonymous clients have no profile
					}
					if w.Code != want {
						t.Fatalf("%q: %d %s", content, w.Code, w.Body)
					}
					if sc := w.Header()["Set-Cookie"]; len(sc) > 0 {
						t.Errorf("%q: cookies set: %q", content, sc)
					}
					if id := w.Header().Get("X-Post-Id"); id != "" {
						var n int64
						json.Unmarshal([]byte(id), &n)
						rows := decodeJSON(t, modo.get("/remote/json/"))
						for _, r := range rows {
							if r.ID == n && (r.Login != nil || r.Owned || r.UserAgent != "Mozilla/5.0 modo") {
								t.Errorf("%q posted as %v (owned %v, info %q)", content, r.Login, r.Owned, r.UserAgent)
							}
						}
					}
				}
				if got := modo.cookies["sessionid"].Value; got != session {
					t.Fatal("the session cookie was replaced")
				}
				if got := rulesOf(t, modo); !slices.Equal(got, saved) {
					t.Errorf("the session's rules: %+v", got)
				}
				if login, owned := authorOf(t, modo, "still logged in"); login != "modo" || !owned {
					t.Errorf("the moderator is no longer logged in: %q %v", login, owned)
				}
				if n := modo.cookies["djangotribune_user-agent"]; n == nil || n.Value != base64.StdEncoding.EncodeToString([]byte("Modo")) {
					t.Errorf("the name cookie changed: %v", n)
				}
			})
		}
		// A browser holds its SameSite=Lax cookie back from a cross-site
		// post: the answer must not give it another one (which replaced
		// the moderator's session, logging him out).
		lax := tr.client("Mozilla/5.0 modo")
		w := lax.do("POST", "/post/", "content=%2Fbak+add+author+spammer", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if sc := w.Header()["Set-Cookie"]; w.Code != 200 || len(sc) > 0 {
			t.Errorf("cross-site without cookies: %d, cookies set: %q", w.Code, sc)
		}
		// The saved filters are untouched too.
		other := tr.client("Mozilla/5.0 modo, elsewhere")
		other.login(t, "modo")
		if got := rulesOf(t, other); !slices.Equal(got, saved) {
			t.Errorf("saved filters: %+v", got)
		}
	})
}

// TestForeignPostsIgnoreBasicCredentials: HTTP Basic credentials that a
// browser cached for the tribune and sends on another site's post do not
// count; a script's do.
func TestForeignPostsIgnoreBasicCredentials(t *testing.T) {
	for _, anonymousOK := range []bool{true, false} {
		tr := sqliteTribune(t, func(c *config.Config) { c.RemoteAnonymousPost = anonymousOK })
		tr.createUser(t, "nono", model.RoleUser)
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("nono:nono-password"))
		c := tr.client("Mozilla/5.0")
		w := c.do("POST", "/post/", "content=from+evil", "Authorization", basic, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
		if anonymousOK {
			if w.Code != 200 {
				t.Fatalf("cross-site with credentials: %d %s", w.Code, w.Body)
			}
			var id int64
			json.Unmarshal([]byte(w.Header().Get("X-Post-Id")), &id)
			if login, _ := rowOf(t, c, id); login != "" {
				t.Errorf("a cross-site post was signed by %s", login)
			}
		} else if w.Code != http.StatusForbidden {
			t.Fatalf("cross-site with credentials, anonymous posts refused: %d %s", w.Code, w.Body)
		}
		// A script's credentials count.
		w = c.do("POST", "/post/", "content=from+a+script", "Authorization", basic)
		var id int64
		json.Unmarshal([]byte(w.Header().Get("X-Post-Id")), &id)
		if login, _ := rowOf(t, c, id); w.Code != 200 || login != "nono" {
			t.Errorf("a script with credentials: %d, posted as %q", w.Code, login)
		}
	}
}

// TestOwnPostsKeepTheirSession: coincoins and scripts (no browser headers),
// a page of the tribune's own origin posting to the remote route, and the
// board's own form post with their session, as before.
func TestOwnPostsKeepTheirSession(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.SiteURL = "" }, func(t *testing.T, tr *tribune) {
		tr.createUser(t, "nono", model.RoleUser)
		for _, tc := range []struct {
			name    string
			headers []string
		}{
			{"coincoin", nil},
			{"same origin", []string{"Sec-Fetch-Site", "same-origin", "Origin", "http://example.com"}},
			{"same origin, default port", []string{"Sec-Fetch-Site", "same-origin", "Origin", "HTTP://Example.com:80"}},
			{"typed by the user", []string{"Sec-Fetch-Site", "none"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c := tr.client("Mozilla/5.0 nono")
				c.login(t, "nono")
				post := func(content string) *httptest.ResponseRecorder {
					t.Helper()
					w := c.do("POST", "/post/", url.Values{"content": {content}}.Encode(), tc.headers...)
					if w.Code != 200 {
						t.Fatalf("%q: %d %s", content, w.Code, w.Body)
					}
					return w
				}
				var id int64
				json.Unmarshal([]byte(post("signed").Header().Get("X-Post-Id")), &id)
				if login, owned := rowOf(t, c, id); login != "nono" || !owned {
					t.Errorf("posted as %q (owned %v)", login, owned)
				}
				post("/bak add ua troll")
				if got := rulesOf(t, c); len(got) != 1 || got[0].Pattern != "troll" {
					t.Errorf("rules: %+v", got)
				}
				if w := post("/name Nono"); len(w.Result().Cookies()) != 1 {
					t.Errorf("/name set no cookie: %v", w.Header())
				}
				// An anonymous client gets its session cookie.
				anon := tr.client("anonymous")
				w := anon.do("POST", "/post/", "content=hello", tc.headers...)
				if w.Code != 200 || anon.cookies["sessionid"] == nil {
					t.Errorf("anonymous: %d, cookie %v", w.Code, anon.cookies)
				}
			})
		}
		// The board's own form, from its own page.
		b := tr.browser("Mozilla/5.0 nono")
		b.login(t, "nono")
		b.header.Set("Sec-Fetch-Site", "same-origin")
		b.header.Set("Origin", "http://example.com")
		code, a := boardPost(t, b, "/", "content", "from the board")
		if code != 200 || a.Status != "published" {
			t.Fatalf("board: %d %+v", code, a)
		}
		if login, owned := rowOf(t, b, a.ID); login != "nono" || !owned {
			t.Errorf("board post as %q (owned %v)", login, owned)
		}
	})
}

// TestPlantedRulesDoNotSurviveLogIn: rules planted in a visitor's session
// before the log-in do not keep the account's saved filters away.
func TestPlantedRulesDoNotSurviveLogIn(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("Mozilla/5.0 modo")
		modo.login(t, "modo")
		expectCommand(t, modo, "/bak add ua troll")
		expectCommand(t, modo, "/bak save")
		saved := rulesOf(t, modo)

		// Logged out, with a rule planted in the anonymous session.
		c := tr.client("Mozilla/5.0 modo")
		expectCommand(t, c, "/bak add author spammer")
		c.login(t, "modo")
		if got := rulesOf(t, c); !slices.Equal(got, saved) {
			t.Errorf("after log-in: %+v, want the saved %+v", got, saved)
		}
		// An account without saved filters keeps the visitor's rules.
		tr.createUser(t, "fresh", model.RoleUser)
		d := tr.client("Mozilla/5.0 fresh")
		expectCommand(t, d, "/bak add author spammer")
		d.login(t, "fresh")
		if got := rulesOf(t, d); len(got) != 1 || got[0].Pattern != "spammer" {
			t.Errorf("without saved filters: %+v", got)
		}
		// A password change keeps the session's own rules.
		expectCommand(t, c, "/bak add ua another")
		w := c.post("/profile/password", "current", "modo-password", "password", "new-password", "password2", "new-password")
		if w.Code != 200 {
			t.Fatalf("password change: %d %s", w.Code, w.Body)
		}
		if got := rulesOf(t, c); len(got) != 2 {
			t.Errorf("after a password change: %+v", got)
		}
	})
}
