package server

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// historyFixture posts five messages over two Paris days on the default
// channel, and one on another channel: the 00:30 message is of March 11 in
// Paris though still March 10 in UTC.
type historyFixture struct {
	m1, m2, m3, m4, m5, other int64
}

func postHistory(t *testing.T, tr *tribune, c *client) historyFixture {
	t.Helper()
	var f historyFixture
	tr.st.CreateChannel(t.Context(), "other", "Other")
	at := func(local, path, text string) int64 {
		tr.clock.set(t, local)
		return c.say(path, text)
	}
	f.m1 = at("2026-03-10 10:00:00", "/", "first of the day")
	f.m2 = at("2026-03-10 10:00:05", "/", "10:00:00 second, answering the first")
	f.m3 = at("2026-03-10 23:30:00", "/", "late in the evening")
	f.other = at("2026-03-10 23:40:00", "/other/", "elsewhere")
	f.m4 = at("2026-03-11 00:30:00", "/", "after midnight in Paris")
	f.m5 = at("2026-03-11 09:00:00", "/", "2026/03/10#10:00:05 a dated answer")
	return f
}

func TestArchives(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0 archives")
		f := postHistory(t, tr, c)

		w := c.get("/archives/", "Accept", "text/html")
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("archives/: %d %s", w.Code, body)
		}
		i11, i10 := strings.Index(body, `href="2026-03-11/"`), strings.Index(body, `href="2026-03-10/"`)
		if i11 < 0 || i10 < 0 || i11 > i10 {
			t.Errorf("archives/: days missing or not newest first (%d, %d):\n%s", i11, i10, body)
		}
		for _, want := range []string{"2 messages", "3 messages", `role="img"`, "<title id=", "<desc id=", "5 messages in all"} {
			if !strings.Contains(body, want) {
				t.Errorf("archives/ lacks %q", want)
			}
		}
		// The other channel counts its own.
		if body := c.get("/other/archives/", "Accept", "text/html").Body.String(); !strings.Contains(body, "1 messages in all") ||
			!strings.Contains(body, `href="2026-03-10/"`) {
			t.Errorf("other/archives/:\n%s", body)
		}

		// A day's page: its messages in the board's look, in the zone.
		w = c.get("/archives/2026-03-10/", "Accept", "text/html")
		body = w.Body.String()
		if w.Code != 200 {
			t.Fatalf("archives/2026-03-10/: %d %s", w.Code, body)
		}
		for _, want := range []string{"first of the day", "late in the evening", fmt.Sprintf(`id="m%d"`, f.m2),
			`<span class="pointer">10:00:00</span>`, `href="/archives/2026-03-11/" rel="next"`, "/message/"} {
			if !strings.Contains(body, want) {
				t.Errorf("archives/2026-03-10/ lacks %q", want)
			}
		}
		for _, not := range []string{"after midnight", "elsewhere"} {
			if strings.Contains(body, not) {
				t.Errorf("archives/2026-03-10/ shows %q", not)
			}
		}
		if got := ids(decodeJSON(t, c.get("/archives/2026-03-11/json/"))); !slices.Equal(got, []int64{f.m4, f.m5}) {
			t.Errorf("2026-03-11 as JSON: %v, want %v", got, []int64{f.m4, f.m5})
		}
		// Paging through a day: limit, then last_id.
		w = c.get("/archives/2026-03-10/json/?limit=2")
		if got := ids(decodeJSON(t, w)); !slices.Equal(got, []int64{f.m1, f.m2}) || w.Header().Get("X-More-After") != fmt.Sprint(f.m2) {
			t.Errorf("first page: %v, more after %q", got, w.Header().Get("X-More-After"))
		}
		// Browser-hosted clients may read it, its paging header included.
		if h := w.Header(); h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Expose-Headers"), "X-More-After") {
			t.Errorf("CORS headers of a day's data: %v", h)
		}
		w = c.get(fmt.Sprintf("/archives/2026-03-10/json/?limit=2&last_id=%d", f.m2))
		if got := ids(decodeJSON(t, w)); !slices.Equal(got, []int64{f.m3}) || w.Header().Get("X-More-After") != "" {
			t.Errorf("second page: %v, more after %q", got, w.Header().Get("X-More-After"))
		}
		for path, want := range map[string]string{"xml/": "<board", "tsv/": "late in the evening"} {
			if w := c.get("/archives/2026-03-10/" + path); w.Code != 200 || !strings.Contains(w.Body.String(), want) {
				t.Errorf("archives/2026-03-10/%s: %d %s", path, w.Code, w.Body)
			}
		}
		// A day without messages is an empty day; a path that names no
		// date is no page.
		if got := decodeJSON(t, c.get("/archives/2025-01-01/json/")); len(got) != 0 {
			t.Errorf("an empty day: %v", got)
		}
		for _, bad := range []string{"2026-02-30", "2026-3-10", "10-03-2026", "abcd", "2026-03-10x", "0000-01-01", "%00", "2026-13-01"} {
			for _, suffix := range []string{"", "json/"} {
				if w := c.get("/archives/" + bad + "/" + suffix); w.Code != http.StatusNotFound {
					t.Errorf("archives/%s/%s: %d, want 404", bad, suffix, w.Code)
				}
			}
		}
		// Hostile arguments fall back to their defaults.
		for _, q := range []string{"limit=-1", "limit=abc", "limit=99999999999999999999", "last_id=-5", "last_id=x", "last_id=99999999999999999999", "direction=%27;DROP"} {
			if w := c.get("/archives/2026-03-10/json/?" + q); w.Code != 200 {
				t.Errorf("?%s: %d %s", q, w.Code, w.Body)
			}
		}
		if w := c.get("/archives/2026-03-10/?after=abc", "Accept", "text/html"); w.Code != 200 {
			t.Errorf("?after=abc: %d", w.Code)
		}
	})
}

