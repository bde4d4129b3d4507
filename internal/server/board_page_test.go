package server

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
)

// TestNoScriptBoardPostsToItself: the no-script board's form posts to the
// no-script page and comes back to it, and a refused post stays without
// the script.
func TestNoScriptBoardPostsToItself(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.st.CreateChannel(t.Context(), "troie", "Troie")
	c := tr.browser("Mozilla/5.0")
	for _, root := range []string{"/", "/troie/"} {
		page := checkPage(t, c, root+"noscript/", 200, `method="post" action="`+root+`noscript/"`, `<a href="`+root+`">`)
		if strings.Contains(page, "board.") && strings.Contains(page, "<script") {
			t.Errorf("%snoscript/ loads board.js", root)
		}
		w := c.post(root+"noscript/", "content", "sans script "+root)
		if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, root+"noscript/#m") {
			t.Fatalf("%snoscript/ post: %d %v", root, w.Code, w.Header())
		}
		checkPage(t, c, root+"noscript/", 200, "sans script "+root)
		// A command's notice comes back to the no-script page too.
		if w := c.post(root+"noscript/", "content", "/name Nono"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != root+"noscript/#post-form" {
			t.Fatalf("%snoscript/ command: %d %v", root, w.Code, w.Header())
		}
		checkPage(t, c, root+"noscript/", 200, "You are now called Nono.")
		// A refused post is shown again without the script.
		w = c.post(root+"noscript/", "content", "")
		body := w.Body.String()
		if w.Code != http.StatusBadRequest || !strings.Contains(body, "This field is required.") ||
			!strings.Contains(body, `action="`+root+`noscript/"`) || strings.Contains(body, "/static/board.") {
			t.Fatalf("%snoscript/ refused post: %d %s", root, w.Code, body)
		}
	}
	// The board with the script still comes back to itself.
	if w := c.post("/", "content", "with script"); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/#m3" {
		t.Fatalf("board post: %d %v", w.Code, w.Header())
	}
}

// TestBoardFormRateLimited: a 429 on the board's form tells when to retry.
func TestBoardFormRateLimited(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.PostRateLimit = config.Rate{N: 1, Period: time.Minute} })
	for _, path := range []string{"/", "/noscript/"} {
		c := tr.browser("Mozilla/5.0")
		c.post(path, "content", "first")
		w := c.post(path, "content", "second")
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" ||
			!strings.Contains(w.Body.String(), "Too many posts") || !strings.Contains(w.Body.String(), `value="second"`) {
			t.Fatalf("%s: %d %v", path, w.Code, w.Header())
		}
		if secs := w.Header().Get("Retry-After"); secs != "60" && secs != "59" {
			t.Errorf("%s: Retry-After %s", path, secs)
		}
	}
}

