package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// browser makes a client that asks for HTML, as browsers do.
func (tr *tribune) browser(ua string) *client {
	c := tr.client(ua)
	c.header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	return c
}

// untranslated finds catalogue keys printed as such: a key missing from the
// catalogue is shown as itself.
var untranslated = regexp.MustCompile(`\b(admin|board|profile|moderation|filter|role|status|nav|login|signup|form|account|error|captcha|prefs|bak|command|lastfm)\.[a-z_]+(\.[a-z_*|=~^$]+)?\b`)

func checkPage(t *testing.T, c *client, path string, status int, wants ...string) string {
	t.Helper()
	w := c.get(path)
	body := w.Body.String()
	if w.Code != status || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("%s: %d %s\n%s", path, w.Code, w.Header().Get("Content-Type"), body)
	}
	for _, want := range wants {
		if !strings.Contains(body, want) {
			t.Errorf("%s lacks %q", path, want)
		}
	}
	if m := untranslated.FindString(stripTags(body)); m != "" {
		t.Errorf("%s shows an untranslated key %q", path, m)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("%s: CSP %q", path, csp)
	}
	return body
}

var tags = regexp.MustCompile(`<[^>]*>`)

func stripTags(s string) string { return tags.ReplaceAllString(s, " ") }

func TestPagesInBothLanguages(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.st.CreateChannel(t.Context(), "troie", "La guerre de Troie")
	tr.st.SetModeration(t.Context(), "troie", "manual", nil, "")
	tr.createUser(t, "chief", model.RoleAdmin)
	poster := tr.client("Poster")
	poster.say("/", "12:00:00 <b>bonjour</b> http://linuxfr.org/ [:totoz] moules<")
	poster.post("/troie/post/", "content", "xyzzy pending text")

	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			anon := tr.browser("Mozilla/5.0")
			anon.header.Set("Accept-Language", lang)
			post := i18n.T(i18n.Lang(lang), "board.post")
			body := checkPage(t, anon, "/", 200, `<ol class="messages"`, `<b>bonjour</b>`, `class="pointer">12:00:00</span>`,
				`<form class="post" id="post-form" method="post" action="/"`, post, `href="/troie/"`, "board.", `lang="`+lang+`"`)
			if !strings.Contains(body, `type="module" src="/static/board.`) {
				t.Error("the board does not load its script")
			}
			if nos := checkPage(t, anon, "/noscript/", 200, "bonjour"); strings.Contains(nos, "board.") && strings.Contains(nos, "<script") {
				t.Error("the no-script board loads a script")
			}
			checkPage(t, anon, "/troie/", 200, "La guerre de Troie")
			checkPage(t, anon, "/login", 200, `name="username"`, `name="password"`)
			checkPage(t, anon, "/signup", 200, `name="password2"`)
			checkPage(t, anon, "/profile", 200, `action="/prefs"`, `action="/prefs/filters"`)
			// The author sees its pending message on the board, others do not.
			poster.header.Set("Accept", "text/html")
			poster.header.Set("Accept-Language", lang)
			checkPage(t, poster, "/troie/", 200, `class="message pending owned"`, "xyzzy pending text")
			if b := checkPage(t, anon, "/troie/", 200); strings.Contains(b, "xyzzy pending text") {
				t.Error("a pending message is shown to someone else")
			}
			chief := tr.browser("Mozilla/5.0")
			chief.header.Set("Accept-Language", lang)
			chief.login(t, "chief")
			checkPage(t, chief, "/moderation/", 200, "xyzzy pending text", `/accept"`, `name="reason"`)
			checkPage(t, chief, "/admin/", 200, `name="moderators"`, "chief", `value="troie"`)
			checkPage(t, chief, "/profile", 200, `action="/profile/password"`)
			checkPage(t, anon, "/nope/remote/xml/extra", 404)
		})
	}
	// The French page is French.
	fr := tr.browser("x")
	fr.header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	if b := fr.get("/").Body.String(); !strings.Contains(b, "Poster") || !strings.Contains(b, "Rafraîchissement actif") {
		t.Error("the French board is not French")
	}
	// The switch is remembered, over Accept-Language.
	en := tr.browser("x")
	en.header.Set("Accept-Language", "fr")
	if w := en.post("/lang", "lang", "en", "next", "/troie/"); w.Code != 303 || w.Header().Get("Location") != "/troie/" {
		t.Fatalf("lang switch: %d %v", w.Code, w.Header())
	}
	if b := en.get("/").Body.String(); !strings.Contains(b, `lang="en"`) {
		t.Error("the language switch was not remembered")
	}
}

