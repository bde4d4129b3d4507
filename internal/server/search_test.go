package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// searchRow is a search result: a JSON backend row with its channel and
// its marked text.
type searchRow struct {
	jsonRow
	Channel   string `json:"channel"`
	Highlight string `json:"highlight"`
}

func searchJSON(t *testing.T, c *client, path, query string, extra ...string) ([]searchRow, *http.Response) {
	t.Helper()
	v := url.Values{"q": {query}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	w := c.get(path + "?" + v.Encode())
	if w.Code != http.StatusOK {
		t.Fatalf("%s %q: %d %s", path, query, w.Code, w.Body)
	}
	var rows []searchRow
	if err := json.Unmarshal(w.Body.Bytes(), &rows); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, w.Body)
	}
	return rows, w.Result()
}

func searchIDs(rows []searchRow) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestSearch(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		if _, err := tr.board.CreateChannel(t.Context(), "autre", "Autre"); err != nil {
			t.Fatal(err)
		}
		tr.clock.set(t, "2026-03-01 10:00:00")
		anon := tr.client("Mozilla/5.0 Firefox/140")
		a := anon.say("/", "L'<b>élève</b> est là, http://example.com/eleve")
		jean := tr.loggedIn(t, "Jean")
		tr.clock.set(t, "2026-03-02 00:30:00")
		b := jean.say("/", "ELEVE moyen, vraiment moyen")
		c := jean.say("/autre/", "un eleve de l'autre canal")
		tr.clock.set(t, "2026-03-03 12:00:00")
		d := anon.say("/", "moyen vraiment")
		reader := tr.client("Reader")
		for _, tc := range []struct {
			path, q string
			want    []int64
		}{
			{"/search/json/", "eleve", []int64{b, a}},
			{"/search/json/", "ÉLÈVE", []int64{b, a}},
			{"/autre/search/json/", "élève", []int64{c}},
			{"/all/search/json/", "eleve", []int64{c, b, a}},
			{"/search/json/", "eleve moyen", []int64{b}},
			{"/search/json/", `"vraiment moyen"`, []int64{b}},
			{"/search/json/", `"moyen vraiment"`, []int64{d, b}},
			{"/all/search/json/", "author:JEAN", []int64{c, b}},
			{"/search/json/", "author:jean", []int64{b}},
			{"/search/json/", "ua:firefox", []int64{d, a}},
			{"/search/json/", `ua:"firefox 140" moyen`, []int64{d}},
			{"/search/json/", "example", []int64{a}},
			{"/search/json/", "from:2026-03-02 moyen", []int64{d, b}},
			{"/search/json/", "to:2026-03-02 moyen", []int64{b}},
			{"/search/json/", "from:2026-03-02 to:2026-03-02", []int64{b}},
			{"/all/search/json/", "from:2026-03-02 to:2026-03-02 eleve", []int64{c, b}},
			{"/search/json/", "from:2026-03-04 moyen", nil},
		} {
			rows, _ := searchJSON(t, reader, tc.path, tc.q)
			if got := searchIDs(rows); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("%s %q: %v, want %v", tc.path, tc.q, got, tc.want)
			}
		}
		// The rows: the JSON backend's, with the channel and the marks.
		rows, _ := searchJSON(t, reader, "/all/search/json/", "eleve")
		if rows[0].Channel != "autre" || rows[1].Channel != "" || rows[2].UserAgent != "Mozilla/5.0 Firefox/140" ||
			rows[1].Login == nil || *rows[1].Login != "Jean" || rows[0].Clock != "00:30:00" {
			t.Errorf("rows: %+v", rows)
		}
		if !strings.Contains(rows[2].Highlight, "<b><mark>élève</mark></b>") || strings.Contains(rows[2].WebRender, "<mark>") ||
			!strings.Contains(rows[1].Highlight, "<mark>ELEVE</mark> moyen") {
			t.Errorf("highlights: %q, %q", rows[2].Highlight, rows[1].Highlight)
		}
		// The link's address is not marked: only text between tags is.
		if strings.Contains(rows[2].Highlight, `href="http://example.com/<mark>`) {
			t.Errorf("marked inside a tag: %q", rows[2].Highlight)
		}
		// Owned: the author sees its own.
		mine, _ := searchJSON(t, jean, "/search/json/", "moyen")
		if len(mine) != 2 || mine[0].Owned || !mine[1].Owned {
			t.Errorf("owned: %+v", mine)
		}

		// The page.
		w := reader.get("/search/?q=eleve", "Accept", "text/html")
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, "<mark>ELEVE</mark>") || !strings.Contains(body, fmt.Sprintf(`id="m%d"`, a)) ||
			strings.Contains(body, fmt.Sprintf(`id="m%d"`, c)) || !strings.Contains(body, fmt.Sprintf(`href="/message/%d/"`, a)) {
			t.Errorf("page: %d %s", w.Code, body)
		}
		if w := reader.get("/search/", "Accept", "text/html"); w.Code != 200 || !strings.Contains(w.Body.String(), `name="q"`) {
			t.Errorf("empty search page: %d", w.Code)
		}
		// The board offers the search.
		if w := reader.get("/autre/", "Accept", "text/html"); !strings.Contains(w.Body.String(), `action="/autre/search/"`) {
			t.Errorf("no search box on the board")
		}
	})
}

