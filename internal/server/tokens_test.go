package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// newToken creates a token through the profile's form, as the logged-in
// client c, and returns it (a script's answer: the token alone).
func (c *client) newToken(t *testing.T, fields ...string) string {
	t.Helper()
	w := c.post("/profile/tokens", fields...)
	tok := w.Body.String()
	if w.Code != http.StatusCreated || !strings.HasPrefix(tok, "trb_") || len(tok) < 40 {
		t.Fatalf("token creation: %d %q", w.Code, tok)
	}
	return tok
}

// tokenCarriers are the three ways a coincoin sends its token, each
// posting content with it.
var tokenCarriers = []struct {
	name string
	post func(c *client, path, token, content string) *httptest.ResponseRecorder
	read func(c *client, path, token string) *httptest.ResponseRecorder
}{
	{"bearer",
		func(c *client, path, token, content string) *httptest.ResponseRecorder {
			return c.do("POST", path, url.Values{"content": {content}}.Encode(), "Authorization", "Bearer "+token)
		},
		func(c *client, path, token string) *httptest.ResponseRecorder {
			return c.get(path, "Authorization", "Bearer "+token)
		}},
	{"cookie",
		func(c *client, path, token, content string) *httptest.ResponseRecorder {
			return c.do("POST", path, url.Values{"content": {content}}.Encode(), "Cookie", "tribune_token="+token)
		},
		func(c *client, path, token string) *httptest.ResponseRecorder {
			return c.get(path, "Cookie", "tribune_token="+token)
		}},
	{"field",
		func(c *client, path, token, content string) *httptest.ResponseRecorder {
			// As olcc sends it: the post data template with the token
			// appended, ";" and spaces raw.
			return c.do("POST", path, "content="+content+"&token="+token)
		},
		nil}, // a body only comes with posts
}

// messageOf finds message id in the JSON backend as an anonymous reader.
func messageOf(t *testing.T, tr *tribune, id int64) jsonRow {
	t.Helper()
	for _, r := range decodeJSON(t, tr.client("reader").get("/remote/json/?limit=100")) {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("message %d not found", id)
	return jsonRow{}
}

func countMessages(t *testing.T, tr *tribune) int {
	t.Helper()
	w := tr.client("reader").get("/remote/json/?limit=100")
	if w.Code == http.StatusNotModified {
		return 0
	}
	return len(decodeJSON(t, w))
}

// TestTokenPostsAsItsUser: a token posts as its user through each of its
// carriers, from a client with no session and no password, where
// anonymous posting is closed; the message carries the user's login, and
// the token's reads see it as the user's own.
func TestTokenPostsAsItsUser(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.RemoteAnonymousPost = false }, func(t *testing.T, tr *tribune) {
		nono := tr.loggedIn(t, "nono")
		token := nono.newToken(t, "name", "olcc")
		checks, _ := tr.board.PasswordChecks()
		for _, carrier := range tokenCarriers {
			t.Run(carrier.name, func(t *testing.T) {
				coincoin := tr.client("olcc-me/1.1.3")
				w := carrier.post(coincoin, "/post/", token, "plop from "+carrier.name)
				if w.Code != http.StatusOK || w.Header().Get("X-Post-Id") == "" {
					t.Fatalf("post: %d %s", w.Code, w.Body)
				}
				if len(w.Result().Cookies()) != 0 {
					t.Errorf("a token's post sets cookies: %v", w.Header()["Set-Cookie"])
				}
				id, _ := strconv.ParseInt(w.Header().Get("X-Post-Id"), 10, 64)
				m := messageOf(t, tr, id)
				if m.Login == nil || *m.Login != "nono" || m.UserAgent != "olcc-me/1.1.3" || m.Owned {
					t.Errorf("the message: login %v, info %q, owned by a stranger %v", m.Login, m.UserAgent, m.Owned)
				}
				if carrier.read == nil {
					return
				}
				for _, r := range decodeJSON(t, carrier.read(coincoin, "/remote/json/", token)) {
					if r.ID == id && !r.Owned {
						t.Error("the token's read does not own the token's message")
					}
				}
			})
		}
		if done, _ := tr.board.PasswordChecks(); done != checks {
			t.Errorf("token requests ran %d password checks", done-checks)
		}
		// Without the token the same client is anonymous, and refused.
		if w := tr.client("olcc-me/1.1.3").post("/post/", "content", "no token"); w.Code != http.StatusForbidden {
			t.Fatalf("anonymous post: %d %s", w.Code, w.Body)
		}
		// Multipart bodies carry the field too.
		body := "--XyZ\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nmultipart\r\n" +
			"--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n" + token + "\r\n--XyZ--\r\n"
		w := tr.client("x").do("POST", "/post/", body, "Content-Type", "multipart/form-data; boundary=XyZ")
		if w.Code != http.StatusOK {
			t.Fatalf("multipart: %d %s", w.Code, w.Body)
		}
	})
}

