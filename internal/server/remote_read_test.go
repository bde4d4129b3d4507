package server

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/version"
)

type xmlBoard struct {
	Site     string    `xml:"site,attr"`
	Timezone string    `xml:"timezone,attr"`
	Posts    []xmlPost `xml:"post"`
}

type xmlPost struct {
	ID      int64  `xml:"id,attr"`
	Time    string `xml:"time,attr"`
	Info    string `xml:"info"`
	Login   string `xml:"login"`
	Message struct {
		Inner string `xml:",innerxml"`
	} `xml:"message"`
}

func decodeXML(t testing.TB, w *httptest.ResponseRecorder) xmlBoard {
	t.Helper()
	var b xmlBoard
	d := xml.NewDecoder(strings.NewReader(w.Body.String()))
	d.Strict = true
	if err := d.Decode(&b); err != nil {
		t.Fatalf("XML backend: %v\n%s", err, w.Body)
	}
	return b
}

func postIDs(b xmlBoard) []int64 {
	out := make([]int64, len(b.Posts))
	for i, p := range b.Posts {
		out[i] = p.ID
	}
	return out
}

// tsvIDs checks the TSV rules (five fields, every line ending in \n) and
// returns the ids.
func tsvIDs(t testing.TB, body string) []int64 {
	t.Helper()
	if body != "" && !strings.HasSuffix(body, "\n") {
		t.Fatalf("TSV does not end with a newline: %q", body)
	}
	var out []int64
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 5 {
			t.Fatalf("TSV line with %d fields: %q", len(f), line)
		}
		id, _ := strconv.ParseInt(f[0], 10, 64)
		out = append(out, id)
	}
	return out
}

// plainLines counts the clock lines of the plain backend.
func plainClocks(body string) []string {
	var out []string
	for _, line := range strings.Split(body, "\n") {
		if len(line) >= 8 && line[2] == ':' && line[5] == ':' {
			out = append(out, strings.TrimSpace(line[:13]))
		}
	}
	return out
}

// The worked example of djangotribune's documentation: 42 messages, a
// default limit of 30, in every format.
func TestWindowingExample(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.DefaultLimit = 30 }, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0")
		for i := 1; i <= 42; i++ {
			if id := c.say("/", fmt.Sprintf("message %d", i)); id != int64(i) {
				t.Fatalf("message %d got id %d", i, id)
			}
		}
		cases := []struct {
			query    string
			from, to int64
		}{
			{"", 13, 42},
			{"limit=10", 33, 42},
			{"last_id=15", 16, 42},
			{"limit=5&last_id=15", 38, 42},
			{"limit=1000", 1, 42}, // clamped to the maximum (100), all 42
			{"limit=abc", 13, 42},
			{"limit=-3", 13, 42},
			{"limit=0", 13, 42},
			{"last_id=abc", 13, 42},
			{"last_id=-5", 13, 42},
			{"last=15", 16, 42},
			{"lastId=15", 16, 42},
			{"id=15&limit=5", 38, 42},
		}
		for _, tc := range cases {
			asc := idRange(tc.from, tc.to)
			desc := idRange(tc.to, tc.from)
			if got := ids(decodeJSON(t, c.get("/remote/json/?"+tc.query))); !slices.Equal(got, asc) {
				t.Errorf("json ?%s: %v, want %v", tc.query, got, asc)
			}
			if got := postIDs(decodeXML(t, c.get("/remote/xml/?"+tc.query))); !slices.Equal(got, desc) {
				t.Errorf("xml ?%s: %v, want %v", tc.query, got, desc)
			}
			if got := postIDs(decodeXML(t, c.get("/crap/remote.xml?"+tc.query))); !slices.Equal(got, desc) {
				t.Errorf("crap ?%s: %v, want %v", tc.query, got, desc)
			}
			if got := tsvIDs(t, c.get("/remote/tsv/?"+tc.query).Body.String()); !slices.Equal(got, asc) {
				t.Errorf("tsv ?%s: %v, want %v", tc.query, got, asc)
			}
			if got := plainClocks(c.get("/remote/?" + tc.query).Body.String()); len(got) != len(asc) {
				t.Errorf("plain ?%s: %d lines, want %d", tc.query, len(got), len(asc))
			}
		}
		// Direction changes the order, never the set.
		if got := ids(decodeJSON(t, c.get("/remote/json/?direction=desc&limit=3"))); !slices.Equal(got, []int64{42, 41, 40}) {
			t.Errorf("json desc: %v", got)
		}
		if got := ids(decodeJSON(t, c.get("/remote/json/?direction=DESC&limit=3"))); !slices.Equal(got, []int64{42, 41, 40}) {
			t.Errorf("json DESC: %v", got)
		}
		if got := postIDs(decodeXML(t, c.get("/remote/xml/?direction=asc&limit=3"))); !slices.Equal(got, []int64{40, 41, 42}) {
			t.Errorf("xml asc: %v", got)
		}
		if got := tsvIDs(t, c.get("/remote/tsv/?direction=bogus&limit=2").Body.String()); !slices.Equal(got, []int64{41, 42}) {
			t.Errorf("tsv bogus direction: %v", got)
		}
	})
}