func TestPermalinks(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0 permalinks")
		f := postHistory(t, tr, c)

		w := c.get(fmt.Sprintf("/message/%d/", f.m2), "Accept", "text/html")
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("message/%d/: %d %s", f.m2, w.Code, body)
		}
		for _, want := range []string{
			fmt.Sprintf(`selected" id="m%d"`, f.m2),
			fmt.Sprintf(`href="/archives/2026-03-10/#m%d"`, f.m2),
			fmt.Sprintf(`<ul class="answers"><li><a href="/message/%d/">`, f.m1), // it answers the first
			fmt.Sprintf(`<ul class="replies"><li><a href="/message/%d/">`, f.m5), // the dated answer
			"first of the day", "after midnight", // its context
		} {
			if !strings.Contains(body, want) {
				t.Errorf("message/%d/ lacks %q:\n%s", f.m2, want, body)
			}
		}
		var got struct {
			Message jsonRow   `json:"message"`
			Day     string    `json:"day"`
			Before  []jsonRow `json:"before"`
			After   []jsonRow `json:"after"`
			Answers []int64   `json:"answers"`
			Replies []int64   `json:"replies"`
		}
		decodeJSONInto(t, c.get(fmt.Sprintf("/message/%d/json/", f.m5)), &got)
		if got.Message.ID != f.m5 || got.Day != "2026-03-11" || !slices.Equal(got.Answers, []int64{f.m2}) ||
			len(got.After) != 0 || !slices.Equal(ids(got.Before), []int64{f.m1, f.m2, f.m3, f.m4}) {
			t.Errorf("message/%d/json/: %+v", f.m5, got)
		}
		// Each channel its own: the other channel's message is not the
		// default channel's, nor the other way round.
		if w := c.get(fmt.Sprintf("/message/%d/", f.other)); w.Code != http.StatusNotFound {
			t.Errorf("another channel's message at the root: %d", w.Code)
		}
		if w := c.get(fmt.Sprintf("/other/message/%d/json/", f.other)); w.Code != 200 {
			t.Errorf("other/message/%d/json/: %d", f.other, w.Code)
		}
		if w := c.get(fmt.Sprintf("/other/message/%d/", f.m1)); w.Code != http.StatusNotFound {
			t.Errorf("the root's message in another channel: %d", w.Code)
		}
		for _, bad := range []string{"0", "-1", "abc", "99999999999999999999", "1e3", "%20", fmt.Sprint(f.m5 + 100)} {
			for _, suffix := range []string{"", "json/"} {
				if w := c.get("/message/" + bad + "/" + suffix); w.Code != http.StatusNotFound {
					t.Errorf("message/%s/%s: %d, want 404", bad, suffix, w.Code)
				}
			}
		}

		// A removed message: no permalink, no place in its day or its
		// day's count.
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("Mozilla/5.0 modo")
		modo.login(t, "modo")
		if w := modo.post(fmt.Sprintf("/moderation/%d/remove", f.m2), "reason", "test"); w.Code != 200 {
			t.Fatalf("remove: %d %s", w.Code, w.Body)
		}
		for _, path := range []string{"/message/%d/", "/message/%d/json/"} {
			if w := c.get(fmt.Sprintf(path, f.m2)); w.Code != http.StatusNotFound {
				t.Errorf(path+" after its removal: %d", f.m2, w.Code)
			}
		}
		if got := ids(decodeJSON(t, c.get("/archives/2026-03-10/json/"))); !slices.Equal(got, []int64{f.m1, f.m3}) {
			t.Errorf("the day after a removal: %v", got)
		}
		if body := c.get("/archives/", "Accept", "text/html").Body.String(); !strings.Contains(body, "4 messages in all") {
			t.Errorf("archives/ after a removal:\n%s", body)
		}
		// Its neighbours' permalinks no longer answer it or show it.
		if body := c.get(fmt.Sprintf("/message/%d/", f.m1), "Accept", "text/html").Body.String(); strings.Contains(body, "second, answering") {
			t.Errorf("a removed message in a permalink's context:\n%s", body)
		}
	})
}