// TestRefusedTokens: a revoked, unknown or malformed token is 401 with a
// sentence and a Bearer challenge, on posts and reads alike, and posts
// nothing: never a fallback to anonymous posting (which is open here).
func TestRefusedTokens(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		nono := tr.loggedIn(t, "nono")
		revoked := nono.newToken(t, "name", "old phone")
		kept := nono.newToken(t, "name", "laptop")
		tr.client("x").say("/", "something to read")
		ids := tokenIDs(t, tr, "nono")
		if w := nono.post("/profile/tokens/" + strconv.FormatInt(ids[0], 10) + "/revoke"); w.Code != http.StatusOK ||
			w.Body.String() != "Token old phone revoked: it no longer works." {
			t.Fatalf("revoke: %d %s", w.Code, w.Body)
		}
		before := countMessages(t, tr)
		bad := map[string]string{
			"revoked":   revoked,
			"unknown":   "trb_" + strings.Repeat("A", 43),
			"malformed": "hunter2",
		}
		for name, token := range bad {
			for _, carrier := range tokenCarriers {
				t.Run(name+"/"+carrier.name, func(t *testing.T) {
					c := tr.client("olcc")
					w := carrier.post(c, "/post/", token, "must not be posted")
					if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "unknown or was revoked") ||
						!strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer ") {
						t.Fatalf("post: %d %q %v", w.Code, w.Body, w.Header())
					}
					if carrier.read != nil {
						if w := carrier.read(c, "/remote/xml/", token); w.Code != http.StatusUnauthorized {
							t.Errorf("read: %d %s", w.Code, w.Body)
						}
					}
				})
			}
		}
		if after := countMessages(t, tr); after != before {
			t.Fatalf("refused tokens posted: %d messages, then %d", before, after)
		}
		// French clients read French.
		w := tr.client("x").do("POST", "/post/", "content=x", "Authorization", "Bearer "+revoked, "Accept-Language", "fr")
		if w.Code != 401 || !strings.Contains(w.Body.String(), "révoqué") {
			t.Errorf("in French: %d %s", w.Code, w.Body)
		}
		// The other token still works; another user cannot revoke it.
		if w := tokenCarriers[0].post(tr.client("x"), "/post/", kept, "still here"); w.Code != http.StatusOK {
			t.Fatalf("the kept token: %d %s", w.Code, w.Body)
		}
		other := tr.loggedIn(t, "other")
		if w := other.post("/profile/tokens/" + strconv.FormatInt(ids[1], 10) + "/revoke"); w.Code != http.StatusNotFound {
			t.Errorf("another user revoking nono's token: %d %s", w.Code, w.Body)
		}
		if w := nono.post("/profile/tokens/" + strconv.FormatInt(ids[0], 10) + "/revoke"); w.Code != http.StatusNotFound {
			t.Errorf("revoking twice: %d %s", w.Code, w.Body)
		}
		// A deleted account's tokens stop working.
		if err := tr.board.DeleteUser(t.Context(), "nono"); err != nil {
			t.Fatal(err)
		}
		if w := tokenCarriers[0].post(tr.client("x"), "/post/", kept, "orphan"); w.Code != http.StatusUnauthorized {
			t.Fatalf("a deleted user's token: %d %s", w.Code, w.Body)
		}
	})
}

