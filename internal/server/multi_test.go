package server

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
)

// The multi view shows the chosen channels' messages in one list, with
// their aliases; bad lists are a clear 4xx.
func TestMultiPage(t *testing.T) {
	tr := sqliteTribune(t, nil)
	for _, slug := range []string{"troie", "dev"} {
		if _, err := tr.board.CreateChannel(t.Context(), slug, strings.ToUpper(slug)); err != nil {
			t.Fatal(err)
		}
	}
	c := tr.browser("Mozilla/5.0")
	c.say("/troie/", "à Troie")
	c.say("/dev/", "au dev")
	c.say("/", "ailleurs")
	body := checkPage(t, c, "/multi/?c=troie:t,dev", 200, "à Troie", "au dev", `<span class="alias">t</span>`, `<span class="alias">dev</span>`,
		"<title>TROIE, DEV — example.com</title>")
	if strings.Contains(body, "ailleurs") {
		t.Error("the multi view shows a channel not chosen")
	}
	if i, j := strings.Index(body, "à Troie"), strings.Index(body, "au dev"); i > j {
		t.Error("the combined list is not in the order of arrival")
	}
	checkPage(t, c, "/multi/?c=~,troie", 200, "ailleurs", "à Troie", `<span class="alias">tribune</span>`)
	for q, status := range map[string]int{
		"?c=nope":                             404,
		"?c=troie,troie":                      400,
		"?c=troie:x,dev:x":                    400,
		"?c=troie:<script>":                   400,
		"?c=troie:" + strings.Repeat("a", 13): 400,
		"?c=" + strings.Repeat("troie,", 9):   400,
	} {
		if w := c.get("/multi/" + q); w.Code != status {
			t.Errorf("/multi/%s: %d, want %d", q, w.Code, status)
		}
	}
}

// On a locked tribune the multi view and its stream are for logged-in
// users only, as each channel's board.
func TestMultiLocked(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Locked = true })
	c := tr.browser("Mozilla/5.0")
	if w := c.get("/multi/"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Errorf("locked multi page: %d %v", w.Code, w.Header())
	}
	if w := tr.client("curl").get("/multi/stream/"); w.Code != http.StatusForbidden {
		t.Errorf("locked multi stream: %d", w.Code)
	}
}

// The combined stream carries each channel's new messages, tagged with
// the channel, and not the others'.
func TestMultiStream(t *testing.T) {
	tr := sqliteTribune(t, nil)
	for _, slug := range []string{"troie", "dev"} {
		if _, err := tr.board.CreateChannel(t.Context(), slug, slug); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(tr.srv)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/multi/stream/?c=troie,dev", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %s", resp.Status)
	}
	poster := tr.client("poster/1.0")
	go func() {
		time.Sleep(200 * time.Millisecond)
		poster.say("/", "pas ici")
		poster.say("/dev/", "pour dev")
		poster.say("/troie/", "pour troie")
	}()
	sc := bufio.NewScanner(resp.Body)
	var got []string
	for sc.Scan() && len(got) < 2 {
		if line := sc.Text(); strings.HasPrefix(line, "data: {") {
			got = append(got, line)
		}
	}
	if len(got) != 2 || !strings.Contains(got[0], `"c":"dev"`) || !strings.Contains(got[0], "pour dev") ||
		!strings.Contains(got[1], `"c":"troie"`) || !strings.Contains(got[1], "pour troie") {
		t.Fatalf("events %q", got)
	}
}

// The multi view asks anonymous visitors for the captcha as a board does;
// a post without it is refused by the channel's own route.
func TestMultiCaptcha(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Captcha = true })
	if _, err := tr.board.CreateChannel(t.Context(), "troie", "Troie"); err != nil {
		t.Fatal(err)
	}
	c := tr.browser("Mozilla/5.0")
	checkPage(t, c, "/multi/?c=troie", 200, `id="captcha"`, `name="captcha_id"`)
	w := c.do("POST", "/troie/", formBody("content", "sans captcha", "last_id", "0"), "Accept", "application/json")
	if w.Code < 400 || w.Code >= 500 {
		t.Errorf("a post without the captcha: %d %s", w.Code, w.Body)
	}
}

// The combined stream applies the viewer's new BaK filters at once, and
// tells the page to reload its list, as a channel's stream does; another
// visitor's stream is not touched.
func TestMultiStreamFollowsFilterChanges(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		for _, slug := range []string{"troie", "dev"} {
			if _, err := tr.board.CreateChannel(t.Context(), slug, slug); err != nil {
				t.Fatal(err)
			}
		}
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close)
		poster, other, reader := tr.client("Poster"), tr.client("Someone"), tr.client("Reader")
		if w := reader.get("/multi/?c=troie,dev", "Accept", "text/html"); w.Code != 200 || reader.cookies[tr.cfg.SessionCookieName] == nil {
			t.Fatalf("the multi page: %d, cookies %v", w.Code, reader.cookies)
		}
		const path = "/multi/stream/?c=troie,dev"
		mine := openStream(t, srv, path, reader.cookies)
		stranger := openStream(t, srv, path, nil)
		expect := func(s *sseClient, what string, want ...string) {
			t.Helper()
			for _, w := range want {
				if w == "reset" {
					if e := s.next("reset"); e.data != `{"reason":"filters"}` {
						t.Fatalf("%s: reset %+v", what, e)
					}
					continue
				}
				if e := s.next("message"); !strings.Contains(e.data, w) {
					t.Fatalf("%s: got message %s, want %q", what, e.data, w)
				}
			}
		}
		if w := reader.post("/post/", "content", "/bak add ua Poster"); w.Code != 200 {
			t.Fatalf("/bak add: %d %s", w.Code, w.Body)
		}
		poster.say("/troie/", "hidden from the reader")
		other.say("/dev/", "shown to the reader")
		expect(mine, "after /bak add", "reset", "shown to the reader")
		expect(stranger, "stranger", "hidden from the reader", "shown to the reader")

		if w := reader.post("/prefs/filters", "op", "off"); w.Code >= 400 {
			t.Fatalf("filters off: %d %s", w.Code, w.Body)
		}
		poster.say("/dev/", "shown again")
		expect(mine, "after the filters are off", "reset", "shown again")
		expect(stranger, "stranger", "shown again")

		// A save that leaves the filters alone resets nothing.
		if w := reader.post("/prefs", "theme", "dark"); w.Code >= 400 {
			t.Fatalf("theme: %d %s", w.Code, w.Body)
		}
		poster.say("/troie/", "after the theme")
		expect(mine, "after a theme change", "after the theme")
	})
}