// TestHistoryPending checks that a message waiting for a moderator is in
// no archive, count or permalink until it is accepted.
func TestHistoryPending(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.st.CreateChannel(t.Context(), "mod", "Moderated")
		tr.st.SetModeration(t.Context(), "mod", "auto", []string{"anonymous:100"}, "")
		tr.createUser(t, "author", model.RoleUser)
		author := tr.client("Mozilla/5.0 author")
		author.login(t, "author")
		tr.clock.set(t, "2026-03-10 10:00:00")
		reader := tr.client("Mozilla/5.0 reader")
		public := reader.say("/mod/", "public control")
		if w := author.post("/mod/post/", "content", "secret pending"); w.Code != 202 {
			t.Fatalf("pending post: %d %s", w.Code, w.Body)
		}
		for _, c := range []*client{author, reader} {
			if body := c.get("/mod/archives/2026-03-10/", "Accept", "text/html").Body.String(); strings.Contains(body, "secret pending") ||
				!strings.Contains(body, "public control") {
				t.Errorf("a pending message in the day's page:\n%s", body)
			}
			if got := ids(decodeJSON(t, c.get("/mod/archives/2026-03-10/json/"))); !slices.Equal(got, []int64{public}) {
				t.Errorf("a pending message in the day's data: %v", got)
			}
			if body := c.get("/mod/archives/", "Accept", "text/html").Body.String(); !strings.Contains(body, "1 messages in all") {
				t.Errorf("a pending message counted:\n%s", body)
			}
			if w := c.get(fmt.Sprintf("/mod/message/%d/", public+1)); w.Code != http.StatusNotFound {
				t.Errorf("the next id while pending: %d", w.Code)
			}
		}
	})
}

