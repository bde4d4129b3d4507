package backend_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
)

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func renderer(t testing.TB) *markup.Renderer {
	t.Helper()
	r, err := markup.NewRenderer(markup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// message renders raw as the server does and fills a message with it.
func message(r *markup.Renderer, id int64, created time.Time, info, login, raw string) model.Message {
	res := r.Render(raw)
	return model.Message{
		ID: id, Created: created, ClockIndex: 1,
		Info: markup.Sanitize(info), Login: markup.Sanitize(login),
		Raw: res.Text, Web: res.Web, Remote: res.Remote,
	}
}

// referenceSample is djangotribune.md §3.7's sample, newest first: post 43
// at 15:30:12 and post 42 at 15:29:59 on 10 March 2013, Paris time (UTC+1).
func referenceSample(t testing.TB) []model.Message {
	r := renderer(t)
	return []model.Message{
		message(r, 43, time.Date(2013, 3, 10, 14, 30, 12, 0, time.UTC), "Mozilla/5.0 & co", "superman",
			`12:00:00 <b>hé</b> http://a.com/?x=1&y="2" [:totoz] moules< "q"`),
		message(r, 42, time.Date(2013, 3, 10, 14, 29, 59, 0, time.UTC), "coward", "", "plain"),
	}
}

func TestXMLReferenceSample(t *testing.T) {
	ms := referenceSample(t)
	meta := &backend.Meta{Site: "http://example.com", Location: paris(t), Zone: "Europe/Paris"}
	got := string(backend.Encode(nil, backend.XML, meta, ms))
	// The reference with our deliberate differences: <login></login>, the
	// timezone attribute, and the identity escaped once (the reference
	// stored it HTML-escaped and showed &amp;amp;).
	want := "<?xml version='1.0' encoding='UTF-8'?>\n" +
		`<board site="http://example.com" timezone="Europe/Paris">` +
		`<post id="43" time="20130310153012"><info>Mozilla/5.0 &amp; co</info><login>superman</login>` +
		`<message>12:00:00 <b>hé</b> <a href="http://a.com/?x=1&amp;y=&quot;2&quot;">[url]</a> [:totoz] moules&lt; "q"</message></post>` +
		`<post id="42" time="20130310152959"><info>coward</info><login></login><message>plain</message></post>` +
		`</board>`
	if got != want {
		t.Errorf("XML:\n got %s\nwant %s", got, want)
	}
	checkXML(t, []byte(got))
}

func TestCrapXMLReferenceSample(t *testing.T) {
	ms := referenceSample(t)
	meta := &backend.Meta{Site: "http://example.com", Location: paris(t), Zone: "Europe/Paris"}
	got := string(backend.Encode(nil, backend.CrapXML, meta, ms))
	want := "<?xml version='1.0' encoding='UTF-8'?>\n" +
		`<board site="http://example.com" timezone="Europe/Paris">` + "\n" +
		` <post id="43" time="20130310153012">` + "\n" +
		`  <info>Mozilla/5.0 &amp; co</info>` + "\n" +
		`  <login>superman</login>` + "\n" +
		// The whitespace-only tail between <b> and <a> becomes a newline
		// and the indentation of the message's children, as ElementTree's
		// recipe did.
		`  <message>12:00:00 <b>hé</b>` + "\n" +
		`   <a href="http://a.com/?x=1&amp;y=&quot;2&quot;">[url]</a> [:totoz] moules&lt; "q"</message>` + "\n" +
		` </post>` + "\n" +
		` <post id="42" time="20130310152959">` + "\n" +
		`  <info>coward</info>` + "\n" +
		`  <login></login>` + "\n" +
		`  <message>plain</message>` + "\n" +
		` </post>` + "\n" +
		`</board>` + "\n"
	if got != want {
		t.Errorf("crap XML:\n got %s\nwant %s", got, want)
	}
	checkXML(t, []byte(got))
}

func TestXMLEmpty(t *testing.T) {
	meta := &backend.Meta{Site: "http://example.com", Location: paris(t), Zone: "Europe/Paris"}
	want := "<?xml version='1.0' encoding='UTF-8'?>\n" + `<board site="http://example.com" timezone="Europe/Paris"></board>`
	for _, f := range []backend.Format{backend.XML, backend.CrapXML} {
		got := string(backend.Encode(nil, f, meta, nil))
		if got != want {
			t.Errorf("%v, no message: %q, want %q", f, got, want)
		}
		checkXML(t, []byte(got))
	}
}

func TestXMLBoardAttributes(t *testing.T) {
	created := time.Date(2013, 3, 10, 14, 30, 12, 0, time.UTC)
	// The zone's name comes from the caller (config.Config.ZoneName, where
	// the naming is tested).
	tests := []struct {
		name  string
		site  string
		loc   *time.Location
		zone  string
		board string
	}{
		{"named zone", "http://example.com/", paris(t), "Europe/Paris", `<board site="http://example.com/" timezone="Europe/Paris">`},
		{"UTC", "http://example.com/", time.UTC, "UTC", `<board site="http://example.com/" timezone="UTC">`},
		{"unnamed fixed zone", "http://example.com/", time.FixedZone("", 3600), "", `<board site="http://example.com/">`},
		{"site escaped", `http://a.com/?a=1&b="2"<>`, time.UTC, "UTC", `<board site="http://a.com/?a=1&amp;b=&quot;2&quot;&lt;&gt;" timezone="UTC">`},
		{"zone escaped", "s", time.UTC, `a"b`, `<board site="s" timezone="a&quot;b">`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			meta := &backend.Meta{Site: tc.site, Location: tc.loc, Zone: tc.zone}
			ms := []model.Message{{ID: 1, Created: created, ClockIndex: 1, Info: "i", Raw: "m", Remote: "m", Web: "m"}}
			for _, f := range []backend.Format{backend.XML, backend.CrapXML} {
				out := backend.Encode(nil, f, meta, ms)
				rest, ok := bytes.CutPrefix(out, []byte(backend.XMLDeclaration))
				if !ok || !bytes.HasPrefix(rest, []byte(tc.board)) {
					t.Errorf("%v: %s\nwant it to start with %s", f, out, tc.board)
				}
				checkXML(t, out)
			}
		})
	}
}

// TestXMLMessageEntities checks the re-serialisation of renders: the
// renderer's numeric references become &lt; &gt; &amp;, a quote is plain in
// text and &quot; in an attribute, and the tree is unchanged.
func TestXMLMessageEntities(t *testing.T) {
	tests := []struct {
		remote, want string
	}{
		{"plain", "plain"},
		{"a &#60;b&#62; &#38; c", "a &lt;b&gt; &amp; c"},
		{"&#34;quoted&#34;", `"quoted"`},
		{`<a href="http://x/?a=&#34;1&#34;&#38;b=&#60;">[url]</a> &#34;`, `<a href="http://x/?a=&quot;1&quot;&amp;b=&lt;">[url]</a> "`},
		{"<b>x</b> <i>y</i> <u>z</u> <s>w</s> <tt>v</tt> <code>&#60;/code&#62;</code>", "<b>x</b> <i>y</i> <u>z</u> <s>w</s> <tt>v</tt> <code>&lt;/code&gt;</code>"},
		{"====&#62; <b>Moment x</b> &#60;====", "====&gt; <b>Moment x</b> &lt;===="},
		{"it's", "it's"},
	}
	meta := &backend.Meta{Site: "s", Location: time.UTC}
	for _, tc := range tests {
		t.Run(tc.remote, func(t *testing.T) {
			ms := []model.Message{{ID: 1, Created: time.Unix(0, 0), Remote: tc.remote}}
			out := string(backend.Encode(nil, backend.XML, meta, ms))
			_, msg, _ := strings.Cut(out, "<message>")
			msg, _, _ = strings.Cut(msg, "</message></post>")
			if msg != tc.want {
				t.Errorf("message %q, want %q", msg, tc.want)
			}
			checkXML(t, []byte(out))
			if a, b := tokens(t, tc.remote), tokens(t, msg); !reflect.DeepEqual(a, b) {
				t.Errorf("the tree changed:\n%v\n%v", a, b)
			}
		})
	}
}

func TestCrapXMLIndentsInlineMarkup(t *testing.T) {
	tests := []struct {
		name, remote, message string
	}{
		{"text only", "hello  world", "<message>hello  world</message>"},
		{"one element, no text", "<b>x</b>", "<message>\n   <b>x</b>\n  </message>"},
		{"spaces between elements", "<b>x</b> <i>y</i>", "<message>\n   <b>x</b>\n   <i>y</i>\n  </message>"},
		{"text kept", "a <b>x</b> b <i>y</i> c", "<message>a <b>x</b> b <i>y</i> c</message>"},
		{"nested", "<b><i>x</i> </b>", "<message>\n   <b>\n    <i>x</i>\n   </b>\n  </message>"},
		{"entities decoded and re-escaped", `<a href="h?a=&#34;&#38;">[url]</a> &#60;&#34;`, `<message>` + "\n" + `   <a href="h?a=&quot;&amp;">[url]</a> &lt;"</message>`},
	}
	meta := &backend.Meta{Site: "s", Location: time.UTC}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := []model.Message{{ID: 1, Created: time.Unix(0, 0), Info: "i", Remote: tc.remote}}
			out := string(backend.Encode(nil, backend.CrapXML, meta, ms))
			want := "  <login></login>\n  " + tc.message + "\n </post>\n</board>\n"
			if !strings.HasSuffix(out, want) {
				t.Errorf("crap XML:\n%s\nwant it to end with\n%s", out, want)
			}
			checkXML(t, []byte(out))
		})
	}
}

