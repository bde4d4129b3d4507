package markup

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"strings"
	"testing"
	"unicode/utf8"
)

// The checkers below are what the fuzz targets assert on every render.
// TestCheckers keeps them honest: a checker that silently accepted too
// much would let the fuzzing pass on anything.

// checkRemote parses the remote render inside <message> with a strict
// XML decoder: only b i s u tt code without attributes, and a with exactly
// one href to an allowed scheme and only text inside.
func checkRemote(remote string) error {
	return walkXML("message", remote, func(e xml.StartElement, attrs map[string]string) error {
		switch e.Name.Local {
		case "b", "i", "s", "u", "tt", "code":
			return wantAttrs(e, attrs, nil)
		case "a":
			if !isLinkHref(attrs["href"]) {
				return errors.New("link to " + attrs["href"])
			}
			return wantAttrs(e, attrs, map[string]string{"href": attrs["href"]})
		}
		return errors.New("element " + e.Name.Local)
	})
}

// checkWeb does the same for the web render, whose whitelist adds
// span.pointer, a.external and a.smiley, with only href, class and rel.
// A smiley's href must start with smileyPrefix, the part of the
// SmileysURL template before its first {0}.
func checkWeb(web, smileyPrefix string) error {
	return walkXML("div", web, func(e xml.StartElement, attrs map[string]string) error {
		switch e.Name.Local {
		case "b", "i", "s", "u", "tt", "code":
			return wantAttrs(e, attrs, nil)
		case "span":
			return wantAttrs(e, attrs, map[string]string{"class": "pointer"})
		case "a":
			href := attrs["href"]
			switch attrs["class"] {
			case "external":
				if !isLinkHref(href) {
					return errors.New("external link to " + href)
				}
			case "smiley":
				if !strings.HasPrefix(href, smileyPrefix) || strings.ContainsAny(href, " \"<>") {
					return errors.New("smiley link to " + href)
				}
			default:
				return errors.New("link without a known class")
			}
			return wantAttrs(e, attrs, map[string]string{"href": href, "class": attrs["class"], "rel": "nofollow"})
		}
		return errors.New("element " + e.Name.Local)
	})
}

// isLinkHref reports whether href is a link the renderer can write: one of
// the schemes, no space.
func isLinkHref(href string) bool {
	return hasScheme(href) && !strings.Contains(href, " ")
}

// wantAttrs checks that e has exactly the attributes of want.
func wantAttrs(e xml.StartElement, attrs, want map[string]string) error {
	if !maps.Equal(attrs, want) {
		return fmt.Errorf("attributes %q on %s, want %q", attrs, e.Name.Local, want)
	}
	return nil
}

// walkXML decodes <root>fragment</root> strictly, token by token, and calls
// check on each element of the fragment with its attributes by name. It
// refuses what encoding/xml lets through but a whitelist must not: a
// namespace on an element or attribute (<x:b>, xlink:href, xmlns), a
// repeated attribute, an element inside a or span (links, clocks and
// totoz hold only text), and anything after the root is closed (a
// fragment that closes the root could open a second, unchecked one).
func walkXML(root, fragment string, check func(xml.StartElement, map[string]string) error) error {
	d := xml.NewDecoder(strings.NewReader("<" + root + ">" + fragment + "</" + root + ">"))
	d.Strict = true
	var open []string
	started := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if !started || len(open) != 0 {
				return errors.New("unclosed element")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if started && len(open) == 0 {
			return fmt.Errorf("%T after the root element", tok)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if !started {
				started = true
				open = append(open, root)
				continue
			}
			if parent := open[len(open)-1]; parent == "a" || parent == "span" {
				return errors.New("element inside " + parent)
			}
			attrs, err := attrsOf(tok)
			if err != nil {
				return err
			}
			if err := check(tok, attrs); err != nil {
				return err
			}
			open = append(open, tok.Name.Local)
		case xml.EndElement:
			open = open[:len(open)-1]
		case xml.CharData:
			if !utf8.Valid(tok) {
				return errors.New("character data is not UTF-8")
			}
		default:
			return fmt.Errorf("unexpected XML token %T", tok)
		}
	}
}

// attrsOf returns e's attributes by name, refusing a namespaced element
// or attribute and a repeated attribute.
func attrsOf(e xml.StartElement) (map[string]string, error) {
	if e.Name.Space != "" {
		return nil, fmt.Errorf("namespaced element %s:%s", e.Name.Space, e.Name.Local)
	}
	attrs := make(map[string]string, len(e.Attr))
	for _, a := range e.Attr {
		if a.Name.Space != "" {
			return nil, fmt.Errorf("namespaced attribute %s:%s on %s", a.Name.Space, a.Name.Local, e.Name.Local)
		}
		if _, dup := attrs[a.Name.Local]; dup {
			return nil, fmt.Errorf("repeated attribute %s on %s", a.Name.Local, e.Name.Local)
		}
		attrs[a.Name.Local] = a.Value
	}
	return attrs, nil
}