// Paging: newest first, before_id is exclusive, and a Link header names
// the next page until there is none.
func TestSearchPaging(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Pager")
		var all []int64
		for i := range 7 {
			all = append([]int64{c.say("/", fmt.Sprintf("page numéro %d", i))}, all...)
			c.say("/", "autre chose")
		}
		var got []int64
		next := "/search/json/?q=numero&limit=3"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("too many pages")
			}
			w := c.get(next)
			var rows []searchRow
			if err := json.Unmarshal(w.Body.Bytes(), &rows); err != nil || w.Code != 200 {
				t.Fatalf("%s: %d %s", next, w.Code, w.Body)
			}
			got = append(got, searchIDs(rows)...)
			next = ""
			if link := w.Header().Get("Link"); link != "" {
				next = strings.TrimPrefix(strings.TrimSuffix(link, `>; rel="next"`), "<")
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(all) {
			t.Fatalf("pages gave %v, want %v", got, all)
		}
		rows, _ := searchJSON(t, c, "/search/json/", "numero", "before_id", fmt.Sprint(all[2]))
		if fmt.Sprint(searchIDs(rows)) != fmt.Sprint(all[3:]) {
			t.Fatalf("before_id: %v", searchIDs(rows))
		}
		// The page links to the next one.
		w := c.get("/search/?q=numero&limit=3", "Accept", "text/html")
		if !strings.Contains(w.Body.String(), fmt.Sprintf("before_id=%d", all[2])) {
			t.Fatalf("no next link: %s", w.Body)
		}
	})
}

// A reader's BaK filters apply; removed messages and pending ones are
// never found.
func TestSearchHides(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		poster := tr.client("Poster/1.0")
		troll := tr.client("Troll/6.6")
		keep := poster.say("/", "un secret bien gardé")
		troll.say("/", "un secret de troll")
		gone := poster.say("/", "un secret retiré")
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("Modo")
		modo.login(t, "modo")
		if w := modo.post(fmt.Sprintf("/moderation/%d/remove", gone), "reason", "oops"); w.Code != 200 {
			t.Fatalf("remove: %d %s", w.Code, w.Body)
		}
		if _, err := tr.board.CreateChannel(t.Context(), "mod", "Moderated"); err != nil {
			t.Fatal(err)
		}
		if err := tr.st.SetModeration(t.Context(), "mod", "manual", nil, ""); err != nil {
			t.Fatal(err)
		}
		if w := poster.post("/mod/post/", "content", "un secret en attente"); w.Code != http.StatusAccepted {
			t.Fatalf("pending post: %d %s", w.Code, w.Body)
		}
		reader := tr.client("Reader")
		expectCommand(t, reader, "/bak add ua Troll/6.6")
		for _, path := range []string{"/search/json/", "/all/search/json/"} {
			rows, _ := searchJSON(t, reader, path, "secret")
			if fmt.Sprint(searchIDs(rows)) != fmt.Sprint([]int64{keep}) {
				t.Errorf("%s: %v", path, searchIDs(rows))
			}
		}
		// The poster sees its pending message on its board, never in a
		// search.
		rows, _ := searchJSON(t, poster, "/all/search/json/", "attente")
		if len(rows) != 0 {
			t.Errorf("pending found: %+v", rows)
		}
	})
}