func TestBoardFormWithoutJavaScript(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.browser("Mozilla/5.0")
	w := c.post("/", "content", "from the plain form", "last_id", "0")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/#m") {
		t.Fatalf("post: %d %v", w.Code, w.Header())
	}
	checkPage(t, c, "/", 200, "from the plain form")
	// A command says what it did after the redirect.
	if w := c.post("/", "content", "/name Nono"); w.Code != http.StatusSeeOther {
		t.Fatalf("command: %d", w.Code)
	}
	checkPage(t, c, "/", 200, "You are now called Nono.")
	// The notice is shown once.
	if b := c.get("/").Body.String(); strings.Contains(b, "You are now called Nono.") {
		t.Error("the notice stayed")
	}
	// An invalid message comes back with the error and the text typed.
	long := strings.Repeat("x", 501)
	w = c.post("/", "content", long)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "Ensure this value has at most 500 characters") ||
		!strings.Contains(w.Body.String(), `value="`+long+`"`) || !strings.Contains(w.Body.String(), `class="error" aria-invalid="true"`) {
		t.Fatalf("invalid post: %d", w.Code)
	}
	// A channel's form posts to the channel and comes back to it.
	tr.st.CreateChannel(t.Context(), "troie", "Troie")
	if w := c.post("/troie/", "content", "à Troie"); w.Code != 303 || w.Header().Get("Location") != "/troie/#m2" {
		t.Fatalf("channel post: %d %v", w.Code, w.Header())
	}
	// A cross-site form is refused.
	w = c.do("POST", "/", "content=forged", "Sec-Fetch-Site", "cross-site")
	if w.Code != 403 {
		t.Fatalf("cross-site post: %d", w.Code)
	}
}

type answer struct {
	Status       string    `json:"status"`
	ID           int64     `json:"id"`
	SubmissionID int64     `json:"submission_id"`
	Notice       string    `json:"notice"`
	Error        string    `json:"error"`
	Web          string    `json:"web_render"`
	Rows         []jsonRow `json:"rows"`
	Captcha      string    `json:"captcha"`
}

func boardPost(t *testing.T, c *client, path string, fields ...string) (int, answer) {
	t.Helper()
	c.header.Set("Accept", "application/json")
	defer c.header.Del("Accept")
	w := c.post(path, fields...)
	var a answer
	if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
		t.Fatalf("board answer: %v\n%s", err, w.Body)
	}
	return w.Code, a
}

func TestBoardPostJSON(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.st.CreateChannel(t.Context(), "mod", "mod")
	tr.st.SetModeration(t.Context(), "mod", "auto", []string{"words:spam#no spam"}, "")
	c := tr.client("Mozilla/5.0")
	first := c.say("/", "first")
	code, a := boardPost(t, c, "/", "content", "second", "last_id", "1")
	if code != 200 || a.Status != "published" || a.ID <= first || len(a.Rows) != 1 || a.Rows[0].ID != a.ID || !a.Rows[0].Owned {
		t.Fatalf("published: %d %+v", code, a)
	}
	code, a = boardPost(t, c, "/", "content", "/bak add ua Troll")
	if code != 200 || a.Status != "command" || a.Notice != "Filter added: ua == Troll" {
		t.Fatalf("command: %d %+v", code, a)
	}
	code, a = boardPost(t, c, "/", "content", "")
	if code != 400 || a.Status != "error" || a.Error != "This field is required." {
		t.Fatalf("empty: %d %+v", code, a)
	}
	code, a = boardPost(t, c, "/mod/", "content", "wait for it")
	if code != 202 || a.Status != "pending" || a.SubmissionID == 0 || a.Web != "wait for it" {
		t.Fatalf("pending: %d %+v", code, a)
	}
	code, a = boardPost(t, c, "/mod/", "content", "buy spam")
	if code != 403 || a.Status != "rejected" || a.Error != "Rejected: no spam" {
		t.Fatalf("rejected: %d %+v", code, a)
	}
}