func TestLimitLargerThanWindowAfterManyMessages(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.MaxLimit = 20; c.DefaultLimit = 10 })
	c := tr.client("Mozilla/5.0")
	for i := 1; i <= 50; i++ {
		c.say("/", fmt.Sprintf("m%d", i))
	}
	if got := ids(decodeJSON(t, c.get("/remote/json/?limit=500"))); !slices.Equal(got, idRange(31, 50)) {
		t.Fatalf("clamped to 20: %v", got)
	}
}

// If-Modified-Since: Last-Modified is the channel's stamp, but never a
// second that is not over yet (less a second for the clocks of other
// processes): a message posted later in that second, even by a clock that
// is behind, is never hidden behind a 304.
func TestConditionalGet(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0")
		tr.clock.set(t, "2013-03-10 15:30:12")
		first := c.say("/", "first")

		w := c.get("/remote/json/")
		if w.Code != 200 || w.Header().Get("Pragma") != "no-cache" ||
			w.Header().Get("Cache-Control") != "no-cache, no-store, must-revalidate, max-age=0" {
			t.Fatalf("200 headers: %d %v", w.Code, w.Header())
		}
		// 15:30:12 Paris is not over: the answer says two seconds before.
		lm := w.Header().Get("Last-Modified")
		if lm != "Sun, 10 Mar 2013 14:30:10 GMT" {
			t.Fatalf("Last-Modified %q", lm)
		}
		// A message posted in the same second is not hidden behind a 304 (the
		// original's quirk).
		second := c.say("/", "second, same second")
		w = c.get("/remote/json/", "If-Modified-Since", lm)
		if w.Code != 200 || !slices.Equal(ids(decodeJSON(t, w)), []int64{first, second}) {
			t.Fatalf("same-second message after If-Modified-Since: %d %s", w.Code, w.Body)
		}
		// Two seconds later the second is over: Last-Modified is the stamp,
		// and nothing new is 304.
		tr.clock.set(t, "2013-03-10 15:30:14")
		w = c.get("/remote/json/", "If-Modified-Since", lm)
		if lm = w.Header().Get("Last-Modified"); w.Code != 200 || lm != "Sun, 10 Mar 2013 14:30:12 GMT" {
			t.Fatalf("two seconds later: %d, Last-Modified %q", w.Code, lm)
		}
		if w := c.get("/remote/json/", "If-Modified-Since", lm); w.Code != http.StatusNotModified || w.Body.Len() != 0 ||
			w.Header().Get("Last-Modified") != lm || w.Header().Get("ETag") == "" || w.Header().Get("Pragma") != "no-cache" ||
			w.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("IMS: %d %q %v", w.Code, w.Body, w.Header())
		}
		// An empty selection is 304 too.
		if w := c.get(fmt.Sprintf("/remote/xml/?last_id=%d", second)); w.Code != http.StatusNotModified || w.Body.Len() != 0 ||
			w.Header().Get("Last-Modified") != "" || w.Header().Get("Cache-Control") != "no-cache, no-store, must-revalidate, max-age=0" {
			t.Fatalf("empty selection: %d %v", w.Code, w.Header())
		}
		// A post stamped in that very second (a slow commit, or a clock two
		// seconds behind) is not hidden either: the channel's stamp moves past
		// what was given out.
		tr.clock.set(t, "2013-03-10 15:30:12")
		third := c.say("/", "third, late")
		tr.clock.set(t, "2013-03-10 15:30:14")
		w = c.get("/remote/json/", "If-Modified-Since", lm)
		if w.Code != 200 || !slices.Equal(ids(decodeJSON(t, w)), []int64{first, second, third}) {
			t.Fatalf("late message after If-Modified-Since: %d %s", w.Code, w.Body)
		}
		if lm2 := w.Header().Get("Last-Modified"); lm2 != "Sun, 10 Mar 2013 14:30:12 GMT" {
			t.Fatalf("Last-Modified after the late message: %q", lm2)
		}
		tr.clock.set(t, "2013-03-10 15:30:15")
		if lm = c.get("/remote/json/").Header().Get("Last-Modified"); lm != "Sun, 10 Mar 2013 14:30:13 GMT" {
			t.Fatalf("Last-Modified a second later: %q", lm)
		}
		if w := c.get("/remote/json/", "If-Modified-Since", lm); w.Code != http.StatusNotModified {
			t.Fatalf("IMS after the late message: %d", w.Code)
		}
		// HEAD works like GET.
		if w := c.do("HEAD", "/remote/xml/", ""); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "" {
			t.Fatalf("HEAD: %d %q", w.Code, w.Body)
		}
		// A malformed If-Modified-Since is ignored.
		if w := c.get("/remote/json/", "If-Modified-Since", "yesterday"); w.Code != 200 {
			t.Fatalf("bad IMS: %d", w.Code)
		}
		// A later If-Modified-Since than everything: 304.
		future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
		if w := c.get("/remote/tsv/", "If-Modified-Since", future); w.Code != 304 {
			t.Fatalf("future IMS: %d", w.Code)
		}
	})
}