// Whatever is typed: a clear 400 or a sane answer, never a 500, and no
// markup made of the query.
func TestSearchHostile(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Hostile")
		c.say("/", "un message <b>gras</b> avec NEAR et des \"guillemets\"")
		many := strings.Repeat("mot ", 2000)
		for _, tc := range []struct {
			q    string
			code int
		}{
			{`NEAR(un message)`, 200},
			{`"unbalanced`, 200},
			{`un*`, 200},
			{`* ^ ( ) : " OR AND NOT`, 200}, // words, found nowhere
			{`* ^ ( ) : "`, 400},            // nothing to search
			{`body:gras`, 200},
			{`{ua author} : x`, 200},
			{`<script>alert(1)</script>`, 200},
			{`"" "" ""`, 400},
			{``, 400},
			{many, 400},
			{strings.Repeat("a ", 20), 400},
			{"author:", 400},
			{"from:2026-13-45 x", 400},
			{"from:2026-03-02 to:2026-03-01 x", 400},
			{"x\x00y", 200},
			{"\xff\xfe", 400},
			{`gras' OR 1=1 --`, 200},
			{`gras" OR "1"="1`, 200},
		} {
			w := c.get("/search/json/?q=" + url.QueryEscape(tc.q))
			if w.Code != tc.code {
				t.Errorf("%.60q: %d %s", tc.q, w.Code, w.Body)
			}
			if w.Code == 400 && w.Body.Len() == 0 {
				t.Errorf("%.60q: 400 without a reason", tc.q)
			}
			p := c.get("/search/?q="+url.QueryEscape(tc.q), "Accept", "text/html")
			if p.Code >= 500 || strings.Contains(p.Body.String(), "<script>alert") {
				t.Errorf("page for %.60q: %d", tc.q, p.Code)
			}
		}
		rows, _ := searchJSON(t, c, "/search/json/", `<gras>`)
		if len(rows) != 1 || strings.Contains(rows[0].Highlight, "&lt;gras") || strings.Contains(rows[0].Highlight, "<gras") || !strings.Contains(rows[0].Highlight, "<b><mark>gras</mark></b>") {
			t.Errorf("markup in a query: %+v", rows)
		}
		rows, _ = searchJSON(t, c, "/search/json/", `NEAR`)
		if len(rows) != 1 {
			t.Errorf("NEAR as a word: %+v", rows)
		}
		for _, q := range []string{"limit=-5", "limit=abc", "before_id=-1", "before_id=99999999999999999999", "limit=100000"} {
			if w := c.get("/search/json/?q=gras&" + q); w.Code != 200 {
				t.Errorf("%s: %d", q, w.Code)
			}
		}
	})
}

