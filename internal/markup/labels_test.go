package markup

import (
	"reflect"
	"strings"
	"testing"
)

// TestDefaultLabels gives one link per rule of the reference's 31-entry
// list (§6.4), its worked examples, and test_url_display (§13.3).
func TestDefaultLabels(t *testing.T) {
	tests := []struct {
		url, want string
	}{
		// One per rule, in the table's order.
		{"http://x.com/f.tar.gz", "[tgz]"},
		{"http://x.com/f.tgz", "[tgz]"},
		{"http://x.com/f.zip", "[zip]"},
		{"http://x.com/f.rpm", "[rpm]"},
		{"http://x.com/f.deb", "[deb]"},
		{"http://x.com/doc.pdf", "[pdf]"},
		{"http://localhost:8000/", "[localhost]"},
		{"http://fr.wikipedia.org/wiki/Téléphone", "[Téléphone@wikipedia]"},
		{"https://www.youtube.com/watch?v=1", "[youtube]"},
		{"http://www.dailymotion.com/video/x", "[dailymotion]"},
		{"http://bashfr.org/?1234", "[bashfr]"},
		{"http://www.imdb.com/title/tt0", "[imdb]"},
		{"https://www.google.fr/", "[google]"},
		{"http://fr.yahoo.com/", "[yahoo]"},
		{"http://www.lemonde.fr/a", "[lemonde]"},
		{"http://www.liberation.fr/a", "[libe]"},
		{"http://www.lefigaro.fr/a", "[lefigaro]"},
		{"http://www.journaldunet.com/a", "[jdn]"},
		{"http://www.01net.com/a", "[01net]"},
		{"http://forum.hardware.fr/a", "[hfr]"},
		{"http://linuxfr.org/", "[Dlfp]"},
		{"http://goatse.example/", "[pas cliquer!]"},
		{"http://goat.cx/", "[pas cliquer!]"},
		{"http://glazman.org/weblog/", "[yerk pas cliquer!]"},
		{"http://www.ssz.fr/", "[pas cliquer non plus!]"},
		{"http://wiki.example.org/", "[wiki]"},
		{"http://wickedweasel.com/", "[WW]"},
		{"http://slashdot.org/", "[/.]"},
		{"http://www.osnews.com/", "[osnews]"},
		{"http://www.zdnet.fr/", "[zdnet]"},
		{"http://www.ruby-lang.org/", "[ruby]"},
		{"http://example.org/goomi/unspeakable", "[Fhtagn!]"},
		{"http://prout.free.fr/flop/quiz", "[prout@free]"},
		// The reference's examples.
		{"http://perdu.com", "[url]"},
		{"https://www.youtube.com/watch?v=DsJK9sYRUWc", "[youtube]"},
		{"http://prout.free.fr", "[prout@free]"},
		{"http://linuxfr.org/", "[Dlfp]"},
		{"https://www.foobar.com/google-is-down/", "[google]"},
		{"gopher://gopher.floodgap.com/", "[gopher]"},
		{"ftp://a.b/c", "[ftp]"},
		{"https://a.b/c", "[https]"},
		// Faithful quirks: '.' is any character, the first rule wins,
		// the free.fr capture is greedy, rule 3 is anchored at the end.
		{"http://x.com/xtarygz", "[tgz]"},
		{"http://www.youtube.com/f.pdf", "[pdf]"},
		{"http://a.free.fr/b.free.fr", "[a.free.fr/b@free]"},
		{"http://x.com/f.zip?dl=1", "[url]"},
		{"http://fr.wikipedia.org/wiki/", "[@wikipedia]"},
		// Free labels come from http:// only; wiki matches anywhere.
		{"https://prout.free.fr/", "[https]"},
		{"https://a.b/?q=wikipedia", "[wiki]"},
	}
	r := newTestRenderer(t, Options{})
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			want := `<a href="` + tt.url + `">` + tt.want + `</a>`
			if got := r.Render(tt.url).Remote; got != want {
				t.Errorf("got %s, want %s", got, want)
			}
			scheme, _, _ := strings.Cut(tt.url, "://")
			if fast, slow := r.labels.label(scheme, tt.url), r.labels.labelSlow(scheme, tt.url); fast != slow {
				t.Errorf("pre-checked label %q differs from plain %q", fast, slow)
			}
		})
	}
	if n := len(DefaultLabels()); n != 31 {
		t.Errorf("DefaultLabels has %d rules, want 31", n)
	}
}

