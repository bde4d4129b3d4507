package markup

import (
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// The seed corpora live in testdata/fuzz/FuzzRender and
// testdata/fuzz/FuzzClock (reference examples plus crashers kept from
// fuzzing runs).

func FuzzRender(f *testing.F) {
	f.Add("13:42:12² Un post http://perdu.com <b>complet</b> [:lol] et <u>correct</u> 12:12 http://yahoo.fr/actus [:rofl]")
	f.Add("<code><code><div/></code></code> <m>a<m>b</m>c</m> (http://a.b/\"q\") [:a b:2]")
	r := newTestRenderer(f, Options{})
	rt := newTestRenderer(f, Options{TruncatedURL: true})
	f.Fuzz(func(t *testing.T, raw string) {
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
		if err := checkWeb(res.Web); err != nil {
			t.Fatalf("web render of %q: %v\n%s", raw, err, res.Web)
		}
		checkFound(t, r, res)
		checkSizes(t, r, res)

		// Rendering the stored (sanitized) text gives the same result.
		if again := r.Render(res.Text); !reflect.DeepEqual(again, res) {
			t.Fatalf("Render(Text) differs from Render(raw) for %q", raw)
		}

		// Truncated labels are raw URL text: still escaped, still XML.
		tres := rt.Render(raw)
		if err := checkRemote(tres.Remote); err != nil {
			t.Fatalf("truncated remote render of %q: %v\n%s", raw, err, tres.Remote)
		}
		if err := checkWeb(tres.Web); err != nil {
			t.Fatalf("truncated web render of %q: %v\n%s", raw, err, tres.Web)
		}
	})
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

// checkRemote parses the remote render inside <message> with a strict
// XML decoder: only b i s u tt code and a[href] may appear.
func checkRemote(remote string) error {
	return walkXML("<message>"+remote+"</message>", func(e xml.StartElement, depth int) error {
		if depth == 0 {
			return nil
		}
		switch e.Name.Local {
		case "b", "i", "s", "u", "tt", "code":
			if len(e.Attr) != 0 {
				return errors.New("attribute on " + e.Name.Local)
			}
		case "a":
			if len(e.Attr) != 1 || e.Attr[0].Name.Local != "href" || !hasScheme(e.Attr[0].Value) {
				return errors.New("bad link attributes")
			}
		default:
			return errors.New("element " + e.Name.Local)
		}
		return nil
	})
}

// checkWeb does the same for the web render, whose whitelist adds
// span.pointer, a.external and a.smiley, with only href, class and rel.
func checkWeb(web string) error {
	return walkXML("<div>"+web+"</div>", func(e xml.StartElement, depth int) error {
		if depth == 0 {
			return nil
		}
		attrs := map[string]string{}
		for _, a := range e.Attr {
			if a.Name.Space != "" {
				return errors.New("namespaced attribute")
			}
			attrs[a.Name.Local] = a.Value
		}
		want := map[string]string{}
		switch e.Name.Local {
		case "b", "i", "s", "u", "tt", "code":
		case "span":
			want["class"] = "pointer"
		case "a":
			href := attrs["href"]
			switch attrs["class"] {
			case "external":
				if !hasScheme(href) {
					return errors.New("external link to " + href)
				}
				want = map[string]string{"href": href, "class": "external", "rel": "nofollow"}
			case "smiley":
				if !strings.HasPrefix(href, "http://totoz.eu/") || strings.ContainsAny(href, " \"<>") {
					return errors.New("smiley link to " + href)
				}
				want = map[string]string{"href": href, "class": "smiley", "rel": "nofollow"}
			default:
				return errors.New("link without a known class")
			}
		default:
			return errors.New("element " + e.Name.Local)
		}
		if !reflect.DeepEqual(attrs, want) {
			return errors.New("bad attributes on " + e.Name.Local)
		}
		return nil
	})
}

// walkXML decodes doc strictly, token by token, calling check on each
// start element with its depth (0 for the root).
func walkXML(doc string, check func(xml.StartElement, int) error) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth != 0 {
				return errors.New("unclosed element")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if err := check(tok, depth); err != nil {
				return err
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if !utf8.Valid(tok) {
				return errors.New("character data is not UTF-8")
			}
		default:
			return errors.New("unexpected XML token")
		}
	}
}

func FuzzClock(f *testing.F) {
	f.Add("12:00:00²³⁴ 2008/28/03#21:42:42 12:34:56^2@dlfp")
	f.Add("2024-01-31 12:34:56 01/31#12:34:56 120000:3")
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