func TestClockIndices(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0")
		tr.clock.set(t, "2013-03-10 15:30:12")
		for i := 0; i < 3; i++ {
			c.say("/", "same second")
		}
		tr.clock.set(t, "2013-03-10 15:30:13")
		c.say("/", "next second")
		rows := decodeJSON(t, c.get("/remote/json/"))
		want := []struct {
			indice int
			class  string
		}{{1, "15301201"}, {2, "15301202"}, {3, "15301203"}, {1, "15301301"}}
		for i, r := range rows {
			if r.ClockIndice != want[i].indice || r.ClockClass != want[i].class || r.Clock != "15:30:1"+r.ClockClass[5:6] ||
				r.Created != "2013031015301"+r.ClockClass[5:6] {
				t.Errorf("row %d: %+v", i, r)
			}
		}
		// Indices belong to the messages, not to the window: an
		// incremental fetch keeps them.
		rows = decodeJSON(t, c.get("/remote/json/?last_id=2"))
		if rows[0].ClockIndice != 3 {
			t.Errorf("incremental fetch renumbered: %+v", rows[0])
		}
		plain := c.get("/remote/").Body.String()
		if got := plainClocks(plain); !slices.Equal(got, []string{"15:30:12", "15:30:12²", "15:30:12³", "15:30:13"}) {
			t.Errorf("plain clocks %q\n%s", got, plain)
		}
	})
}

func TestChannels(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		if _, err := tr.st.CreateChannel(t.Context(), "troie", "La guerre de Troie"); err != nil {
			t.Fatal(err)
		}
		c := tr.client("Mozilla/5.0")
		root := c.say("/", "on the default channel")
		troie := c.say("/troie/", "à Troie")
		if got := ids(decodeJSON(t, c.get("/remote/json/"))); !slices.Equal(got, []int64{root}) {
			t.Errorf("default channel: %v", got)
		}
		if got := ids(decodeJSON(t, c.get("/troie/remote/json/"))); !slices.Equal(got, []int64{troie}) {
			t.Errorf("troie: %v", got)
		}
		b := decodeXML(t, c.get("/troie/remote/xml/"))
		if b.Site != "http://example.com/troie/" || b.Timezone != "Europe/Paris" {
			t.Errorf("board attributes: %+v", b)
		}
		for _, path := range []string{"/nope/remote/", "/nope/remote/xml/", "/nope/discovery.config", "/nope/clock/12:00/", "/nope/"} {
			if w := c.get(path); w.Code != http.StatusNotFound {
				t.Errorf("GET %s: %d", path, w.Code)
			}
		}
		if w := c.post("/nope/post/", "content", "x"); w.Code != http.StatusNotFound {
			t.Errorf("POST to an unknown channel: %d", w.Code)
		}
		if w := c.get("/troie"); w.Code != http.StatusMovedPermanently || w.Header().Get("Location") != "/troie/" {
			t.Errorf("channel without slash: %d %v", w.Code, w.Header())
		}
	})
}

func TestMethods(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("Mozilla/5.0")
	for _, path := range []string{"/remote/", "/remote/xml/", "/remote/json/", "/remote/tsv/", "/crap/remote.xml", "/discovery.config", "/clock/12:00/"} {
		if w := c.post(path, "content", "x"); w.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: %d", path, w.Code)
		}
	}
	for _, path := range []string{"/post/", "/post/xml/", "/post/json/", "/post/tsv/", "/crap/post.xml"} {
		if w := c.get(path); w.Code != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d", path, w.Code)
		}
	}
	// PUT posts like POST (djangotribune always answered 400 to it).
	if w := c.do("PUT", "/post/json/", "content=put"); w.Code != 200 || w.Header().Get("X-Post-Id") == "" {
		t.Errorf("PUT: %d %s", w.Code, w.Body)
	}
	// The original's documented paths of the crap backend work too.
	if w := c.get("/remote/xml/crap/"); w.Code != 200 || !strings.Contains(w.Body.String(), "\n <post") {
		t.Errorf("remote/xml/crap/: %d %s", w.Code, w.Body)
	}
}