// TestCrapXMLMalformedRender checks that a render that is not well-formed
// (never produced by the markup package) is kept as text instead of
// breaking the document.
func TestCrapXMLMalformedRender(t *testing.T) {
	meta := &backend.Meta{Site: "s", Location: time.UTC}
	ms := []model.Message{{ID: 1, Created: time.Unix(0, 0), Remote: "a <b>b & c"}}
	out := backend.Encode(nil, backend.CrapXML, meta, ms)
	checkXML(t, out)
	if !bytes.Contains(out, []byte("<message>a &lt;b&gt;b &amp; c</message>")) {
		t.Errorf("malformed render: %s", out)
	}
}

type jsonRow struct {
	ID             int64   `json:"id"`
	Created        string  `json:"created"`
	Clock          string  `json:"clock"`
	AuthorUsername *string `json:"author__username"`
	UserAgent      string  `json:"user_agent"`
	WebRender      string  `json:"web_render"`
	ClockIndice    int     `json:"clock_indice"`
	ClockClass     string  `json:"clockclass"`
	Owned          bool    `json:"owned"`
}

func TestJSON(t *testing.T) {
	r := renderer(t)
	at := time.Date(2013, 3, 10, 14, 30, 12, 0, time.UTC)
	ms := []model.Message{
		message(r, 42, at, "Mozilla/5.0", "", "15:29:00 hello"),
		message(r, 43, at, "Mozilla é", "superman", "<b>bold</b>"),
		message(r, 44, at.Add(time.Second), "bot", "", "third"),
	}
	ms[1].ClockIndex = 2
	ms[2].ClockIndex = 12
	ms[0].SessionID = "mine"
	meta := &backend.Meta{Site: "s", Location: paris(t), Owned: func(m *model.Message) bool { return m.SessionID == "mine" }}
	out := backend.Encode(nil, backend.JSON, meta, ms)
	if !json.Valid(out) {
		t.Fatalf("invalid JSON: %s", out)
	}

	// Keys and types.
	var generic []map[string]any
	if err := json.Unmarshal(out, &generic); err != nil {
		t.Fatal(err)
	}
	if len(generic) != 3 {
		t.Fatalf("%d rows", len(generic))
	}
	types := map[string]string{
		"id": "float64", "created": "string", "clock": "string", "user_agent": "string", "web_render": "string",
		"clock_indice": "float64", "clockclass": "string", "owned": "bool",
	}
	for i, row := range generic {
		keys := make([]string, 0, len(row))
		for k := range row {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		want := []string{"author__username", "clock", "clock_indice", "clockclass", "created", "id", "owned", "user_agent", "web_render"}
		if !slices.Equal(keys, want) {
			t.Errorf("row %d keys %v, want %v", i, keys, want)
		}
		for k, typ := range types {
			if got := reflect.TypeOf(row[k]); got == nil || got.String() != typ {
				t.Errorf("row %d: %s is %v, want %s", i, k, got, typ)
			}
		}
	}
	if v, ok := generic[0]["author__username"]; !ok || v != nil {
		t.Errorf("anonymous author__username = %#v, want null", v)
	}
	if v := generic[1]["author__username"]; v != "superman" {
		t.Errorf("author__username = %#v, want superman", v)
	}

	var rows []jsonRow
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatal(err)
	}
	super := "superman"
	want := []jsonRow{
		{42, "20130310153012", "15:30:12", nil, "Mozilla/5.0", ms[0].Web, 1, "15301201", true},
		{43, "20130310153012", "15:30:12", &super, "Mozilla é", ms[1].Web, 2, "15301202", false},
		{44, "20130310153013", "15:30:13", nil, "bot", ms[2].Web, 12, "15301312", false},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n got %+v\nwant %+v", rows, want)
	}
	if ms[0].Web != `<span class="pointer">15:29:00</span> hello` {
		t.Errorf("web render %q", ms[0].Web)
	}

	// No Owned function: nobody's.
	meta.Owned = nil
	if err := json.Unmarshal(backend.Encode(nil, backend.JSON, meta, ms), &rows); err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if row.Owned {
			t.Errorf("message %d owned without an Owned function", row.ID)
		}
	}

	if got := string(backend.Encode(nil, backend.JSON, meta, nil)); got != "[]" {
		t.Errorf("no message: %q", got)
	}
}

