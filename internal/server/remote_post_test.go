package server

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/config"
)

func TestPostFormats(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0")
		w := c.post("/post/json/", "content", "hello")
		rows := decodeJSON(t, w)
		if w.Code != 200 || len(rows) != 1 || rows[0].WebRender != "hello" || !rows[0].Owned ||
			w.Header().Get("X-Post-Id") != strconv.FormatInt(rows[0].ID, 10) ||
			w.Header().Get("Content-Type") != "application/json; charset=utf-8" ||
			w.Header().Get("Cache-Control") != "no-cache, no-store, must-revalidate, max-age=0" {
			t.Fatalf("post/json: %d %v %s", w.Code, w.Header(), w.Body)
		}
		first := rows[0].ID

		// XML: an empty 200 without a last id, the backend with one.
		w = c.post("/post/xml/", "content", "second")
		if w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Type") != "text/plain; charset=utf-8" ||
			w.Header().Get("X-Post-Id") == "" {
			t.Fatalf("post/xml without last id: %d %v %q", w.Code, w.Header(), w.Body)
		}
		w = c.do("POST", fmt.Sprintf("/post/xml/?last_id=%d", first), "content=third")
		b := decodeXML(t, w)
		if len(b.Posts) != 2 || b.Posts[0].Message.Inner != "third" || b.Posts[1].Message.Inner != "second" {
			t.Fatalf("post/xml with last id: %s", w.Body)
		}
		// The last id in the body wins over the query.
		w = c.do("POST", "/crap/post.xml?last_id=1", fmt.Sprintf("content=fourth&last_id=%d", first+2))
		if b := decodeXML(t, w); len(b.Posts) != 1 || b.Posts[0].Message.Inner != "fourth" ||
			!strings.Contains(w.Body.String(), "\n <post") {
			t.Fatalf("crap post with body last id: %s", w.Body)
		}
		w = c.post("/post/tsv/", "content", "fifth", "last_id", strconv.FormatInt(first+3, 10))
		if got := tsvIDs(t, w.Body.String()); len(got) != 1 || w.Header().Get("Content-Type") != "text/tab-separated-values; charset=utf-8" {
			t.Fatalf("post/tsv: %q", w.Body)
		}
		w = c.post("/post/?limit=2", "content", "sixth")
		if got := plainClocks(w.Body.String()); len(got) != 2 || !strings.Contains(w.Body.String(), "sixth") {
			t.Fatalf("post plain: %q", w.Body)
		}
		// A command-free post on an empty selection answers an empty body
		// (djangotribune answered the text "None").
		w = c.do("POST", "/post/?last_id=100000", "content=seventh")
		if w.Code != 200 || w.Body.Len() != 0 {
			t.Fatalf("plain empty selection: %q", w.Body)
		}
		w = c.do("POST", "/post/json/?last_id=100000", "content=eighth")
		if w.Body.String() != "[]" {
			t.Fatalf("json empty selection: %q", w.Body)
		}
	})
}

func TestPostFields(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("Mozilla/5.0")
	latest := func() jsonRow {
		rows := decodeJSON(t, c.get("/remote/json/?direction=desc&limit=1"))
		return rows[0]
	}
	cases := []struct {
		name, body, contentType, want string
	}{
		{"content", "content=plop", "", "plop"},
		{"message", "message=plip", "", "plip"},
		{"board[message]", "board%5Bmessage%5D=plap", "", "plap"},
		{"board[message] raw", "board[message]=plup", "", "plup"},
		{"raw semicolon and spaces like olcc", "message=a;b c <b>d</b>&bearer_token=undefined", "", "a;b c <b>d</b>"},
		{"raw UTF-8", "content=héhé ¹", "", "héhé ¹"},
		{"plus and percent", "content=1+1%3D2+100%", "", "1 1=2 100%"},
		{"charset in type", "content=typed", "application/x-www-form-urlencoded; charset=UTF-8", "typed"},
		{"no content type", "content=untyped", "none", "untyped"},
		{"unknown fields ignored", "foo=bar&content=known&baz", "", "known"},
		{"first non-empty field", "content=&message=fallback", "", "fallback"},
		{"invalid UTF-8 repaired", "content=caf%E9", "", "caf\uFFFD"},
		{"control characters removed", "content=a%07b%09c", "", "ab c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hs []string
			switch tc.contentType {
			case "":
			case "none":
				hs = []string{"Content-Type", ""}
			default:
				hs = []string{"Content-Type", tc.contentType}
			}
			w := c.do("POST", "/post/", tc.body, hs...)
			if w.Code != 200 {
				t.Fatalf("%d %s", w.Code, w.Body)
			}
			var got string
			if rows := decodeJSON(t, c.get("/remote/json/?direction=desc&limit=1")); len(rows) == 1 {
				got = rows[0].WebRender
			}
			want := strings.NewReplacer("<", "&#60;", ">", "&#62;").Replace(tc.want)
			if tc.name == "raw semicolon and spaces like olcc" {
				want = "a;b c <b>d</b>"
			}
			if got != want || !utf8.ValidString(got) {
				t.Fatalf("stored %q, want %q", got, want)
			}
		})
	}
	// Multipart, which rfm says servers should accept.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("content", "from multipart")
	mw.Close()
	if w := c.do("POST", "/post/", buf.String(), "Content-Type", mw.FormDataContentType()); w.Code != 200 {
		t.Fatalf("multipart: %d %s", w.Code, w.Body)
	}
	if got := latest().WebRender; got != "from multipart" {
		t.Fatalf("multipart stored %q", got)
	}
}