func TestLocked(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Locked = true })
	c := tr.client("Mozilla/5.0")
	for _, path := range []string{"/remote/", "/remote/xml/", "/remote/json/", "/remote/tsv/", "/crap/remote.xml", "/clock/12:00/"} {
		w := c.get(path)
		if w.Code != http.StatusForbidden || w.Body.String() != "The tribune is locked" ||
			w.Header().Get("Content-Type") != "text/plain; charset=utf-8" {
			t.Errorf("GET %s: %d %q", path, w.Code, w.Body)
		}
	}
	if w := c.post("/post/", "content", "hello"); w.Code != http.StatusForbidden {
		t.Errorf("post: %d", w.Code)
	}
	fr := tr.client("Mozilla/5.0")
	fr.header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	if w := fr.get("/remote/"); w.Body.String() != "La tribune est verrouillée" {
		t.Errorf("French: %q", w.Body)
	}
	d := c.get("/discovery.config").Body.String()
	if !strings.Contains(d, `public="false"`) || !strings.Contains(d, `anonymous="false"`) {
		t.Errorf("discovery while locked: %s", d)
	}
}

func TestDiscovery(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Prefix = "/tribune"; c.SiteName = "example.com" })
	if _, err := tr.st.CreateChannel(t.Context(), "troie", "La guerre de Troie"); err != nil {
		t.Fatal(err)
	}
	c := tr.client("x")
	w := c.get("/tribune/discovery.config")
	want := `<?xml version='1.0' encoding='UTF-8'?>
<site baseurl="http://example.com" name="example.com" title="example.com" version="` + version.String() + `"><board name="board" title="Tribune"><backend path="/tribune/remote/xml/" public="true" refresh="10" tags_encoded="false" /><post anonymous="true" max_length="500" method="post" path="/tribune/post/xml/"><field name="content">$m</field></post></board></site>`
	if w.Code != 200 || w.Body.String() != want || w.Header().Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Fatalf("discovery: %d\n%s", w.Code, w.Body)
	}
	w = c.get("/tribune/troie/discovery.config")
	for _, s := range []string{`name="example.com - La guerre de Troie"`, `title="Tribune /troie/"`,
		`path="/tribune/troie/remote/xml/"`, `path="/tribune/troie/post/xml/"`} {
		if !strings.Contains(w.Body.String(), s) {
			t.Errorf("channel discovery lacks %s:\n%s", s, w.Body)
		}
	}
}

func TestPlainTableWidth(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("Mozilla/5.0")
	c.say("/", strings.Repeat("word ", 60))
	for _, tc := range []struct {
		query string
		width int
	}{{"", 90}, {"table_width=120", 120}, {"table_width=abc", 90}, {"table_width=5000", 600}, {"table_width=40&table_width=60", 60}} {
		body := c.get("/remote/?" + tc.query).Body.String()
		for _, line := range strings.Split(body, "\n") {
			if n := utf8.RuneCountInString(line); n != tc.width+7 {
				// Each of the three cells is followed by a space and each
				// of the two separators adds two: width + 7 in all.
				t.Errorf("?%s: line of %d characters: %q", tc.query, n, line)
				break
			}
		}
	}
	// Widths too small to hold a message no longer fail (djangotribune
	// answered 500).
	for _, q := range []string{"table_width=5", "table_width=-3", "table_width=0"} {
		if w := c.get("/remote/?" + q); w.Code != 200 || w.Body.Len() == 0 {
			t.Errorf("?%s: %d", q, w.Code)
		}
	}
}

// A last id too large for 64 bits is the largest id: nothing is newer
// (it used to mean "no bound" and return everything).
func TestLastIDOverflow(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("Mozilla/5.0")
	c.say("/", "one")
	c.say("/", "two")
	for _, tc := range []struct {
		query string
		code  int
		rows  int
	}{
		{"last_id=99999999999999999999", http.StatusNotModified, 0},
		{"last=%2B99999999999999999999", http.StatusNotModified, 0},
		{"last_id=9223372036854775807", http.StatusNotModified, 0},
		{"last_id=-99999999999999999999", 200, 2},
		{"last_id=1", 200, 1},
	} {
		w := c.get("/remote/json/?" + tc.query)
		if w.Code != tc.code || tc.code == 200 && len(decodeJSON(t, w)) != tc.rows {
			t.Errorf("?%s: %d %s", tc.query, w.Code, w.Body)
		}
	}
	if w := c.post("/post/json/?last_id=99999999999999999999", "content", "three"); w.Code != 200 || len(decodeJSON(t, w)) != 0 {
		t.Errorf("post answer after an overflowing last id: %d %s", w.Code, w.Body)
	}
}
