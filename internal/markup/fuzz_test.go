package markup

import (
	"cmp"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// The seed corpora live in testdata/fuzz/FuzzRender and
// testdata/fuzz/FuzzClock (reference examples plus crashers kept from
// fuzzing runs).

func FuzzRender(f *testing.F) {
	f.Add("13:42:12² Un post http://perdu.com <b>complet</b> [:lol] et <u>correct</u> 12:12 http://yahoo.fr/actus [:rofl]")
	f.Add("<code><code><div/></code></code> <m>a<m>b</m>c</m> (http://a.b/\"q\") [:a b:2]")
	f.Add("http://a.example/x&<y> https://b.example/ab http://c.free.fr/ [:x y] 2024-02-29T12:00:00")
	renderers := []fuzzRenderer{
		newFuzzRenderer(f, Options{}),
		newFuzzRenderer(f, Options{TruncatedURL: true}),
		newFuzzRenderer(f, operatorOptions(f)),
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, fr := range renderers {
			checkRender(t, fr, raw)
		}
	})
}

// fuzzRenderer is a renderer and the SmileysURL template it was built
// with, which the checks need to know where a smiley may point.
type fuzzRenderer struct {
	r            *Renderer
	smileyFormat string
}

func newFuzzRenderer(t testing.TB, opts Options) fuzzRenderer {
	return fuzzRenderer{newTestRenderer(t, opts), cmp.Or(opts.SmileysURL, DefaultSmileysURL)}
}

// operatorOptions are non-default options as an operator could set them:
// a site-relative SmileysURL with {0} twice and a '&', and a label table
// read by ParseLabels whose labels hold characters to escape.
func operatorOptions(t testing.TB) Options {
	rules, err := ParseLabels(strings.NewReader("# operator table\n" +
		"\\.example/(?P<page>[^/?]*)\t${page} & <co> \"@ex\"\n" +
		"^https://(a)?(b)?\t$2$1 secure\n" +
		"(?i)FREE\tlibre $$1\n" +
		"[0-9]{3,}\tnumbers\n"))
	if err != nil {
		t.Fatalf("ParseLabels: %v", err)
	}
	return Options{SmileysURL: "/totoz/{0}.gif?name={0}&v=2", Labels: rules}
}

// checkRender checks every invariant of one render of raw.
func checkRender(t *testing.T, fr fuzzRenderer, raw string) {
	t.Helper()
	r := fr.r
	res := r.Render(raw)
	checkText(t, raw, res.Text)
	for name, out := range map[string]string{"web": res.Web, "remote": res.Remote} {
		if !utf8.ValidString(out) {
			t.Fatalf("%s render is not valid UTF-8: %q", name, out)
		}
	}
	if err := checkRemote(res.Remote); err != nil {
		t.Fatalf("remote render of %q: %v\n%s", raw, err, res.Remote)
	}
	prefix, _, _ := strings.Cut(fr.smileyFormat, "{0}")
	if err := checkWeb(res.Web, prefix); err != nil {
		t.Fatalf("web render of %q: %v\n%s", raw, err, res.Web)
	}
	if stripped, err := stripWeb(res.Web, fr.smileyFormat); err != nil || stripped != res.Remote {
		t.Fatalf("web render of %q differs from the remote one beyond §6.7 (%v)\n   web: %s\nremote: %s\nstripped: %s",
			raw, err, res.Web, res.Remote, stripped)
	}
	checkFound(t, r, res)
	checkSizes(t, r, res)
	// Rendering the stored (sanitized) text gives the same result.
	if again := r.Render(res.Text); !reflect.DeepEqual(again, res) {
		t.Fatalf("Render(Text) differs from Render(raw) for %q", raw)
	}
}

// checkSizes checks that the builders' pre-sizing is an upper bound of
// what is written, so a render never grows its buffers.
func checkSizes(t *testing.T, r *Renderer, res Result) {
	t.Helper()
	p := parser{r: r, tz: tokenizer{s: res.Text}}
	p.run()
	n := escapedLen(res.Text)
	if n+p.webExtra < len(res.Web) || n+p.remoteExtra < len(res.Remote) {
		t.Fatalf("size estimates %d/%d below the renders %d/%d of %q",
			n+p.webExtra, n+p.remoteExtra, len(res.Web), len(res.Remote), res.Text)
	}
}

// checkText checks the sanitized text: idempotent, valid UTF-8, one line,
// XML 1.0 characters only.
func checkText(t *testing.T, raw, text string) {
	t.Helper()
	if text != Sanitize(raw) || Sanitize(text) != text {
		t.Fatalf("Text %q is not the fixed point of Sanitize(%q)", text, raw)
	}
	if !utf8.ValidString(text) {
		t.Fatalf("Text %q is not valid UTF-8", text)
	}
	for _, c := range text {
		if c < 0x20 || c >= 0x7F && c <= 0x9F || c == 0x2028 || c == 0x2029 ||
			c >= 0xFDD0 && c <= 0xFDEF || c&0xFFFE == 0xFFFE {
			t.Fatalf("Text %q holds %U", text, c)
		}
	}
}