func TestPostErrors(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.MaxBodyBytes = 4096 })
	c := tr.client("Mozilla/5.0")
	long := strings.Repeat("é", 501)
	cases := []struct {
		name   string
		body   string
		hs     []string
		status int
		text   string
	}{
		{"missing", "foo=bar", nil, 400, "* content: This field is required."},
		{"empty", "content=", nil, 400, "* content: This field is required."},
		{"control characters only", "content=%01%02", nil, 400, "* content: This field is required."},
		{"too long", "content=" + long, nil, 400, "* content: Ensure this value has at most 500 characters (it has 501)."},
		{"too long in French", "content=" + long, []string{"Accept-Language", "fr"}, 400,
			"* content: Assurez-vous que cette valeur comporte au plus 500 caractères (actuellement 501)."},
		{"body too large", "content=" + strings.Repeat("x", 80000), nil, 413, ""},
		{"bad multipart", "--x\r\ngarbage", []string{"Content-Type", "multipart/form-data; boundary=y"}, 400, ""},
		{"multipart without boundary", "content=x", []string{"Content-Type", "multipart/form-data"}, 400, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := c.do("POST", "/post/json/", tc.body, tc.hs...)
			if w.Code != tc.status || tc.text != "" && w.Body.String() != tc.text ||
				w.Header().Get("Content-Type") != "text/plain; charset=utf-8" || w.Header().Get("X-Post-Id") != "" {
				t.Fatalf("%d %v %q", w.Code, w.Header(), w.Body)
			}
		})
	}
	// Nothing was stored.
	if w := c.get("/remote/json/"); w.Code != http.StatusNotModified {
		t.Fatalf("something was stored: %d %s", w.Code, w.Body)
	}
	// Whitespace is a valid message, as in djangotribune.
	if w := c.post("/post/", "content", "   "); w.Code != 200 {
		t.Fatalf("blank message: %d", w.Code)
	}
}

func TestIdentity(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		check := func(c *client, wantInfo string) {
			t.Helper()
			id := c.say("/", "who am I")
			rows := decodeJSON(t, c.get(fmt.Sprintf("/remote/json/?last_id=%d", id-1)))
			if rows[0].UserAgent != wantInfo || rows[0].Login != nil {
				t.Fatalf("JSON identity %q, want %q", rows[0].UserAgent, wantInfo)
			}
			b := decodeXML(t, c.get(fmt.Sprintf("/remote/xml/?last_id=%d", id-1)))
			if b.Posts[0].Info != wantInfo {
				t.Fatalf("XML identity %q, want %q", b.Posts[0].Info, wantInfo)
			}
		}
		check(tr.client("ab"), "coward")
		check(tr.client(""), "coward")
		check(tr.client("Mozilla <x> & co"), "Mozilla <x> & co")
		check(tr.client("  olcc&nbsp;-me/1.1  "), "olcc-me/1.1")
		check(tr.client(strings.Repeat("u", 200)), strings.Repeat("u", 150))
		latin1 := tr.client("caf\xe9")
		check(latin1, "café")
		// Escaped exactly once in the XML.
		c := tr.client("bot<ua>")
		id := c.say("/", "x")
		body := c.get(fmt.Sprintf("/remote/xml/?last_id=%d", id-1)).Body.String()
		if !strings.Contains(body, "<info>bot&lt;ua&gt;</info>") || !strings.Contains(body, "<login></login>") {
			t.Fatalf("XML info: %s", body)
		}
		tsv := c.get(fmt.Sprintf("/remote/tsv/?last_id=%d", id-1)).Body.String()
		if !strings.Contains(tsv, "\tbot&lt;ua&gt;\t\t") {
			t.Fatalf("TSV info: %q", tsv)
		}
	})
}