// stripWeb undoes in a web render the three differences §6.7 allows with
// the remote render, checking each: a clock span around exactly a clock,
// a smiley link around exactly a totoz and pointing at its image, and the
// class and rel attributes of an external link. The result must be the
// remote render. Attribute values and text are escaped, so '<' and '>'
// occur only in tags.
func stripWeb(web, smileyFormat string) (string, error) {
	const (
		spanOpen   = `<span class="pointer">`
		smileyOpen = `<a class="smiley" href="`
		smileyMid  = `" rel="nofollow">`
		linkOpen   = `<a href="`
		linkAttrs  = `" class="external" rel="nofollow">`
	)
	var b strings.Builder
	for {
		i := strings.IndexByte(web, '<')
		if i < 0 {
			b.WriteString(web)
			return b.String(), nil
		}
		b.WriteString(web[:i])
		web = web[i:]
		switch {
		case strings.HasPrefix(web, spanOpen):
			body, rest, ok := strings.Cut(web[len(spanOpen):], "</span>")
			if _, isClock := ParseClock(body); !ok || !isClock {
				return b.String(), fmt.Errorf("span around %q", body)
			}
			b.WriteString(body)
			web = rest
		case strings.HasPrefix(web, smileyOpen):
			href, rest, ok1 := strings.Cut(web[len(smileyOpen):], smileyMid)
			body, rest, ok2 := strings.Cut(rest, "</a>")
			if !ok1 || !ok2 || matchTotoz(body, 0) != len(body) {
				return b.String(), fmt.Errorf("smiley around %q", body)
			}
			name := body[2 : len(body)-1] // [:name:N] shows the image name:N (§6.5)
			want := strings.ReplaceAll(smileyFormat, "{0}", strings.ReplaceAll(name, " ", "%20"))
			if href != xmlEscaper.Replace(want) {
				return b.String(), fmt.Errorf("smiley %q points at %q, want %q", body, href, want)
			}
			b.WriteString(body)
			web = rest
		case strings.HasPrefix(web, linkOpen):
			tag, rest, _ := strings.Cut(web, ">")
			tag += ">"
			if !strings.HasSuffix(tag, linkAttrs) {
				return b.String(), fmt.Errorf("link tag %q", tag)
			}
			b.WriteString(strings.TrimSuffix(tag, linkAttrs) + `">`)
			web = rest
		default:
			tag, rest, _ := strings.Cut(web, ">")
			b.WriteString(tag + ">")
			web = rest
		}
	}
}

// xmlEscaper is the renders' escaping, written independently of
// escapeText.
var xmlEscaper = strings.NewReplacer("&", "&#38;", "<", "&#60;", ">", "&#62;", `"`, "&#34;")