// checkFound checks the clocks, URLs and totoz of a result.
func checkFound(t *testing.T, r *Renderer, res Result) {
	t.Helper()
	end := 0
	for _, c := range res.Clocks {
		if c.Start < end || c.End <= c.Start || c.End > len(res.Text) || res.Text[c.Start:c.End] != c.Text {
			t.Fatalf("clock %+v: bad span in %q", c, res.Text)
		}
		end = c.End
		checkClock(t, c)
	}
	// URLs and totoz appear in the text in order: search each from the
	// end of the previous one, which keeps the check linear.
	pos := 0
	for _, u := range res.URLs {
		i := strings.Index(res.Text[pos:], u)
		if i < 0 || strings.Contains(u, " ") || !hasScheme(u) {
			t.Fatalf("URL %q: not a spaceless link of %q", u, res.Text)
		}
		pos += i + len(u)
		scheme, _, _ := strings.Cut(u, "://")
		if fast, slow := r.labels.label(scheme, u), r.labels.labelSlow(scheme, u); fast != slow {
			t.Fatalf("label of %q: pre-checked %q, plain %q", u, fast, slow)
		}
	}
	pos = 0
	for _, name := range res.Totoz {
		totoz := "[:" + name + "]"
		i := strings.Index(res.Text[pos:], totoz)
		if i < 0 || matchTotoz(totoz, 0) != len(totoz) {
			t.Fatalf("totoz %q: not a totoz of %q", name, res.Text)
		}
		pos += i + len(totoz)
	}
}

func hasScheme(u string) bool {
	for _, s := range schemes {
		if strings.HasPrefix(u, s) {
			return true
		}
	}
	return false
}

func FuzzClock(f *testing.F) {
	f.Add("12:00:00²³⁴ 2008/28/03#21:42:42 12:34:56^2@dlfp")
	f.Add("2024-01-31 12:34:56 01/31#12:34:56 120000:3")
	f.Add("2023/02/29#12:00:00 04/31#12:34:56 2024-02-29T12:00:00 0000/01/31#12:34:56 02/29#00:00:00")
	f.Fuzz(func(t *testing.T, s string) {
		end := 0
		for _, c := range FindClocks(s) {
			if c.Start < end || c.End <= c.Start || c.End > len(s) || s[c.Start:c.End] != c.Text {
				t.Fatalf("clock %+v: bad span in %q", c, s)
			}
			end = c.End
			if c.Start > 0 && isDigit(s[c.Start-1]) {
				t.Fatalf("clock %+v preceded by a digit in %q", c, s)
			}
			if c.Bouchot == "" && c.End < len(s) && (isDigit(s[c.End]) || s[c.End] == ':' || s[c.End] == '@') {
				t.Fatalf("clock %+v followed by %q in %q", c, s[c.End], s)
			}
			checkClock(t, c)
		}
		if c, ok := ParseClock(s); ok {
			found := FindClocks(s)
			if len(found) != 1 || found[0] != c {
				t.Fatalf("ParseClock(%q) = %+v but FindClocks = %+v", s, c, found)
			}
		}
	})
}

// checkClock checks a clock's fields and that ParseClock reads its text
// back to the same clock.
func checkClock(t *testing.T, c Clock) {
	t.Helper()
	if c.Hour < 0 || c.Hour > 23 || c.Minute < 0 || c.Minute > 59 || c.Second < 0 || c.Second > 59 ||
		c.Index < 0 || c.Index > 99 || c.Month < 0 || c.Month > 12 || c.Day < 0 || c.Day > 31 ||
		c.Year < 0 || c.Year > 9999 || (c.Month == 0) != (c.Day == 0) || c.Year != 0 && c.Month == 0 ||
		!c.HasSeconds && (c.Second != 0 || c.Index != 0 || c.Month != 0) {
		t.Fatalf("clock %+v: fields out of range", c)
	}
	// The date exists (a year-less one in some year: 2000 was a leap one).
	if year := cmp.Or(c.Year, 2000); c.Month != 0 && time.Date(year, time.Month(c.Month), c.Day, 0, 0, 0, 0, time.UTC).Day() != c.Day {
		t.Fatalf("clock %+v: the date does not exist", c)
	}
	if !utf8.ValidString(c.Text) {
		t.Fatalf("clock %+v: text is not UTF-8", c)
	}
	for i := range len(c.Bouchot) {
		if !isBouchotChar(c.Bouchot[i]) {
			t.Fatalf("clock %+v: bad bouchot", c)
		}
	}
	if tm := c.Time(); len(tm) != 8 || tm[2] != ':' || tm[5] != ':' {
		t.Fatalf("clock %+v: Time() = %q", c, tm)
	}
	back, ok := ParseClock(c.Text)
	want := c
	want.Start, want.End = 0, len(c.Text)
	if !ok || back != want {
		t.Fatalf("ParseClock(%q) = %+v, %v; want %+v", c.Text, back, ok, want)
	}
}
