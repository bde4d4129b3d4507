package server

import (
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// TestTokenFilters: a token has no session cookie, so what a session
// keeps for a client, its BaK filters, the token keeps: /bak through a
// token filters that token's reads, and no one else's (not its user's
// browser, not its other tokens); /bak save writes the user's profile,
// /bak load reads it, and a new token starts with the profile's filters.
func TestTokenFilters(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		nono := tr.loggedIn(t, "nono")
		phone, laptop := nono.newToken(t, "name", "phone"), nono.newToken(t, "name", "laptop")
		tr.client("Troll").say("/", "troll says hi")
		tr.client("Friend").say("/", "friend says hi")
		bearer := func(token string) []string { return []string{"Authorization", "Bearer " + token} }
		command := func(token, text string) {
			t.Helper()
			w := tr.client("coincoin").do("POST", "/post/", "content="+text+"&token="+token)
			if w.Code != http.StatusOK || w.Header().Get("X-Post-Id") != "" {
				t.Fatalf("%q: %d %s", text, w.Code, w.Body)
			}
		}
		sees := func(c *client, headers ...string) (troll bool) {
			t.Helper()
			return strings.Contains(c.get("/remote/tsv/", headers...).Body.String(), "troll says hi")
		}
		command(phone, "/bak add ua Troll")
		if sees(tr.client("coincoin"), bearer(phone)...) {
			t.Fatal("the phone's token still reads the troll")
		}
		if w := tr.client("coincoin").get("/remote/tsv/", "Cookie", "tribune_token="+phone); strings.Contains(w.Body.String(), "troll says hi") {
			t.Fatal("the phone's token, as a cookie, still reads the troll")
		}
		if !sees(tr.client("coincoin"), bearer(laptop)...) || !sees(nono) || !sees(tr.client("anon")) {
			t.Fatal("another token, the user's browser or a stranger lost the troll")
		}
		// The answer to the token's post is filtered too.
		w := tr.client("coincoin").do("POST", "/post/tsv/", "content=hello&last_id=0&token="+phone)
		if w.Code != 200 || strings.Contains(w.Body.String(), "troll says hi") || !strings.Contains(w.Body.String(), "friend says hi") {
			t.Fatalf("the post's answer: %d %s", w.Code, w.Body)
		}
		// Off and on again, kept on the token.
		command(phone, "/bak off")
		if !sees(tr.client("coincoin"), bearer(phone)...) {
			t.Fatal("/bak off did not show the troll")
		}
		command(phone, "/bak on")
		if got := tokenRules(t, tr, phone); !slices.Equal(got, []string{"ua == Troll"}) {
			t.Fatalf("the phone's rules: %q", got)
		}
		// Save to the profile: a log-in and a new token start with it; the
		// laptop's token loads it on demand.
		command(phone, "/bak save")
		u, _ := tr.st.UserByName(t.Context(), "nono")
		if saved, err := tr.st.Filters(t.Context(), u.ID); err != nil || len(saved) != 1 || saved[0].Value != "Troll" {
			t.Fatalf("the profile after /bak save: %v %v", saved, err)
		}
		if got := tokenRules(t, tr, nono.newToken(t, "name", "tablet")); !slices.Equal(got, []string{"ua == Troll"}) {
			t.Errorf("a new token's rules: %q", got)
		}
		browser := tr.client("Firefox")
		browser.login(t, "nono")
		if sees(browser) {
			t.Error("a log-in after /bak save reads the troll")
		}
		if !sees(tr.client("coincoin"), bearer(laptop)...) {
			t.Error("/bak save changed the laptop's token")
		}
		command(laptop, "/bak load")
		if sees(tr.client("coincoin"), bearer(laptop)...) {
			t.Error("/bak load did not load the profile's filters")
		}
	})
}

// TestTokenOnALockedTribune: a token reads and posts where anonymous
// visitors get 403, the token in the body included.
func TestTokenOnALockedTribune(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.Locked = true }, func(t *testing.T, tr *tribune) {
		nono := tr.loggedIn(t, "nono")
		token := nono.newToken(t)
		if w := tr.client("x").get("/remote/xml/"); w.Code != http.StatusForbidden {
			t.Fatalf("anonymous read: %d", w.Code)
		}
		for _, carrier := range tokenCarriers {
			if w := carrier.post(tr.client("x"), "/post/", token, "locked in "+carrier.name); w.Code != http.StatusOK {
				t.Errorf("%s post: %d %s", carrier.name, w.Code, w.Body)
			}
			if carrier.read != nil {
				if w := carrier.read(tr.client("x"), "/remote/tsv/", token); w.Code != http.StatusOK ||
					!strings.Contains(w.Body.String(), "locked in bearer") {
					t.Errorf("%s read: %d %s", carrier.name, w.Code, w.Body)
				}
			}
		}
		var mine []submissionJSON
		decodeJSONInto(t, tr.client("x").get("/my/messages.json", "Authorization", "Bearer "+token), &mine)
	})
}