// Without JavaScript the multi view's form posts to the channel chosen in
// its selector (or named by "@alias "), with that channel's rules, and
// comes back to the view at the new message, the selector kept.
func TestMultiPostWithoutJavaScript(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.PostMaxLength = 40 })
	for _, slug := range []string{"troie", "dev"} {
		if _, err := tr.board.CreateChannel(t.Context(), slug, strings.ToUpper(slug)); err != nil {
			t.Fatal(err)
		}
	}
	c := tr.browser("Mozilla/5.0")
	const view = "/multi/?c=troie:t,dev"
	body := checkPage(t, c, view, 200)
	if !strings.Contains(body, `action="/multi/?c=troie%3At%2Cdev"`) || !strings.Contains(body, `name="channel"`) {
		t.Fatalf("the form does not post to the view with its selector:\n%s", body)
	}
	latest := func(slug string) string {
		t.Helper()
		ch, _, err := tr.board.Channel(t.Context(), slug)
		if err != nil {
			t.Fatal(err)
		}
		ms, _, err := tr.board.List(t.Context(), ch.ID, 0, 1, nil)
		if err != nil || len(ms) == 0 {
			return ""
		}
		return ms[0].Raw
	}
	post := func(fields ...string) *httptest.ResponseRecorder {
		return c.do("POST", view, formBody(append(fields, "last_id", "0")...), "Origin", "http://example.com", "Sec-Fetch-Site", "same-origin")
	}

	// The selector's second channel, not the first.
	w := post("channel", "dev", "content", "par le sélecteur")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("post: %d %s", w.Code, w.Body)
	}
	if got := latest("dev"); got != "par le sélecteur" {
		t.Errorf("dev holds %q", got)
	}
	if got := latest("troie"); got != "" {
		t.Errorf("troie holds %q", got)
	}
	loc := w.Header().Get("Location")
	if !strings.HasPrefix(loc, "/multi/?c=troie%3At%2Cdev&to=dev#m") {
		t.Errorf("back to %q", loc)
	}
	back := checkPage(t, c, strings.Split(loc, "#")[0], 200, "par le sélecteur")
	if !strings.Contains(back, `<option value="dev" data-board="/dev/" selected>`) {
		t.Error("the selector does not keep the channel posted to")
	}

	// "@alias " picks the channel whatever the selector says.
	if w := post("channel", "dev", "content", "@t par l'alias"); w.Code != http.StatusSeeOther {
		t.Fatalf("@t: %d %s", w.Code, w.Body)
	}
	if got := latest("troie"); got != "par l'alias" {
		t.Errorf("troie holds %q", got)
	}

	// A channel not in the view, and a refused message: the view again,
	// with the error and the text typed.
	w = post("channel", "", "content", "ailleurs")
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "not in this view") ||
		!strings.Contains(w.Body.String(), `value="ailleurs"`) {
		t.Errorf("a channel not in the view: %d\n%s", w.Code, w.Body)
	}
	if got := latest(""); got != "" {
		t.Errorf("the default channel holds %q", got)
	}
	w = post("channel", "dev", "content", strings.Repeat("long ", 20))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `aria-invalid="true"`) ||
		!strings.Contains(w.Body.String(), `<option value="dev" data-board="/dev/" selected>`) {
		t.Errorf("a message too long: %d\n%s", w.Code, w.Body)
	}

	// Another site's page cannot post through it.
	if w := c.do("POST", view, formBody("channel", "dev", "content", "forgé"), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); w.Code != http.StatusForbidden {
		t.Errorf("a cross-site post: %d", w.Code)
	}
	if got := latest("dev"); got != "par le sélecteur" {
		t.Errorf("dev holds %q", got)
	}
}

// The channel's rules hold when posting from the view: the captcha for
// anonymous posters, the lock.
func TestMultiPostRules(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Captcha = true })
	if _, err := tr.board.CreateChannel(t.Context(), "troie", "Troie"); err != nil {
		t.Fatal(err)
	}
	c := tr.browser("Mozilla/5.0")
	if w := c.do("POST", "/multi/?c=troie", formBody("channel", "troie", "content", "sans captcha")); w.Code < 400 || w.Code >= 500 {
		t.Errorf("a post without the captcha: %d %s", w.Code, w.Body)
	}
	locked := sqliteTribune(t, func(c *config.Config) { c.Locked = true })
	if w := locked.browser("Mozilla/5.0").do("POST", "/multi/?c=~", formBody("channel", "", "content", "anonyme")); w.Code != http.StatusForbidden {
		t.Errorf("an anonymous post on a locked tribune: %d", w.Code)
	}
}