// TestJSONRow checks that a JSON answer is the rows AppendJSONRow writes,
// each with its owned mark, between brackets.
func TestJSONRow(t *testing.T) {
	ms := referenceSample(t)
	ms[1].SessionID = "mine"
	loc := paris(t)
	meta := &backend.Meta{Location: loc, Owned: func(m *model.Message) bool { return m.SessionID == "mine" }}
	want := "[" + string(backend.AppendJSONRow(nil, &ms[0], loc, false)) + "," + string(backend.AppendJSONRow(nil, &ms[1], loc, true)) + "]"
	if got := string(backend.Encode(nil, backend.JSON, meta, ms)); got != want {
		t.Errorf("JSON:\n got %s\nwant %s", got, want)
	}
	for _, owned := range []bool{false, true} {
		row := backend.AppendJSONRow([]byte("prefix"), &ms[0], loc, owned)
		var got jsonRow
		if rest, ok := bytes.CutPrefix(row, []byte("prefix")); !ok || json.Unmarshal(rest, &got) != nil {
			t.Fatalf("row %s: does not append one JSON object", row)
		}
		if got.ID != 43 || got.Created != "20130310153012" || got.Owned != owned {
			t.Errorf("row %+v, want id 43 at 20130310153012, owned %v", got, owned)
		}
	}
}