// TestTokenStreamEndsAtRevocation: a live stream opened with a token ends
// when the token is revoked (at once in this process, at the next
// keep-alive when another process revokes it), and sends nothing after;
// the token opens no other.
func TestTokenStreamEndsAtRevocation(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.StreamKeepAlive = time.Second }, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close)
		nono := tr.loggedIn(t, "nono")
		here, elsewhere := nono.newToken(t), nono.newToken(t)
		ids := tokenIDs(t, tr, "nono")
		open := func(token string) *sseClient {
			t.Helper()
			s := openStream(t, srv, "/remote/stream/", nil, "Authorization", "Bearer "+token)
			if s.status != 200 {
				t.Fatalf("stream: %d", s.status)
			}
			return s
		}
		stream := open(here)
		tokenCarriers[0].post(tr.client("x"), "/post/", here, "mine, live")
		if e := stream.next("message"); !strings.Contains(e.data, "mine, live") || !strings.Contains(e.data, `"owned":true`) {
			t.Fatalf("the token's own message: %s", e.data)
		}
		if w := nono.post("/profile/tokens/" + strconv.FormatInt(ids[0], 10) + "/revoke"); w.Code != 200 {
			t.Fatalf("revoke: %d %s", w.Code, w.Body)
		}
		tr.client("x").say("/", "after the revocation")
		if events := stream.ends(5 * time.Second); len(events) > 0 {
			t.Fatalf("after the revocation, the stream sent %q", events)
		}
		if s := openStream(t, srv, "/remote/stream/", nil, "Authorization", "Bearer "+here); s.status != http.StatusUnauthorized {
			t.Fatalf("a stream with a revoked token: %d", s.status)
		}

		// Revoked by another process (a board of its own, which cannot
		// wake this one's streams).
		stream = open(elsewhere)
		other, _ := tr.newServer()
		if _, err := other.RevokeToken(t.Context(), nil, ids[1]); err != nil {
			t.Fatal(err)
		}
		stream.ends(5 * time.Second)
	})
}

// TestTokenProfileInBothLanguages: the profile's token forms in English
// and French: the list with its last use, the creation form (the scope
// only for moderators), the token shown once after its creation and
// never again, revocation.
func TestTokenProfileInBothLanguages(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.createUser(t, "modo", model.RoleModerator)
		tr.createUser(t, "nomad", model.RoleUser)
		m := newEnglishMatcher()
		for _, lang := range []i18n.Lang{i18n.EN, i18n.FR} {
			t.Run(string(lang), func(t *testing.T) {
				modo := tr.browser("Firefox")
				modo.header.Set("Accept-Language", string(lang))
				modo.login(t, "modo")
				body := checkPage(t, modo, "/profile", 200, `action="/profile/tokens"`, `name="scope"`, `value="moderate"`,
					html.EscapeString(i18n.T(lang, "profile.tokens_none")))
				// Created: the page shows it, once.
				w := modo.post("/profile/tokens", "name", "olcc <home>", "scope", "moderate", "next", "/profile")
				if w.Code != http.StatusCreated || w.Header().Get("Cache-Control") != "no-store" {
					t.Fatalf("creation: %d %v", w.Code, w.Header())
				}
				body = w.Body.String()
				_, rest, ok := strings.Cut(body, `<code id="fresh-token">`)
				secret, _, _ := strings.Cut(rest, "</code>")
				if !ok || !strings.HasPrefix(secret, "trb_") || !strings.Contains(body, "tribune_token="+secret) ||
					!strings.Contains(body, "olcc &lt;home&gt;") || !strings.Contains(body, i18n.T(lang, "profile.token_scope.moderate")) {
					t.Fatalf("the fresh token is not shown:\n%s", body)
				}
				if w := tr.client("bot").get("/moderation/pending.json", "Authorization", "Bearer "+secret); w.Code != 200 {
					t.Fatalf("the token from the page: %d %s", w.Code, w.Body)
				}
				body = checkPage(t, modo, "/profile", 200, "olcc &lt;home&gt;", `class="last-used"`)
				if strings.Contains(body, secret) || strings.Contains(body, secret[4:20]) {
					t.Fatal("the profile shows the token again")
				}
				if lang == i18n.FR {
					for _, s := range visibleStrings(body) {
						if k := m.key(s); k != "" {
							t.Errorf("the French profile shows %q, the English of %s", s, k)
						}
					}
				}
				// Revoked from the list's button.
				_, rest, _ = strings.Cut(body, `action="/profile/tokens/`)
				id, _, _ := strings.Cut(rest, "/revoke")
				w = modo.post("/profile/tokens/"+id+"/revoke", "next", "/profile")
				if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/profile" {
					t.Fatalf("revocation: %d %v", w.Code, w.Header())
				}
				checkPage(t, modo, "/profile", 200, i18n.T(lang, "profile.token_revoked", "olcc <home>")[:10], html.EscapeString(i18n.T(lang, "profile.tokens_none")))
				if w := tr.client("bot").get("/moderation/pending.json", "Authorization", "Bearer "+secret); w.Code != 401 {
					t.Fatalf("the revoked token: %d %s", w.Code, w.Body)
				}
				// A refused creation comes back to the profile with its
				// error.
				w = modo.post("/profile/tokens", "name", strings.Repeat("x", 101), "next", "/profile")
				if w.Code != http.StatusSeeOther {
					t.Fatalf("refused creation: %d %s", w.Code, w.Body)
				}
				checkPage(t, modo, "/profile", 200, html.EscapeString(i18n.T(lang, "error.token_name", 100)))

				// A user's form has no scope.
				nomad := tr.browser("Firefox")
				nomad.header.Set("Accept-Language", string(lang))
				nomad.login(t, "nomad")
				if body := checkPage(t, nomad, "/profile", 200, `action="/profile/tokens"`); strings.Contains(body, `name="scope"`) {
					t.Error("a user's form offers the moderate scope")
				}
				// An anonymous visitor's profile has no tokens.
				anon := tr.browser("Firefox")
				if body := checkPage(t, anon, "/profile", 200); strings.Contains(body, "/profile/tokens") {
					t.Error("an anonymous visitor is offered tokens")
				}
			})
		}
	})
}