func TestBoardCaptcha(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Captcha = true })
	c := tr.browser("Mozilla/5.0")
	body := checkPage(t, c, "/", 200, `name="captcha_id"`, `/captcha/`)
	id := regexp.MustCompile(`name="captcha_id" value="([^"]+)"`).FindStringSubmatch(body)[1]
	code, a := boardPost(t, c, "/", "content", "no captcha")
	if code != 400 || !strings.HasPrefix(a.Error, "The captcha answer is wrong") || a.Captcha == "" {
		t.Fatalf("without captcha: %d %+v", code, a)
	}
	c.get("/captcha/" + a.Captcha + ".png") // the browser shows the new picture
	digits, err := tr.st.CaptchaDigits(t.Context(), a.Captcha)
	if err != nil {
		t.Fatal(err)
	}
	code, a = boardPost(t, c, "/", "content", "with captcha", "captcha_id", a.Captcha, "captcha", digits)
	if code != 200 || a.Status != "published" {
		t.Fatalf("with captcha: %d %+v", code, a)
	}
	_ = id
	// Registered users and remote clients are not asked.
	tr.createUser(t, "member", model.RoleUser)
	m := tr.client("x")
	m.login(t, "member")
	if code, a := boardPost(t, m, "/", "content", "member"); code != 200 {
		t.Fatalf("member: %d %+v", code, a)
	}
	if w := tr.client("olcc").post("/post/", "content", "remote"); w.Code != 200 {
		t.Fatalf("remote: %d", w.Code)
	}
}

func TestPrefsAndFilters(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("x")
	c.header.Set("Accept", "application/json")
	var p struct {
		prefsJSON
		Notice string `json:"notice"`
	}
	decodeJSONInto(t, c.post("/prefs", "refresh", "off", "refresh_secs", "30", "theme", "dark"), &p)
	if p.Refresh || p.RefreshSecs != 30 || p.Theme != "dark" {
		t.Fatalf("prefs: %+v", p)
	}
	decodeJSONInto(t, c.get("/prefs.json"), &p)
	if p.Refresh || p.Theme != "dark" {
		t.Fatalf("prefs read back: %+v", p)
	}
	if w := c.post("/prefs", "theme", "pink"); w.Code != 400 {
		t.Fatalf("bad theme: %d", w.Code)
	}
	if w := c.post("/prefs", "refresh_secs", "1"); w.Code != 400 {
		t.Fatalf("bad interval: %d", w.Code)
	}
	decodeJSONInto(t, c.post("/prefs/filters", "op", "add", "target", "ua", "kind", "|=", "pattern", "  troll \n bot "), &p)
	if len(p.Filters.Rules) != 1 || p.Filters.Rules[0].Pattern != "troll bot" || p.Notice == "" {
		t.Fatalf("filter added: %+v", p)
	}
	if w := c.post("/prefs/filters", "op", "add", "target", "nick", "kind", "|=", "pattern", "x"); w.Code != 400 ||
		w.Body.String() != "Choose what the filter looks at." {
		t.Fatalf("bad filter: %d %q", w.Code, w.Body)
	}
	decodeJSONInto(t, c.post("/prefs/filters", "op", "remove", "target", "ua", "kind", "|=", "pattern", "troll bot"), &p)
	if len(p.Filters.Rules) != 0 {
		t.Fatalf("filter removed: %+v", p)
	}
	// The board page follows the preferences.
	b := tr.browser("x")
	b.cookies = c.cookies
	body := checkPage(t, b, "/", 200)
	if !strings.Contains(body, `data-theme="dark"`) || strings.Contains(body, `id="refresh-toggle" checked`) {
		t.Error("the board ignores the preferences")
	}
	// A registered user's preferences follow them to another browser.
	tr.createUser(t, "nomad", model.RoleUser)
	n := tr.client("x")
	n.login(t, "nomad")
	n.post("/prefs", "theme", "light")
	other := tr.browser("y")
	other.login(t, "nomad")
	if body := other.get("/").Body.String(); !strings.Contains(body, `data-theme="light"`) {
		t.Error("preferences did not follow the user")
	}
}

func TestPasswordChange(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.createUser(t, "nomad", model.RoleUser)
	a, b := tr.client("a"), tr.client("b")
	a.login(t, "nomad")
	b.login(t, "nomad")
	if w := a.post("/profile/password", "current", "wrong", "password", "newpassword", "password2", "newpassword"); w.Code != 401 {
		t.Fatalf("wrong current password: %d", w.Code)
	}
	if w := a.post("/profile/password", "current", "nomad-password", "password", "newpassword", "password2", "other"); w.Code != 400 {
		t.Fatalf("different passwords: %d", w.Code)
	}
	if w := a.post("/profile/password", "current", "nomad-password", "password", "newpassword", "password2", "newpassword"); w.Code != 200 {
		t.Fatalf("change: %d %s", w.Code, w.Body)
	}
	// This session goes on; the other one is closed.
	if w := a.post("/post/", "content", "still me"); w.Code != 200 {
		t.Fatal(w.Code)
	}
	rows := decodeJSON(t, a.get("/remote/json/"))
	if rows[0].Login == nil {
		t.Fatal("the changing session lost its user")
	}
	b.say("/", "who am I")
	rows = decodeJSON(t, b.get("/remote/json/"))
	if rows[1].Login != nil {
		t.Fatal("another session survived the password change")
	}
	if w := tr.client("c").post("/login", "username", "nomad", "password", "newpassword"); w.Code != 200 {
		t.Fatalf("new password: %d", w.Code)
	}
}