func TestOwned(t *testing.T) {
	tr := sqliteTribune(t, nil)
	a, b := tr.client("Alice/1.0"), tr.client("Bob/1.0")
	ida := a.say("/", "from a")
	idb := b.say("/", "from b")
	if a.cookies["sessionid"] == nil {
		t.Fatal("an anonymous poster got no session cookie")
	}
	for _, tc := range []struct {
		c    *client
		mine int64
	}{{a, ida}, {b, idb}} {
		for _, r := range decodeJSON(t, tc.c.get("/remote/json/")) {
			if r.Owned != (r.ID == tc.mine) {
				t.Errorf("row %d owned=%v for the poster of %d", r.ID, r.Owned, tc.mine)
			}
		}
	}
	// Someone without a session owns nothing, and shares the cached answer.
	for _, r := range decodeJSON(t, tr.client("Carol").get("/remote/json/")) {
		if r.Owned {
			t.Errorf("row %d owned by a stranger", r.ID)
		}
	}
	// A forged session cookie is not taken as is.
	forged := tr.client("Mallory")
	forged.cookies["sessionid"] = &http.Cookie{Name: "sessionid", Value: "chosen-by-client"}
	forged.say("/", "forged")
	if v := forged.cookies["sessionid"].Value; v == "chosen-by-client" || tr.board.SessionID(v) == "" {
		t.Errorf("a client-chosen session token was kept: %q", v)
	}
}

// No input may produce an invalid document: messages made of markup,
// entities and odd characters are read back in every format.
func TestEveryFormatStaysValid(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("ua \"quoted\" <&> \t tab")
	msgs := []string{
		`<b><i>misnested</b></i> <code><b>x</b></code> <m>moment`,
		`http://fr.wikipedia.org/wiki/A&B<C> and http://x.free.fr/"q"`,
		`[:totoz<] [:a b] &amp; &#60; ]]> <![CDATA[ x ]]> <?pi?> <!-- c -->`,
		"tab\there, newline\nthere, cr\rthere, nul\x00, bell\x07, \ufffe\uffff",
		`12:00:00¹ 2024-01-31T12:34:56@dlfp 01/31#12:34:56 moules< "quotes" 'single'`,
		strings.Repeat("<b>", 100) + "deep",
	}
	for _, m := range msgs {
		if w := c.post("/post/", "content", m); w.Code != 200 {
			t.Fatalf("post %q: %d %s", m, w.Code, w.Body)
		}
	}
	for _, path := range []string{"/remote/xml/", "/crap/remote.xml"} {
		if b := decodeXML(t, c.get(path)); len(b.Posts) != len(msgs) {
			t.Fatalf("%s: %d posts", path, len(b.Posts))
		}
	}
	var rows []map[string]any
	if err := json.Unmarshal(c.get("/remote/json/").Body.Bytes(), &rows); err != nil || len(rows) != len(msgs) {
		t.Fatalf("json: %v", err)
	}
	if got := tsvIDs(t, c.get("/remote/tsv/").Body.String()); len(got) != len(msgs) {
		t.Fatalf("tsv: %d rows", len(got))
	}
	// The message element holds the markup as real elements.
	body := c.get("/remote/xml/").Body.String()
	d := xml.NewDecoder(strings.NewReader(body))
	elements := map[string]bool{}
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			elements[se.Name.Local] = true
		}
	}
	for _, e := range []string{"b", "i", "code", "a"} {
		if !elements[e] {
			t.Errorf("no <%s> element in the XML backend", e)
		}
	}
}