// tokenIDs lists the ids of a user's tokens, oldest first.
func tokenIDs(t *testing.T, tr *tribune, name string) []int64 {
	t.Helper()
	u, err := tr.st.UserByName(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := tr.st.Tokens(t.Context(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, tk := range ts {
		ids = append(ids, tk.ID)
	}
	return ids
}

// TestTokensOpenNoPage: a token, even an admin's with the moderate scope,
// opens no page but the clients' routes and the moderation API: not the
// administration, not the profile (its password, its tokens), not the
// moderation page. Sent in a cookie, a browser's way, it is ignored there
// (the page goes by the session); sent on purpose, it is refused.
func TestTokensOpenNoPage(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.createUser(t, "chief", model.RoleAdmin)
		chief := tr.client("Chief")
		chief.login(t, "chief")
		token := chief.newToken(t, "scope", "moderate")
		tr.createUser(t, "nomad", model.RoleUser)
		bearer := []string{"Authorization", "Bearer " + token}
		for _, tc := range []struct{ method, path, body string }{
			{"GET", "/admin/", ""},
			{"GET", "/profile", ""},
			{"GET", "/moderation/", ""},
			{"GET", "/prefs.json", ""},
			{"POST", "/admin/users", "username=nomad&role=admin"},
			{"POST", "/admin/channels", "op=create&slug=tokenland&title=T"},
			{"POST", "/profile/password", "current=chief-password&password=stolen-password&password2=stolen-password"},
			{"POST", "/profile/tokens", "name=another"},
			{"POST", "/prefs", "theme=dark"},
			{"POST", "/logout", ""},
		} {
			c := tr.client("script")
			w := c.do(tc.method, tc.path, tc.body, bearer...)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "does not open this page") {
				t.Errorf("%s %s with a bearer token: %d %s", tc.method, tc.path, w.Code, w.Body)
			}
			if tc.body != "" {
				w = c.do(tc.method, tc.path, tc.body+"&token="+token)
				if w.Code != http.StatusForbidden {
					t.Errorf("%s %s with a token field: %d %s", tc.method, tc.path, w.Code, w.Body)
				}
			}
			// In a cookie: ignored, so the request is anonymous.
			w = c.do(tc.method, tc.path, tc.body, "Cookie", "tribune_token="+token)
			if tc.method == "GET" && tc.path == "/admin/" && w.Code != http.StatusSeeOther {
				t.Errorf("the admin page with a token cookie: %d %s", w.Code, w.Body)
			}
		}
		if u, _ := tr.st.UserByName(t.Context(), "nomad"); u.Role != model.RoleUser {
			t.Fatalf("a token changed a role: %s", u.Role)
		}
		if _, err := tr.st.Channel(t.Context(), "tokenland"); err == nil {
			t.Fatal("a token created a channel")
		}
		if len(tokenIDs(t, tr, "chief")) != 1 {
			t.Fatal("a token created a token")
		}
		chief.login(t, "chief") // the password is unchanged
	})
}

// TestTokenModeration: a token of the default scope may not moderate,
// even a moderator's; one of the moderate scope may, while its user's
// role allows it; only moderators and admins may create one.
func TestTokenModeration(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.st.CreateChannel(t.Context(), "troie", "Troie")
		tr.st.SetModeration(t.Context(), "troie", "manual", nil, "")
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("Modo")
		modo.login(t, "modo")
		plain := modo.newToken(t, "name", "coincoin")
		scoped := modo.newToken(t, "name", "moderation bot", "scope", "moderate")
		submit := func(content string) string {
			w := tr.client("author").post("/troie/post/", "content", content)
			if w.Code != http.StatusAccepted {
				t.Fatalf("submission: %d %s", w.Code, w.Body)
			}
			return w.Header().Get("X-Submission-Id")
		}
		sub := submit("waiting for a moderator")
		with := func(token string) []string { return []string{"Authorization", "Bearer " + token} }

		api := tr.client("bot")
		for _, tc := range []struct{ method, path string }{
			{"GET", "/moderation/pending.json"},
			{"POST", "/moderation/" + sub + "/accept"},
			{"POST", "/moderation/" + sub + "/reject"},
			{"POST", "/moderation/1/remove"},
		} {
			w := api.do(tc.method, tc.path, "", with(plain)...)
			if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "may not moderate") {
				t.Errorf("%s %s with a post-scope token: %d %s", tc.method, tc.path, w.Code, w.Body)
			}
		}
		var q pendingList
		w := api.get("/moderation/pending.json", with(scoped)...)
		decodeJSONInto(t, w, &q)
		if w.Code != 200 || q.Pending != 1 || q.Submissions[0].Content != "waiting for a moderator" {
			t.Fatalf("pending with the moderate scope: %d %s", w.Code, w.Body)
		}
		if w := api.do("POST", "/moderation/"+sub+"/accept", "", with(scoped)...); w.Code != 200 {
			t.Fatalf("accept: %d %s", w.Code, w.Body)
		}
		if w := tr.client("r").get("/troie/remote/json/"); !strings.Contains(w.Body.String(), "waiting for a moderator") {
			t.Fatalf("the accepted message is not published: %s", w.Body)
		}
		// The token in the body works for the API's posts too.
		sub2 := submit("to reject")
		if w := api.post("/moderation/"+sub2+"/reject", "reason", "no", "token", scoped); w.Code != 200 ||
			!strings.Contains(w.Body.String(), `"status":"rejected"`) {
			t.Fatalf("reject with a token field: %d %s", w.Code, w.Body)
		}

		// A role lowered takes the moderation away at once.
		if err := tr.board.SetRole(t.Context(), nil, "modo", model.RoleUser); err != nil {
			t.Fatal(err)
		}
		if w := api.get("/moderation/pending.json", with(scoped)...); w.Code != http.StatusForbidden {
			t.Fatalf("pending after the demotion: %d %s", w.Code, w.Body)
		}
		// It still posts as its user.
		if w := api.do("POST", "/post/", "content=demoted", with(scoped)...); w.Code != 200 {
			t.Fatalf("the demoted user's token posting: %d %s", w.Code, w.Body)
		}
		// A plain user may not create a moderate token, nor a bad scope.
		if w := modo.post("/profile/tokens", "scope", "moderate"); w.Code != http.StatusForbidden ||
			!strings.Contains(w.Body.String(), "Only moderators and administrators") {
			t.Fatalf("a user's moderate token: %d %s", w.Code, w.Body)
		}
		if w := modo.post("/profile/tokens", "scope", "admin"); w.Code != http.StatusBadRequest {
			t.Fatalf("scope admin: %d %s", w.Code, w.Body)
		}
		if w := tr.client("anon").post("/profile/tokens", "name", "x"); w.Code != http.StatusUnauthorized {
			t.Fatalf("an anonymous visitor's token: %d %s", w.Code, w.Body)
		}
		if w := modo.post("/profile/tokens", "name", strings.Repeat("é", 101)); w.Code != http.StatusBadRequest ||
			!strings.Contains(w.Body.String(), "100") {
			t.Fatalf("a long name: %d %s", w.Code, w.Body)
		}
	})
}