// TestRequiredLiterals checks the pre-check derived from each default
// pattern, which is what keeps the label look-up cheap.
func TestRequiredLiterals(t *testing.T) {
	l, err := newLabeler(DefaultLabels())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][][]string{
		`.tar.gz`:             {{"tar"}, {"gz"}},
		`.(zip|rpm|deb|tgz)$`: {{"zip", "rpm", "deb", "tgz"}},
		`http://(.*).free.fr`: {{"http://"}, {"free"}, {"fr"}},
		`wiki`:                {{"wiki"}},
	}
	for _, r := range l.rules {
		if w, ok := want[r.re.String()]; ok && !reflect.DeepEqual(r.need, w) {
			t.Errorf("need(%s) = %q, want %q", r.re, r.need, w)
		}
		if len(r.need) == 0 {
			t.Errorf("pattern %s has no pre-check", r.re)
		}
	}
	// A pattern the analysis cannot reduce needs nothing (sound, not
	// complete).
	l, err = newLabeler([]LabelRule{{`(?i)foo|b+x`, "x"}, {`(ab)+c{2,}`, "y"}})
	if err != nil {
		t.Fatal(err)
	}
	if l.rules[0].need != nil {
		t.Errorf("need = %q, want none", l.rules[0].need)
	}
	if got, want := l.label("http", "http://xABx"), "x"; got != want {
		t.Errorf("label = %q, want %q", got, want)
	}
	if got, want := l.label("http", "http://ababcc"), "y"; got != want {
		t.Errorf("label = %q, want %q", got, want)
	}
}

func TestTruncatedURL(t *testing.T) {
	long := "http://perdu.com/lorem/ipsum/salace/nec/vergiture/foo/bar/ping/pong/plop/plip/plap/plup/this/is/a/very/long/url/"
	tests := []struct {
		url, scheme, want string
	}{
		// test_truncate_link (§13.3).
		{"http://perdu.com", "http", "perdu.com"},
		{"gopher://perdu.com", "gopher", "perdu.com"},
		{long, "http", "perdu.com/lorem/ipsum/salace/nec/vergiture/foo/bar/ping/pong/plop/plip/plap/plup/this/is/a/very/l..."},
		// test_show_truncated_url (§13.1), with the real Django 1.4 output.
		{"http://example.com/" + strings.Repeat("a", 200) + "/b/", "http", "example.com/" + strings.Repeat("a", 85) + "..."},
		// Exactly 100 characters are kept whole; characters, not bytes.
		{"http://" + strings.Repeat("é", 100), "http", strings.Repeat("é", 100)},
		{"http://" + strings.Repeat("é", 101), "http", strings.Repeat("é", 97) + "..."},
		// Combining marks do not count.
		{"http://" + strings.Repeat("e\u0301", 100), "http", strings.Repeat("e\u0301", 100)},
		// Only the leading scheme is removed.
		{"http://a.b/?u=http://c.d", "http", "a.b/?u=http://c.d"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := truncateLabel(tt.url, tt.scheme); got != tt.want {
				t.Errorf("truncateLabel = %q, want %q", got, tt.want)
			}
		})
	}
	r := newTestRenderer(t, Options{TruncatedURL: true})
	got := r.Render("voir http://a.b/<x>&y et (https://c.d)").Web
	want := `voir <a href="http://a.b/&#60;x&#62;&#38;y"` + ext + `>a.b/&#60;x&#62;&#38;y</a> et (<a href="https://c.d"` + ext + `>c.d</a>)`
	if got != want {
		t.Errorf("truncated render\n got: %s\nwant: %s", got, want)
	}
}