// TestCheckers feeds the checkers hand-written fragments: the bad ones
// must be refused, the good ones accepted.
func TestCheckers(t *testing.T) {
	const totoz = "http://totoz.eu/"
	badRemote := []string{
		`<x:b>t</x:b>`,
		`<b xmlns="http://www.w3.org/1999/xhtml">t</b>`,
		`<b xmlns:x="urn:x">t</b>`,
		`<b class="x">t</b>`,
		`<a xlink:href="http://a">t</a>`,
		`<a href="http://a" href="http://b">t</a>`,
		`<a href="http://a" x:href="http://b">t</a>`,
		`<a href="http://a" title="x">t</a>`,
		`<a>t</a>`,
		`<a href="javascript:x">t</a>`,
		`<a href="http://a b">t</a>`,
		`<a href="http://a"><b>t</b></a>`,
		`<span class="pointer">12:00</span>`,
		`<div>t</div>`,
		`</message><script>x</script><message>`,
		`</message>x<message>`,
		`<b>t`,
		`t</b>`,
		`&nbsp;`,
		`a<b`,
		`<!-- c -->`,
		`<?x y?>`,
	}
	goodRemote := []string{
		``,
		`plain &#38; text "quoted" &#60;b&#62;`,
		`<b>b</b><i>i</i><s>s</s><u>u</u><tt>tt</tt><code>c</code>`,
		`<b><i>x<code>y</code></i></b>`,
		`<a href="http://a.b/?x=1&#38;y=&#34;">[url]</a>`,
		`<a href="git+ssh://h/r">[git+ssh]</a>`,
	}
	badWeb := []string{
		`<x:span class="pointer">t</x:span>`,
		`<span class="pointer" x:class="pointer">t</span>`,
		`<span class="pointer" class="pointer">t</span>`,
		`<span class="x">t</span>`,
		`<span>t</span>`,
		`<span class="pointer" xmlns="urn:x">t</span>`,
		`<span class="pointer"><b>t</b></span>`,
		`<a href="javascript:x" href="http://a" class="external" rel="nofollow">t</a>`,
		`<a href="http://a" class="external" rel="nofollow" x:onclick="y">t</a>`,
		`<a href="http://a" class="external" rel="nofollow" onclick="y">t</a>`,
		`<a href="http://a" class="external">t</a>`,
		`<a href="http://a" class="external" rel="noopener">t</a>`,
		`<a href="http://a" class="other" rel="nofollow">t</a>`,
		`<a href="http://a" rel="nofollow">t</a>`,
		`<a href="data:x" class="external" rel="nofollow">t</a>`,
		`<a href="http://a" class="external" rel="nofollow"><span class="pointer">12:00</span></a>`,
		`<a class="smiley" href="http://evil.example/x.gif" rel="nofollow">[:x]</a>`,
		`<a class="smiley" href="http://totoz.eu/x.gif" rel="nofollow" class="smiley">[:x]</a>`,
		`<a class="smiley" href="http://totoz.eu/a b.gif" rel="nofollow">[:a b]</a>`,
		`<x:b>t</x:b>`,
		`<script>x</script>`,
		`</div><script>x</script><div>`,
	}
	goodWeb := []string{
		``,
		`<b>b</b><i>i</i><s>s</s><u>u</u><tt>tt</tt><code>c</code>`,
		`<span class="pointer">12:00</span>`,
		`<a href="http://a" class="external" rel="nofollow">[url]</a>`,
		`<a class="smiley" href="http://totoz.eu/x.gif" rel="nofollow">[:x]</a>`,
		`<b><a class="smiley" href="http://totoz.eu/a%20b.gif" rel="nofollow">[:a b]</a></b>`,
	}
	for _, s := range badRemote {
		if err := checkRemote(s); err == nil {
			t.Errorf("checkRemote accepted %s", s)
		}
	}
	for _, s := range goodRemote {
		if err := checkRemote(s); err != nil {
			t.Errorf("checkRemote refused %s: %v", s, err)
		}
	}
	for _, s := range badWeb {
		if err := checkWeb(s, totoz); err == nil {
			t.Errorf("checkWeb accepted %s", s)
		}
	}
	for _, s := range goodWeb {
		if err := checkWeb(s, totoz); err != nil {
			t.Errorf("checkWeb refused %s: %v", s, err)
		}
	}
	// The smiley prefix comes from the options.
	local := `<a class="smiley" href="/totoz/x.gif" rel="nofollow">[:x]</a>`
	if err := checkWeb(local, "/totoz/"); err != nil {
		t.Errorf("checkWeb refused %s with its prefix: %v", local, err)
	}
	if err := checkWeb(local, totoz); err == nil {
		t.Errorf("checkWeb accepted %s with prefix %s", local, totoz)
	}
	// Real renders pass, with the default and with operator options.
	raw := "12:00:00² <b>x</b> http://a.example/p&<q> [:a b] [:t:2] <code>[:c]</code> (https://b/)"
	for _, opts := range []Options{{}, operatorOptions(t)} {
		res := newTestRenderer(t, opts).Render(raw)
		format := cmp.Or(opts.SmileysURL, DefaultSmileysURL)
		prefix, _, _ := strings.Cut(format, "{0}")
		if err := checkRemote(res.Remote); err != nil {
			t.Errorf("checkRemote refused %s: %v", res.Remote, err)
		}
		if err := checkWeb(res.Web, prefix); err != nil {
			t.Errorf("checkWeb refused %s: %v", res.Web, err)
		}
		if got, err := stripWeb(res.Web, format); err != nil || got != res.Remote {
			t.Errorf("stripWeb(%s) = %s, %v; want %s", res.Web, got, err, res.Remote)
		}
	}
}

// TestStripWeb checks that stripWeb refuses a web render that differs
// from the remote one in any other way than §6.7's three.
func TestStripWeb(t *testing.T) {
	const ext = ` class="external" rel="nofollow"`
	bad := []string{
		`<span class="pointer">plop</span>`,                                          // not a clock
		`<span class="pointer">12:00`,                                                // unclosed
		`<a class="smiley" href="http://totoz.eu/y.gif" rel="nofollow">[:x]</a>`,     // wrong image
		`<a class="smiley" href="http://totoz.eu/a b.gif" rel="nofollow">[:a b]</a>`, // raw space
		`<a class="smiley" href="http://totoz.eu/x.gif" rel="nofollow">x</a>`,        // not a totoz
		`<a href="http://a">[url]</a>`,                                               // no web attributes
		`<a href="http://a" class="external">[url]</a>`,
	}
	for _, web := range bad {
		if got, err := stripWeb(web, DefaultSmileysURL); err == nil {
			t.Errorf("stripWeb(%s) = %s, want an error", web, got)
		}
	}
	web := `<b><span class="pointer">12:00:00²</span></b> <a href="http://a?b&#38;c"` + ext + `>[url]</a> ` +
		`<a class="smiley" href="/t/a%20b.gif?n=a%20b&#38;v" rel="nofollow">[:a b]</a>`
	want := `<b>12:00:00²</b> <a href="http://a?b&#38;c">[url]</a> [:a b]`
	if got, err := stripWeb(web, "/t/{0}.gif?n={0}&v"); err != nil || got != want {
		t.Errorf("stripWeb = %s, %v; want %s", got, err, want)
	}
}