func TestModerationAndAdminPages(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.createUser(t, "modo", model.RoleModerator)
	tr.createUser(t, "chief", model.RoleAdmin)
	tr.createUser(t, "simple", model.RoleUser)
	anon := tr.browser("x")
	if w := anon.get("/moderation/"); w.Code != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/login?next=") {
		t.Fatalf("anonymous moderation page: %d %v", w.Code, w.Header())
	}
	simple := tr.browser("x")
	simple.login(t, "simple")
	checkPage(t, simple, "/moderation/", 403)
	checkPage(t, simple, "/admin/", 403)
	modo := tr.browser("x")
	modo.login(t, "modo")
	checkPage(t, modo, "/admin/", 403)

	chief := tr.browser("x")
	chief.login(t, "chief")
	steps := []struct {
		fields []string
		notice string
	}{
		{[]string{"op", "create", "slug", "troie", "title", "La guerre de Troie"}, "Channel troie created."},
		{[]string{"op", "create", "slug", "remote", "title", "x"}, "cannot name a channel"},
		{[]string{"op", "create", "slug", "troie", "title", "again"}, "already taken"},
		{[]string{"op", "rename", "slug", "troie", "title", "Troie"}, "Channel renamed to Troie."},
		{[]string{"op", "moderate", "slug", "troie", "mode", "manual", "moderators", "", "auto_moderate_as", ""}, "Moderation saved: Every message waits for a moderator."},
		{[]string{"op", "moderate", "slug", "troie", "mode", "auto", "moderators", "links:x", "auto_moderate_as", ""}, "refused"},
		{[]string{"op", "delete", "slug", "troie"}, "Tick the box"},
		{[]string{"op", "delete", "slug", "", "confirm", "yes"}, "cannot be deleted"},
	}
	for _, s := range steps {
		if w := chief.post("/admin/channels", s.fields...); w.Code != 303 {
			t.Fatalf("%v: %d %s", s.fields, w.Code, w.Body)
		}
		if body := chief.get("/admin/").Body.String(); !strings.Contains(body, s.notice) {
			t.Fatalf("%v: no %q", s.fields, s.notice)
		}
	}
	c, err := tr.st.Channel(t.Context(), "troie")
	if err != nil || c.Title != "Troie" || c.Mode != "manual" {
		t.Fatalf("channel: %+v %v", c, err)
	}
	// The moderation page accepts a pending message.
	tr.client("poster").post("/troie/post/", "content", "please")
	body := checkPage(t, chief, "/moderation/", 200, "please")
	id := regexp.MustCompile(`/moderation/(\d+)/accept`).FindStringSubmatch(body)[1]
	if w := chief.post("/moderation/" + id + "/accept"); w.Code != 303 {
		t.Fatalf("accept form: %d", w.Code)
	}
	if rows := decodeJSON(t, tr.client("x").get("/troie/remote/json/")); len(rows) != 1 || rows[0].WebRender != "please" {
		t.Fatalf("accepted: %+v", rows)
	}
	checkPage(t, chief, "/moderation/", 200, "please", "chief") // in the latest decisions
	if w := chief.post("/moderation/remove", "id", "1", "next", "/moderation/"); w.Code != 303 {
		t.Fatalf("remove form: %d", w.Code)
	}
	// Roles.
	if w := chief.post("/admin/users", "username", "simple", "role", "moderator"); w.Code != 303 {
		t.Fatalf("role: %d", w.Code)
	}
	if u, _ := tr.st.UserByName(t.Context(), "simple"); u.Role != model.RoleModerator {
		t.Fatalf("role not changed: %s", u.Role)
	}
	chief.post("/admin/users", "username", "chief", "role", "user")
	if u, _ := tr.st.UserByName(t.Context(), "chief"); u.Role != model.RoleAdmin {
		t.Fatal("an admin demoted themselves")
	}
	if w := chief.post("/admin/channels", "op", "delete", "slug", "troie", "confirm", "yes"); w.Code != 303 {
		t.Fatalf("delete: %d", w.Code)
	}
	if _, err := tr.st.Channel(t.Context(), "troie"); err == nil {
		t.Fatal("not deleted")
	}
}

func TestLockedBoardSendsBrowsersToLogIn(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Locked = true })
	w := tr.browser("x").get("/")
	if w.Code != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/login?next=") {
		t.Fatalf("locked board: %d %v", w.Code, w.Header())
	}
	checkPage(t, tr.browser("x"), "/login", 200)
}