func TestParseLabels(t *testing.T) {
	file := "# my labels\n\n   \n" +
		"\\.pdf$\tPDF\r\n" +
		"  # indented comment\n" +
		"wiki/(?P<title>[^/]+)\t${title} sur le wiki\n" +
		"\\#frag\tfragment\n" +
		"cost\t100$$\n" +
		"spaces\t pas cliquer! \n"
	rules, err := ParseLabels(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	want := []LabelRule{
		{`\.pdf$`, "PDF"},
		{`wiki/(?P<title>[^/]+)`, "${title} sur le wiki"},
		{`\#frag`, "fragment"},
		{`cost`, "100$$"},
		{`spaces`, " pas cliquer! "},
	}
	if !reflect.DeepEqual(rules, want) {
		t.Fatalf("rules = %q, want %q", rules, want)
	}
	r := newTestRenderer(t, Options{Labels: rules})
	tests := []struct{ url, want string }{
		{"http://a.b/x.pdf", "[PDF]"},
		{"http://a.b/x.pdf?y", "[url]"},
		{"http://a.b/wiki/Plop%20plop/x", "[Plop plop sur le wiki]"},
		{"http://a.b/#frag", "[fragment]"},
		{"http://a.b/cost", "[100$$]"}, // no capture group: the label is literal
		{"http://a.b/spaces", "[ pas cliquer! ]"},
		{"https://www.youtube.com/", "[https]"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			want := `<a href="` + tt.url + `">` + tt.want + `</a>`
			if got := r.Render(tt.url).Remote; got != want {
				t.Errorf("got %s, want %s", got, want)
			}
		})
	}

	empty, err := ParseLabels(strings.NewReader("# nothing\n"))
	if err != nil || empty == nil || len(empty) != 0 {
		t.Errorf("ParseLabels(comments only) = %v, %v; want an empty table", empty, err)
	}
	r = newTestRenderer(t, Options{Labels: empty})
	if got := r.Render("http://www.youtube.com/").Remote; got != `<a href="http://www.youtube.com/">[url]</a>` {
		t.Errorf("empty table: %s", got)
	}
}

func TestParseLabelsErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"no tab", "a\tb\nfoo bar\n", "line 2: no TAB"},
		{"bad regexp", "# c\n\n(unclosed\tx\n", `line 3: bad pattern "(unclosed"`},
		{"empty pattern", "\tx\n", "line 1: empty pattern"},
		{"empty label", "a\t\n", "line 1: empty label"},
		{"control in label", "a\tx\x01y\n", "line 1: label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseLabels(strings.NewReader(tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := NewRenderer(Options{Labels: []LabelRule{{"a(", "x"}}}); err == nil {
		t.Error("NewRenderer accepted a bad pattern")
	}
	for _, su := range []string{"javascript:alert({0})", "totoz.eu/{0}", "http://a b/{0}", "http://a/\n{0}"} {
		if _, err := NewRenderer(Options{SmileysURL: su}); err == nil {
			t.Errorf("NewRenderer accepted SmileysURL %q", su)
		}
	}
	if _, err := NewRenderer(Options{SmileysURL: "/static/totoz/{0}.gif"}); err != nil {
		t.Errorf("NewRenderer refused a site-relative SmileysURL: %v", err)
	}
}

func TestSanitize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "plop é ¹ 😀", "plop é ¹ 😀"},
		{"crlf", "a\r\nb", "a b"},
		{"cr", "a\rb", "a b"},
		{"lf", "a\nb", "a b"},
		{"lf cr", "a\n\rb", "a  b"},
		{"crlf crlf", "a\r\n\r\nb", "a  b"},
		{"tab", "a\tb", "a b"},
		{"vt ff", "a\vb\fc", "a b c"},
		{"nel ls ps", "a\u0085b\u2028c\u2029d", "a b c d"},
		{"c0", "a\x00\x01\x1b[31mb\x1f", "a[31mb"},
		{"del", "a\x7fb", "ab"},
		{"c1", "a\u0080\u009fb", "ab"},
		{"noncharacters", "a\uFFFE\uFFFF\uFDD0\uFDEF\U0001FFFE\U0010FFFFb", "ab"},
		{"near noncharacters", "\uFDCF\uFDF0\uFFFD\U0001FFFD", "\uFDCF\uFDF0\uFFFD\U0001FFFD"},
		{"invalid bytes", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"truncated sequence", "\xe2\x82", "\uFFFD\uFFFD"},
		{"surrogate", "\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"},
		{"overlong", "\xc0\xaf", "\uFFFD\uFFFD"},
		{"bom kept", "\uFEFFa", "\uFEFFa"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in)
			if got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Sanitize(got); again != got {
				t.Errorf("Sanitize is not idempotent: %q then %q", got, again)
			}
		})
	}
	if n := testing.AllocsPerRun(100, func() { Sanitize("nothing to change here, é ¹") }); n != 0 {
		t.Errorf("Sanitize allocates %v times on clean text", n)
	}
}
