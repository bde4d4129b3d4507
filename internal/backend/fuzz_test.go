package backend_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
)

// FuzzEncode renders arbitrary text as the server does (identity and login
// sanitized with markup.Sanitize) and checks that every format stays valid:
// XML parses strictly with the same tree as the render, JSON is valid and
// round-trips, TSV keeps five fields per line. Crashers found by fuzzing
// are kept in testdata/fuzz/FuzzEncode.
func FuzzEncode(f *testing.F) {
	f.Add(`12:00:00 <b>hé</b> http://a.com/?x=1&y="2" [:totoz] moules< "q"`, "Mozilla/5.0 & co", "superman", int64(1362925812), uint8(1))
	f.Add("<b>x</b> <i>y</i> <u><s>z</s></u>", "coward", "", int64(0), uint8(2))
	f.Add("<m>Daft Punk</m> ]]> <![CDATA[ x ]]> &amp; &#60;", "bot<ua>\t\n", "lo\u2028gin", int64(-1), uint8(10))
	f.Add("\x00\xff\u2029 <code>\"a\"</code> https://fr.wikipedia.org/wiki/A&B_(c)", "\x85\uFFFE", "x", int64(1711846799), uint8(200))
	r := renderer(f)
	rt, err := markup.NewRenderer(markup.Options{TruncatedURL: true})
	if err != nil {
		f.Fatal(err)
	}
	loc := paris(f)
	f.Fuzz(func(t *testing.T, raw, info, login string, unix int64, index uint8) {
		created := time.Unix(unix%(1<<40), 0).UTC()
		m := message(r, 7, created, info, login, raw)
		m.ClockIndex = int(index)
		tm := message(rt, 8, created.Add(time.Second), info, "", raw)
		ms := []model.Message{m, tm}
		meta := &backend.Meta{Site: "http://example.com/" + m.Info, Location: loc, Zone: loc.String(), TableWidth: 90,
			Owned: func(m *model.Message) bool { return m.ID == 7 }}

		// XML: strict parse; the message tree is the render's.
		doc := backend.Encode(nil, backend.XML, meta, ms)
		checkXML(t, doc)
		posts := decodePosts(t, doc)
		if len(posts) != 2 {
			t.Fatalf("%d posts", len(posts))
		}
		for i, p := range posts {
			if p.Info != ms[i].Info || p.Login != ms[i].Login {
				t.Fatalf("info/login %q/%q, want %q/%q", p.Info, p.Login, ms[i].Info, ms[i].Login)
			}
			if a, b := tokens(t, ms[i].Remote), tokens(t, p.Message.Inner); !reflect.DeepEqual(a, b) {
				t.Fatalf("message tree changed for %q:\n%v\n%v", raw, a, b)
			}
		}

		// Crap XML: strict parse; same posts, same text but for whitespace.
		crap := backend.Encode(nil, backend.CrapXML, meta, ms)
		checkXML(t, crap)
		crapPosts := decodePosts(t, crap)
		if len(crapPosts) != 2 {
			t.Fatalf("%d crap posts", len(crapPosts))
		}
		for i, p := range crapPosts {
			if p.ID != posts[i].ID || p.Time != posts[i].Time || p.Info != posts[i].Info || p.Login != posts[i].Login {
				t.Fatalf("crap post %+v, want %+v", p, posts[i])
			}
			if a, b := strings.Fields(textOf(t, posts[i].Message.Inner)), strings.Fields(textOf(t, p.Message.Inner)); !reflect.DeepEqual(a, b) {
				t.Fatalf("crap message text %q, want %q", b, a)
			}
		}

		// JSON: valid, UTF-8, and the strings come back as stored.
		js := backend.Encode(nil, backend.JSON, meta, ms)
		if !json.Valid(js) || !utf8.Valid(js) {
			t.Fatalf("invalid JSON: %q", js)
		}
		var rows []jsonRow
		if err := json.Unmarshal(js, &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != 2 || rows[0].UserAgent != m.Info || rows[0].WebRender != m.Web || !rows[0].Owned || rows[1].Owned ||
			rows[0].ClockIndice != m.ClockIndex || (m.Login == "") != (rows[0].AuthorUsername == nil) ||
			m.Login != "" && *rows[0].AuthorUsername != m.Login {
			t.Fatalf("JSON rows %+v for %+v", rows, m)
		}

		// TSV: five fields per line, every line ended.
		tsv := backend.Encode(nil, backend.TSV, meta, ms)
		if lines := tsvLines(t, tsv); len(lines) != 2 {
			t.Fatalf("%d TSV lines: %q", len(lines), tsv)
		}

		// Plain: UTF-8, no final newline.
		plain := backend.Encode(nil, backend.Plain, meta, ms)
		if !utf8.Valid(plain) || bytes.HasSuffix(plain, []byte("\n")) {
			t.Fatalf("plain table %q", plain)
		}
	})
}

type post struct {
	ID      int64  `xml:"id,attr"`
	Time    string `xml:"time,attr"`
	Info    string `xml:"info"`
	Login   string `xml:"login"`
	Message struct {
		Inner string `xml:",innerxml"`
	} `xml:"message"`
}

func decodePosts(t *testing.T, doc []byte) []post {
	t.Helper()
	var board struct {
		Posts []post `xml:"post"`
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	if err := d.Decode(&board); err != nil {
		t.Fatalf("decode: %v\n%s", err, doc)
	}
	return board.Posts
}

// textOf is the character data of an XML fragment.
func textOf(t *testing.T, fragment string) string {
	t.Helper()
	var b strings.Builder
	d := xml.NewDecoder(strings.NewReader("<m>" + fragment + "</m>"))
	d.Strict = true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return b.String()
		}
		if err != nil {
			t.Fatalf("fragment %q: %v", fragment, err)
		}
		if cd, ok := tok.(xml.CharData); ok {
			b.Write(cd)
			b.WriteByte(' ') // element boundaries separate words
		}
	}
}