// TestTokenLastUse: the profile shows when each token was last used,
// written at most once a minute (so most requests write nothing).
func TestTokenLastUse(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		nono := tr.browser("Firefox")
		tr.createUser(t, "nono", model.RoleUser)
		nono.login(t, "nono")
		nono.header.Del("Accept")
		token := nono.newToken(t, "name", "dcoincoin")
		nono.header.Set("Accept", "text/html")
		lastUse := func() string {
			t.Helper()
			body := checkPage(t, nono, "/profile", 200, "dcoincoin")
			_, row, ok := strings.Cut(body, `<td class="last-used">`)
			if !ok {
				t.Fatalf("no last use on the profile:\n%s", body)
			}
			cell, _, _ := strings.Cut(row, "</td>")
			return cell
		}
		if got := lastUse(); got != "never" {
			t.Fatalf("before any use: %q", got)
		}
		post := func(at string) {
			t.Helper()
			tr.clock.set(t, at)
			if w := tokenCarriers[1].post(tr.client("dcoincoin"), "/post/", token, "at "+at); w.Code != 200 {
				t.Fatalf("post at %s: %d %s", at, w.Code, w.Body)
			}
		}
		post("2013-03-10 15:30:12")
		if got := lastUse(); got != "2013-03-10 15:30:12" {
			t.Fatalf("after a use: %q", got)
		}
		post("2013-03-10 15:30:50")
		if got := lastUse(); got != "2013-03-10 15:30:12" {
			t.Fatalf("a use 38 s later was written: %q", got)
		}
		post("2013-03-10 15:31:13")
		if got := lastUse(); got != "2013-03-10 15:31:13" {
			t.Fatalf("a use a minute later: %q", got)
		}
	})
}

// TestTokenRateLimit: a token's posts count against its user's budget,
// shared by all its tokens and its sessions.
func TestTokenRateLimit(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.PostRateLimit = config.Rate{N: 2, Period: time.Hour} }, func(t *testing.T, tr *tribune) {
		nono := tr.loggedIn(t, "nono")
		a, b := nono.newToken(t), nono.newToken(t)
		for i := range 2 {
			if w := tokenCarriers[0].post(tr.client("a"), "/post/", a, "a"+strconv.Itoa(i)); w.Code != 200 {
				t.Fatalf("post %d: %d %s", i, w.Code, w.Body)
			}
		}
		if w := tokenCarriers[2].post(tr.client("b"), "/post/", b, "b"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
			t.Fatalf("the other token, over the user's budget: %d %s", w.Code, w.Body)
		}
		if w := nono.post("/post/", "content", "session"); w.Code != http.StatusTooManyRequests {
			t.Fatalf("the user's session, over the budget: %d %s", w.Code, w.Body)
		}
		// An anonymous poster at the same address has a budget of its own.
		if w := tr.client("anon").post("/post/", "content", "anon"); w.Code != 200 {
			t.Fatalf("anonymous: %d %s", w.Code, w.Body)
		}
	})
}