func TestURLArchive(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		if _, err := tr.board.CreateChannel(t.Context(), "autre", "Autre"); err != nil {
			t.Fatal(err)
		}
		anon := tr.client("Anon")
		bob := tr.loggedIn(t, "Bob")
		anon.say("/", "voir http://a.example/x")
		bob.say("/autre/", "regarde https://b.example/Y")
		for i := range 35 {
			anon.say("/", fmt.Sprintf("lien http://many.example/%d", i))
		}
		type urlRow struct {
			ID      int64     `json:"id"`
			URL     string    `json:"url"`
			Message searchRow `json:"message"`
		}
		list := func(c *client, target string) ([]urlRow, string) {
			t.Helper()
			w := c.get(target)
			var rows []urlRow
			if err := json.Unmarshal(w.Body.Bytes(), &rows); err != nil || w.Code != 200 {
				t.Fatalf("%s: %d %s", target, w.Code, w.Body)
			}
			next := strings.TrimPrefix(strings.TrimSuffix(w.Header().Get("Link"), `>; rel="next"`), "<")
			return rows, next
		}
		rows, next := list(anon, "/urls/json/")
		if len(rows) != 30 || rows[0].URL != "http://many.example/34" || next == "" {
			t.Fatalf("first page: %d rows, next %q", len(rows), next)
		}
		rest, next2 := list(anon, next)
		if len(rest) != 6 || rest[5].URL != "http://a.example/x" || next2 != "" {
			t.Fatalf("second page: %+v %q", rest, next2)
		}
		if rows, _ := list(anon, "/autre/urls/json/"); len(rows) != 1 || rows[0].URL != "https://b.example/Y" ||
			rows[0].Message.Channel != "autre" || *rows[0].Message.Login != "Bob" {
			t.Fatalf("other channel: %+v", rows)
		}
		if rows, _ := list(anon, "/all/urls/json/?limit=100"); len(rows) != 37 {
			t.Fatalf("every channel: %d", len(rows))
		}
		// djangotribune's arguments, OR-combined.
		rows, _ = list(anon, "/all/urls/json/?url__contains=a.example&author__username__contains=bob")
		if len(rows) != 2 || rows[0].URL != "https://b.example/Y" || rows[1].URL != "http://a.example/x" {
			t.Fatalf("OR search: %+v", rows)
		}
		rows, _ = list(anon, "/all/urls/json/?pattern=REGARDE&in=message")
		if len(rows) != 1 || rows[0].URL != "https://b.example/Y" {
			t.Fatalf("pattern in messages: %+v", rows)
		}
		rows, _ = list(anon, "/urls/json/?pattern=many.example/3&limit=100")
		if len(rows) != 6 { // 3, 30…34
			t.Fatalf("pattern in URLs: %d", len(rows))
		}
		// A reader's filters apply.
		reader := tr.client("Reader")
		expectCommand(t, reader, "/bak add author Bob")
		if rows, _ := list(reader, "/all/urls/json/?pattern=b.example"); len(rows) != 0 {
			t.Fatalf("filtered author: %+v", rows)
		}
		// The page.
		w := anon.get("/all/urls/?pattern=example/x", "Accept", "text/html")
		if w.Code != 200 || !strings.Contains(w.Body.String(), `href="http://a.example/x"`) ||
			strings.Contains(w.Body.String(), "many.example") {
			t.Fatalf("page: %d %s", w.Code, w.Body)
		}
		w = anon.get("/urls/", "Accept", "text/html")
		if w.Code != 200 || !strings.Contains(w.Body.String(), "before_id=") {
			t.Fatalf("page without a next link: %d", w.Code)
		}
		for _, q := range []string{"pattern=%25", "pattern=_", "url__contains=%00", "pattern=" + strings.Repeat("x", 5000), "before_id=abc"} {
			if w := anon.get("/all/urls/json/?" + q); w.Code != 200 {
				t.Errorf("%s: %d %s", q, w.Code, w.Body)
			}
		}
	})
}

// On a locked tribune, anonymous visitors search nothing.
func TestSearchLocked(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Locked = true })
	c := tr.client("Anon")
	for _, path := range []string{"/search/json/?q=x", "/all/search/json/?q=x", "/urls/json/", "/all/urls/json/"} {
		if w := c.get(path); w.Code != http.StatusForbidden {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
}