func TestJSONStringEscaping(t *testing.T) {
	tests := []struct {
		name string
		in   string
		raw  string // must appear in the encoded bytes, when set
	}{
		{"plain", "hello", `"hello"`},
		{"quote and backslash", `a"b\c`, `"a\"b\\c"`},
		{"newline tab cr", "a\nb\tc\rd", `"a\nb\tc\rd"`},
		{"other controls", "\x00\x01\x1f\x08\x0c", `"\u0000\u0001\u001f\u0008\u000c"`},
		{"del stays", "a\x7fb", "\"a\x7fb\""},
		{"line separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"html is not escaped", "</script><b>&amp;", `"</script><b>&amp;"`},
		{"non-ASCII kept", "héllo ⁂ 😀", `"héllo ⁂ 😀"`},
		{"invalid byte", "a\xffb", `"a\ufffdb"`},
		{"truncated sequence", "a\xe2\x82", `"a\ufffd\ufffd"`},
		{"lone continuation", "\x80", `"\ufffd"`},
		{"encoded surrogate", "\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`},
		{"U+FFFD itself", "\uFFFD", "\"\uFFFD\""},
		{"empty", "", `""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ms := []model.Message{{ID: 1, Created: time.Unix(0, 0), Info: tc.in, Login: tc.in, Web: tc.in}}
			out := backend.Encode(nil, backend.JSON, &backend.Meta{Location: time.UTC}, ms)
			if !json.Valid(out) || !utf8.Valid(out) {
				t.Fatalf("invalid JSON or UTF-8: %q", out)
			}
			for _, c := range out {
				if c < 0x20 {
					t.Fatalf("raw control character %#x in %q", c, out)
				}
			}
			if bytes.Contains(out, []byte("\u2028")) || bytes.Contains(out, []byte("\u2029")) {
				t.Errorf("raw U+2028/U+2029 in %q", out)
			}
			if !bytes.Contains(out, []byte(`"user_agent":`+tc.raw)) {
				t.Errorf("user_agent encoded as %q, want %s", out, tc.raw)
			}
			var rows []jsonRow
			if err := json.Unmarshal(out, &rows); err != nil {
				t.Fatal(err)
			}
			want := string([]rune(tc.in)) // each invalid byte becomes U+FFFD
			if rows[0].UserAgent != want || rows[0].WebRender != want {
				t.Errorf("round trip: %q, %q, want %q", rows[0].UserAgent, rows[0].WebRender, want)
			}
			if want != "" && (rows[0].AuthorUsername == nil || *rows[0].AuthorUsername != want) {
				t.Errorf("author__username round trip: %v, want %q", rows[0].AuthorUsername, want)
			}
		})
	}
}

// tsvLines checks the TSV framing and returns the fields of each line.
func tsvLines(t *testing.T, out []byte) [][]string {
	t.Helper()
	if !utf8.Valid(out) {
		t.Errorf("TSV is not UTF-8: %q", out)
	}
	if len(out) == 0 {
		return nil
	}
	if out[len(out)-1] != '\n' {
		t.Fatalf("TSV does not end with a newline: %q", out)
	}
	var lines [][]string
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if strings.ContainsRune(line, '\r') {
			t.Errorf("CR in line %q", line)
		}
		fields := strings.Split(line, "\t")
		if len(fields) != 5 {
			t.Fatalf("line %q has %d fields", line, len(fields))
		}
		lines = append(lines, fields)
	}
	return lines
}

func TestTSV(t *testing.T) {
	r := renderer(t)
	ms := referenceSample(t)
	slices.Reverse(ms) // oldest first, as the TSV backend sends it
	weird := message(r, 44, time.Date(2013, 3, 10, 14, 31, 0, 0, time.UTC), "", "", "x")
	// Unsanitized values, which the server never stores, still keep five
	// fields per line.
	weird.Info = "tab\there\nnew\r\nline <&> &amp;"
	weird.Login = "lo\tgin"
	weird.Remote = "a\tb\nc\rd"
	ms = append(ms, weird)

	out := backend.Encode(nil, backend.TSV, &backend.Meta{Location: paris(t)}, ms)
	got := tsvLines(t, out)
	want := [][]string{
		{"42", "20130310152959", "coward", "", "plain"},
		// The message is the fragment of the XML backend; the identity is
		// escaped once.
		{"43", "20130310153012", "Mozilla/5.0 &amp; co", "superman",
			`12:00:00 <b>hé</b> <a href="http://a.com/?x=1&amp;y=&quot;2&quot;">[url]</a> [:totoz] moules&lt; "q"`},
		{"44", "20130310153100", "tab here new  line &lt;&amp;&gt; &amp;amp;", "lo gin", "a b c d"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TSV:\n got %q\nwant %q", got, want)
	}
	if out := backend.Encode(nil, backend.TSV, &backend.Meta{Location: paris(t)}, nil); len(out) != 0 {
		t.Errorf("no message: %q", out)
	}
}

func TestPlainClockColumn(t *testing.T) {
	at := time.Date(2013, 3, 10, 14, 30, 12, 0, time.UTC)
	tests := []struct {
		index int
		clock string
	}{
		{1, "15:30:12 "},
		{2, "15:30:12² "},
		{3, "15:30:12³ "},
		{10, "15:30:12¹⁰ "},
	}
	for _, tc := range tests {
		t.Run(tc.clock, func(t *testing.T) {
			ms := []model.Message{{ID: 1, Created: at, ClockIndex: tc.index, Info: "Anonymous coward", Raw: "hello <b>"}}
			out := string(backend.Encode(nil, backend.Plain, &backend.Meta{Location: paris(t), TableWidth: 90}, ms))
			if !strings.HasPrefix(out, tc.clock) {
				t.Errorf("%q does not start with %q", out, tc.clock)
			}
			if strings.HasSuffix(out, "\n") || !strings.Contains(out, "Anonymous coward") || !strings.Contains(out, "hello <b>") {
				t.Errorf("plain row %q", out)
			}
			if n := utf8.RuneCountInString(out); n != 90+7 { // three trailing spaces and two separators of two
				t.Errorf("line of %d code points: %q", n, out)
			}
		})
	}

	ms := []model.Message{
		{ID: 1, Created: at, ClockIndex: 1, Info: "ua", Login: "superman", Raw: "First"},
		{ID: 2, Created: at, ClockIndex: 2, Info: "Mozilla/5.0 (X11; Linux x86_64; rv:1)", Raw: "second"},
	}
	out := string(backend.Encode(nil, backend.Plain, &backend.Meta{Location: paris(t), TableWidth: 90}, ms))
	lines := strings.Split(out, "\n")
	if len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "15:30:12     <superman>") ||
		!strings.HasPrefix(lines[1], "15:30:12²    Mozilla/5.0 (X11; Linux x86_64   second") {
		t.Errorf("plain table:\n%s", out)
	}
	if out := backend.Encode(nil, backend.Plain, &backend.Meta{Location: paris(t), TableWidth: 90}, nil); len(out) != 0 {
		t.Errorf("no message: %q", out)
	}
}

func TestTimesInZone(t *testing.T) {
	loc := paris(t)
	tests := []struct {
		name         string
		utc          time.Time
		stamp, clock string
	}{
		{"winter", time.Date(2013, 3, 10, 14, 30, 12, 0, time.UTC), "20130310153012", "15:30:12"},
		{"summer", time.Date(2013, 7, 14, 10, 0, 0, 0, time.UTC), "20130714120000", "12:00:00"},
		{"before the spring change", time.Date(2024, 3, 31, 0, 59, 59, 0, time.UTC), "20240331015959", "01:59:59"},
		{"after the spring change", time.Date(2024, 3, 31, 1, 0, 0, 0, time.UTC), "20240331030000", "03:00:00"},
		{"first 02:30 in autumn", time.Date(2024, 10, 27, 0, 30, 0, 0, time.UTC), "20241027023000", "02:30:00"},
		{"second 02:30 in autumn", time.Date(2024, 10, 27, 1, 30, 0, 0, time.UTC), "20241027023000", "02:30:00"},
		{"day change", time.Date(2023, 12, 31, 23, 0, 5, 0, time.UTC), "20240101000005", "00:00:05"},
		{"small year padded", time.Date(999, 1, 2, 3, 4, 5, 0, loc), "09990102030405", "03:04:05"},
		{"sub-second ignored", time.Date(2013, 3, 10, 14, 30, 12, 999999999, time.UTC), "20130310153012", "15:30:12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(backend.Stamp([]byte("x"), tc.utc, loc)); got != "x"+tc.stamp {
				t.Errorf("Stamp = %q, want x%s", got, tc.stamp)
			}
			if got := string(backend.Clock([]byte("x"), tc.utc, loc)); got != "x"+tc.clock {
				t.Errorf("Clock = %q, want x%s", got, tc.clock)
			}
			for index, suffix := range map[int]string{1: "01", 9: "09", 12: "12", 123: "123"} {
				m := &model.Message{Created: tc.utc, ClockIndex: index}
				want := strings.ReplaceAll(tc.clock, ":", "") + suffix
				if got := string(backend.ClockClass(nil, m, loc)); got != want {
					t.Errorf("ClockClass(index %d) = %q, want %q", index, got, want)
				}
			}
		})
	}
	// Stamp and Clock use the location, not the time's own zone.
	utc := time.Date(2013, 3, 10, 14, 30, 12, 0, time.UTC)
	if got := string(backend.Stamp(nil, utc, time.UTC)); got != "20130310143012" {
		t.Errorf("Stamp in UTC = %q", got)
	}
	if got := string(backend.Clock(nil, utc.In(loc), time.UTC)); got != "14:30:12" {
		t.Errorf("Clock in UTC = %q", got)
	}
}

// formats lists every format.
var formats = [...]backend.Format{backend.Plain, backend.TSV, backend.JSON, backend.XML, backend.CrapXML}

func TestFormats(t *testing.T) {
	tests := []struct {
		f           backend.Format
		name        string
		contentType string
		ascending   bool
	}{
		{backend.Plain, "plain", "text/plain; charset=utf-8", true},
		{backend.TSV, "tsv", "text/tab-separated-values; charset=utf-8", true},
		{backend.JSON, "json", "application/json; charset=utf-8", true},
		{backend.XML, "xml", "application/xml; charset=utf-8", false},
		{backend.CrapXML, "crap", "application/xml; charset=utf-8", false},
	}
	if len(formats) != len(tests) {
		t.Fatalf("%d formats, %d tested", len(formats), len(tests))
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if formats[i] != tc.f {
				t.Errorf("formats[%d] = %v", i, formats[i])
			}
			if got := tc.f.String(); got != tc.name {
				t.Errorf("String() = %q", got)
			}
			if got := tc.f.ContentType(); got != tc.contentType {
				t.Errorf("ContentType() = %q", got)
			}
			if got := tc.f.Ascending(); got != tc.ascending {
				t.Errorf("Ascending() = %v", got)
			}
		})
	}
}

func TestEncodeAppends(t *testing.T) {
	ms := referenceSample(t)
	meta := &backend.Meta{Site: "http://example.com", Location: paris(t), TableWidth: 90}
	for _, f := range formats {
		alone := backend.Encode(nil, f, meta, ms)
		got := backend.Encode([]byte("prefix"), f, meta, ms)
		if string(got) != "prefix"+string(alone) {
			t.Errorf("%v: Encode does not append to dst", f)
		}
	}
}

// checkXML parses doc with a strict decoder and checks the declaration and
// the board/post/info/login/message shape.
func checkXML(t testing.TB, doc []byte) {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte(backend.XMLDeclaration)) {
		t.Fatalf("no declaration: %q", doc)
	}
	if !utf8.Valid(doc) {
		t.Fatalf("not UTF-8: %q", doc)
	}
	if bytes.Contains(doc, []byte("/>")) {
		t.Errorf("self-closing element in %s", doc)
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var path []string
	roots := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("strict XML parse: %v\n%s", err, doc)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			name := tok.Name.Local
			parent := ""
			if len(path) > 0 {
				parent = path[len(path)-1]
			}
			ok := true
			switch parent {
			case "":
				ok = name == "board"
				roots++
			case "board":
				ok = name == "post"
			case "post":
				ok = name == "info" || name == "login" || name == "message"
			case "info", "login":
				ok = false
			}
			if !ok {
				t.Fatalf("<%s> inside <%s>\n%s", name, parent, doc)
			}
			path = append(path, name)
		case xml.EndElement:
			path = path[:len(path)-1]
		case xml.Directive:
			t.Fatalf("directive in %s", doc)
		}
	}
	if roots != 1 {
		t.Fatalf("%d root elements", roots)
	}
}

type token struct {
	Kind  string
	Name  string
	Attrs []xml.Attr
	Text  string
}

// tokens decodes an XML fragment into comparable tokens.
func tokens(t testing.TB, fragment string) []token {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader("<message>" + fragment + "</message>"))
	d.Strict = true
	var out []token
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("fragment %q: %v", fragment, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			out = append(out, token{Kind: "start", Name: tok.Name.Local, Attrs: tok.Attr})
		case xml.EndElement:
			out = append(out, token{Kind: "end", Name: tok.Name.Local})
		case xml.CharData:
			// Adjacent character data (split at entities) is merged.
			if n := len(out); n > 0 && out[n-1].Kind == "text" {
				out[n-1].Text += string(tok)
			} else {
				out = append(out, token{Kind: "text", Text: string(tok)})
			}
		}
	}
}