// TestTokenCookieCrossOrigin: a browser posting for another site sends
// the tribune_token cookie it holds without its user's intent: it is
// ignored like the session cookie, and the post is anonymous (refused
// where anonymous remote posting is closed). A token the page puts in the
// body on purpose (a coincoin hosted elsewhere) posts as its user.
func TestTokenCookieCrossOrigin(t *testing.T) {
	for _, anonymous := range []bool{true, false} {
		t.Run("anonymous "+strconv.FormatBool(anonymous), func(t *testing.T) {
			eachTribune(t, func(c *config.Config) { c.RemoteAnonymousPost = anonymous }, func(t *testing.T, tr *tribune) {
				nono := tr.loggedIn(t, "nono")
				token := nono.newToken(t)
				for _, fp := range foreignPosts {
					headers := append([]string{"Content-Type", fp.contentType, "Cookie", "tribune_token=" + token}, fp.headers...)
					w := tr.client("Mozilla/5.0").do("POST", "/post/", foreignBody(fp.contentType, "forged?"), headers...)
					if !anonymous {
						if w.Code != http.StatusForbidden {
							t.Errorf("%s: %d %s", fp.name, w.Code, w.Body)
						}
						continue
					}
					if w.Code != 200 {
						t.Fatalf("%s: %d %s", fp.name, w.Code, w.Body)
					}
					id, _ := strconv.ParseInt(w.Header().Get("X-Post-Id"), 10, 64)
					if m := messageOf(t, tr, id); m.Login != nil {
						t.Errorf("%s: posted as %s", fp.name, *m.Login)
					}
				}
				// A command sent that way keeps nothing of the token's.
				fp := foreignPosts[0]
				tr.client("x").do("POST", "/post/", foreignBody(fp.contentType, "/bak add ua forged"),
					append([]string{"Content-Type", fp.contentType, "Cookie", "tribune_token=" + token}, fp.headers...)...)
				// On purpose, in the body: the user's.
				w := tr.client("Mozilla/5.0").do("POST", "/post/", "content=on+purpose&token="+token, fp.headers...)
				if w.Code != 200 {
					t.Fatalf("a token in a foreign body: %d %s", w.Code, w.Body)
				}
				id, _ := strconv.ParseInt(w.Header().Get("X-Post-Id"), 10, 64)
				if m := messageOf(t, tr, id); m.Login == nil || *m.Login != "nono" {
					t.Errorf("a token in a foreign body posted as %v", m.Login)
				}
				if len(w.Result().Cookies()) != 0 {
					t.Errorf("a foreign post set cookies: %v", w.Header()["Set-Cookie"])
				}
				if rules := tokenRules(t, tr, token); len(rules) != 0 {
					t.Errorf("a foreign post changed the token's filters: %q", rules)
				}
			})
		})
	}
}

// tokenRules is the BaK rules of a token's session, as /bak says.
func tokenRules(t *testing.T, tr *tribune, token string) []string {
	t.Helper()
	use, err := tr.board.UseToken(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	var rules []string
	if st := use.Session.Data.Bak; st != nil {
		for _, r := range st.Rules {
			rules = append(rules, r.Target+" "+r.Kind+" "+r.Pattern)
		}
	}
	return rules
}

// TestTokenCap: an account holds at most board.MaxTokens tokens; the
// next is refused with a sentence, until one is revoked.
func TestTokenCap(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		nono := tr.loggedIn(t, "nono")
		for range board.MaxTokens {
			nono.newToken(t)
		}
		w := nono.post("/profile/tokens", "name", "one too many")
		if w.Code != http.StatusBadRequest || w.Body.String() != "An account holds at most 50 tokens: revoke one first." {
			t.Fatalf("one too many: %d %s", w.Code, w.Body)
		}
		if w := nono.post("/profile/tokens/" + strconv.FormatInt(tokenIDs(t, tr, "nono")[0], 10) + "/revoke"); w.Code != 200 {
			t.Fatalf("revoke: %d %s", w.Code, w.Body)
		}
		nono.newToken(t)
	})
}