// TestBoardShowsOwnSubmissions: the author sees its waiting and rejected
// messages on the board after a reload and without JavaScript, with the
// identity rules of messages; nobody else does.
func TestBoardShowsOwnSubmissions(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.st.CreateChannel(t.Context(), "mod", "Moderated")
	tr.st.SetModeration(t.Context(), "mod", "auto", []string{"words:spam#no spam"}, "pending")
	tr.createUser(t, "bob", model.RoleUser)
	ua := "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
	anon := tr.browser(ua)
	if w := anon.post("/mod/", "content", "buy spam"); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Rejected: no spam") {
		t.Fatalf("rejected post: %d", w.Code)
	}
	if w := anon.post("/mod/noscript/", "content", "wait for me"); w.Code != http.StatusSeeOther {
		t.Fatalf("pending post: %d", w.Code)
	}
	shown := markup.Cut(ua, 30)
	for _, path := range []string{"/mod/", "/mod/noscript/"} {
		body := checkPage(t, anon, path, 200)
		rows := regexp.MustCompile(`(?s)<li class="message pending owned[^"]*"[^>]*>.*?</li>`).FindAllString(body, -1)
		if len(rows) != 2 {
			t.Fatalf("%s: %d own rows\n%s", path, len(rows), body)
		}
		rejected, pending := rows[0], rows[1]
		for _, want := range []string{`class="message pending owned rejected"`, "buy spam", `<span class="status">rejected: no spam</span>`} {
			if !strings.Contains(rejected, want) {
				t.Errorf("%s: the rejected row lacks %q:\n%s", path, want, rejected)
			}
		}
		for _, want := range []string{"wait for me", `<span class="status">awaiting moderation</span>`,
			`<span class="identity anonymous" title="` + ua + `">` + shown + `</span>`} {
			if !strings.Contains(pending, want) {
				t.Errorf("%s: the pending row lacks %q:\n%s", path, want, pending)
			}
		}
	}
	if body := checkPage(t, tr.browser(ua), "/mod/", 200); strings.Contains(body, "buy spam") || strings.Contains(body, "wait for me") {
		t.Error("someone else sees the author's submissions")
	}
	// A registered author is shown as <login>, with its browser on hover.
	bob := tr.browser("Bob's browser")
	bob.login(t, "bob")
	bob.post("/mod/", "content", "bob waits")
	body := checkPage(t, bob, "/mod/", 200, "bob waits")
	if !strings.Contains(body, `<span class="identity authenticated" title="Bob&#39;s browser">&lt;bob&gt;</span>`) {
		t.Errorf("bob's waiting message does not show <bob>:\n%s", body)
	}
	// In French, the status too.
	anon.header.Set("Accept-Language", "fr")
	checkPage(t, anon, "/mod/", 200, i18n.T(i18n.FR, "board.rejected_because", "no spam"), i18n.T(i18n.FR, "board.pending"))
}

// TestBoardSuperscripts: every message of a second shared by several has
// its index, the first one included.
func TestBoardSuperscripts(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("x")
	tr.clock.set(t, "2013-03-10 15:30:12")
	c.say("/", "alone")
	tr.clock.set(t, "2013-03-10 15:30:13")
	c.say("/", "first")
	c.say("/", "second")
	body := checkPage(t, tr.browser("x"), "/", 200)
	sups := regexp.MustCompile(`<time datetime="[^"]+">(\d\d:\d\d:\d\d)</time>(?:<sup>([^<]*)</sup>)?`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, m := range sups {
		got = append(got, m[1]+m[2])
	}
	if want := "15:30:12 15:30:13¹ 15:30:13²"; strings.Join(got, " ") != want {
		t.Errorf("clocks %q, want %q", strings.Join(got, " "), want)
	}
}

// TestErrorPagesTitles: the error page is titled in the page's language.
func TestErrorPagesTitles(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.createUser(t, "simple", model.RoleUser)
	fr := tr.browser("x")
	fr.header.Set("Accept-Language", "fr")
	checkPage(t, fr, "/nope/remote/extra", 404, "<title>Page introuvable</title>", "404 Page introuvable")
	fr.login(t, "simple")
	checkPage(t, fr, "/admin/", 403, "<title>Accès refusé</title>")
	en := tr.browser("x")
	checkPage(t, en, "/nope/remote/extra", 404, "<title>Page not found</title>")
	for _, status := range []int{400, 401, 403, 404, 405, 409, 413, 429, 500, 503} {
		for _, lang := range []string{"en", "fr"} {
			if got := statusTitle(i18n.Lang(lang), status); got == statusTitle(i18n.Lang(lang), 999) {
				t.Errorf("%s %d: no title of its own (%q)", lang, status, got)
			}
		}
	}
}

// TestSkipLinkAndThemeControl: the skip link says where it goes, the theme
// control says which theme is on.
func TestSkipLinkAndThemeControl(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.browser("x")
	checkPage(t, c, "/", 200, `<a class="skip" href="#main">Skip to the messages</a>`, `data-theme="auto">Theme: system</button>`)
	checkPage(t, c, "/login", 200, `<a class="skip" href="#main">Skip to content</a>`)
	c.post("/prefs", "theme", "dark")
	checkPage(t, c, "/", 200, `data-theme="dark">Theme: dark</button>`)
	c.header.Set("Accept-Language", "fr")
	checkPage(t, c, "/", 200, "Thème\u00a0: sombre</button>")
	checkPage(t, c, "/profile", 200, `<a class="skip" href="#main">Aller au contenu</a>`)
}