func TestBoardGoesBack(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.DefaultLimit = 2 }, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0 back")
		f := postHistory(t, tr, c)
		older := regexp.MustCompile(`href="/\?before=(\d+)" rel="prev"`)
		page := func(target string) (string, string) {
			t.Helper()
			w := c.get(target, "Accept", "text/html")
			if w.Code != 200 {
				t.Fatalf("%s: %d %s", target, w.Code, w.Body)
			}
			m := older.FindStringSubmatch(w.Body.String())
			if m == nil {
				return w.Body.String(), ""
			}
			return w.Body.String(), m[1]
		}
		body, next := page("/")
		if !strings.Contains(body, "dated answer") || next != fmt.Sprint(f.m4) || !strings.Contains(body, `id="post-form"`) ||
			!strings.Contains(body, fmt.Sprintf(`class="permalink" href="/message/%d/"`, f.m5)) {
			t.Fatalf("the board: older link before %q\n%s", next, body)
		}
		// Page by page back to the first message, without JavaScript.
		body, next = page("/?before=" + next)
		if !strings.Contains(body, "late in the evening") || !strings.Contains(body, "second, answering") ||
			strings.Contains(body, "after midnight") || next != fmt.Sprint(f.m2) || strings.Contains(body, `id="post-form"`) {
			t.Fatalf("the second page: older link before %q\n%s", next, body)
		}
		body, next = page("/?before=" + next)
		if !strings.Contains(body, "first of the day") || next != "" {
			t.Fatalf("the last page: older link before %q\n%s", next, body)
		}
		for _, q := range []string{"before=abc", "before=-1", "before=0", "before=99999999999999999999", "before=1&before=x"} {
			if w := c.get("/?"+q, "Accept", "text/html"); w.Code != 200 {
				t.Errorf("/?%s: %d", q, w.Code)
			}
		}
		// The other channel goes back on its own.
		if body, _ := page(fmt.Sprintf("/other/?before=%d", f.m5+1)); !strings.Contains(body, "elsewhere") || strings.Contains(body, "dated answer") {
			t.Errorf("other/?before=:\n%s", body)
		}
	})
}

// TestHistoryUnderPrefix checks the history's links under a path prefix.
func TestHistoryUnderPrefix(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Prefix = "/tribune" })
	c := tr.client("Mozilla/5.0 prefix")
	tr.clock.set(t, "2026-03-10 10:00:00")
	id := c.say("/tribune/", "under a prefix")
	body := c.get(fmt.Sprintf("/tribune/message/%d/", id), "Accept", "text/html").Body.String()
	for _, want := range []string{`href="/tribune/archives/2026-03-10/#m`, `href="/tribune/archives/"`} {
		if !strings.Contains(body, want) {
			t.Errorf("permalink under a prefix lacks %q:\n%s", want, body)
		}
	}
	if w := c.get("/tribune/archives/2026-03-10/json/"); w.Code != 200 || !strings.Contains(w.Body.String(), "under a prefix") {
		t.Errorf("day data under a prefix: %d %s", w.Code, w.Body)
	}
}

// The archives' index lists one year's days at a time, the latest by
// default, with links to the others.
func TestArchivesByYear(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0 years")
		tr.clock.set(t, "2025-12-31 23:59:00")
		c.say("/", "the year's last")
		tr.clock.set(t, "2026-01-01 00:01:00")
		c.say("/", "the year's first")
		for q, want := range map[string][2]string{
			"":               {`href="2026-01-01/"`, `href="2025-12-31/"`},
			"?year=abc":      {`href="2026-01-01/"`, `href="2025-12-31/"`},
			"?year=2025":     {`href="2025-12-31/"`, `href="2026-01-01/"`},
			"?year=99999999": {`href="?year=2025"`, `href="2026-01-01/"`},
		} {
			body := c.get("/archives/"+q, "Accept", "text/html").Body.String()
			if !strings.Contains(body, want[0]) || strings.Contains(body, want[1]) || !strings.Contains(body, `href="?year=2026"`) {
				t.Errorf("archives/%s: want %s and not %s:\n%s", q, want[0], want[1], body)
			}
		}
	})
}
