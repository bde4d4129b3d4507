package markup

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func newTestRenderer(t testing.TB, opts Options) *Renderer {
	t.Helper()
	r, err := NewRenderer(opts)
	if err != nil {
		t.Fatalf("NewRenderer: %v", err)
	}
	return r
}

type renderCase struct {
	name   string
	raw    string
	remote string
	web    string // "" means the same as remote
}

func runRenderCases(t *testing.T, r *Renderer, tests []renderCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := r.Render(tt.raw)
			if res.Remote != tt.remote {
				t.Errorf("remote render of %q\n got: %s\nwant: %s", tt.raw, res.Remote, tt.remote)
			}
			web := tt.web
			if web == "" {
				web = tt.remote
			}
			if res.Web != web {
				t.Errorf("web render of %q\n got: %s\nwant: %s", tt.raw, res.Web, web)
			}
		})
	}
}

const (
	ext  = ` class="external" rel="nofollow"`
	span = `<span class="pointer">`
)

// TestSelectedExactRenders is the "Selected exact renders" table of the
// reference (§6.7), master's output, both columns.
func TestSelectedExactRenders(t *testing.T) {
	runRenderCases(t, newTestRenderer(t, Options{}), []renderCase{
		{"misnested close", `Un message <b>totalement </u>incorrect</u>`,
			`Un message <b>totalement incorrect</b>`, ""},
		{"unclosed", `Un message <b>partiellement</b> <u>correct`,
			`Un message <b>partiellement</b> <u>correct</u>`, ""},
		{"fake tags", `Test <de faux attributs/> <et attributs =""/> xml`,
			`Test &#60;de faux attributs/&#62; &#60;et attributs =""/&#62; xml`, ""},
		{"code", `Un bout de code <code><?php echo <b>phpinfo();</b> ?></code> en php kipu`,
			`Un bout de code <code>&#60;?php echo &#60;b&#62;phpinfo();&#60;/b&#62; ?&#62;</code> en php kipu`, ""},
		{"not a totoz", `Un totoz [:avec plein d'espace made in elly<] c'est fou`,
			`Un totoz [:avec plein d'espace made in elly&#60;] c'est fou`, ""},
		{"hand moment", `<b>====> Moment Test - À la main en html <====</b>`,
			`<b>====&#62; Moment Test - À la main en html &#60;====</b>`, ""},
		{"moments", `<m>Automatique 1</m> vs <m> Automatique 2 </m>`,
			`====&#62; <b>Moment Automatique 1</b> &#60;==== vs ====&#62; <b>Moment  Automatique 2 </b> &#60;====`, ""},
		{"url cut at space", `http://192.168.0.101:8888/about?foo=tu a le look coco&bar=ok`,
			`<a href="http://192.168.0.101:8888/about?foo=tu">[url]</a> a le look coco&#38;bar=ok`,
			`<a href="http://192.168.0.101:8888/about?foo=tu"` + ext + `>[url]</a> a le look coco&#38;bar=ok`},
		{"yahoo", `Url contenant des caractères pas frais http://fr.finance.yahoo.com/q/bc?s=^FCHI&t=1y&l=on&z=m&q=l&c=`,
			`Url contenant des caractères pas frais <a href="http://fr.finance.yahoo.com/q/bc?s=^FCHI&#38;t=1y&#38;l=on&#38;z=m&#38;q=l&#38;c=">[yahoo]</a>`,
			`Url contenant des caractères pas frais <a href="http://fr.finance.yahoo.com/q/bc?s=^FCHI&#38;t=1y&#38;l=on&#38;z=m&#38;q=l&#38;c="` + ext + `>[yahoo]</a>`},
		{"clock series", `12:00 Horloges en séries 1:00:11 13:59:07 21:21:21² 22:34:48 22:34:48⁶`,
			`12:00 Horloges en séries 1:00:11 13:59:07 21:21:21² 22:34:48 22:34:48⁶`,
			`<span class="pointer">12:00</span> Horloges en séries 1:<span class="pointer">00:11</span> <span class="pointer">13:59:07</span> <span class="pointer">21:21:21²</span> <span class="pointer">22:34:48</span> <span class="pointer">22:34:48⁶</span>`},
		{"complete", `13:42:12² Un post http://perdu.com <b>complet</b> [:lol] et <u>correct</u> 12:12 tu l'a dit bouffi : http://yahoo.fr/actus [:rofl]`,
			`13:42:12² Un post <a href="http://perdu.com">[url]</a> <b>complet</b> [:lol] et <u>correct</u> 12:12 tu l'a dit bouffi : <a href="http://yahoo.fr/actus">[yahoo]</a> [:rofl]`,
			`<span class="pointer">13:42:12²</span> Un post <a href="http://perdu.com" class="external" rel="nofollow">[url]</a> <b>complet</b> <a class="smiley" href="http://totoz.eu/lol.gif" rel="nofollow">[:lol]</a> et <u>correct</u> <span class="pointer">12:12</span> tu l'a dit bouffi : <a href="http://yahoo.fr/actus" class="external" rel="nofollow">[yahoo]</a> <a class="smiley" href="http://totoz.eu/rofl.gif" rel="nofollow">[:rofl]</a>`},
		{"raw separators", `'"''"#\'"'foirade&totale`,
			`'"''"#\'"'foirade&#38;totale`, ""},
	})
}

// TestReferenceNotes holds the single examples given outside the tables:
// the clock rendering of §6.2 and the notes of §6.7.
func TestReferenceNotes(t *testing.T) {
	runRenderCases(t, newTestRenderer(t, Options{}), []renderCase{
		{"clock", `12:00:00²`, `12:00:00²`, `<span class="pointer">12:00:00²</span>`},
		// "/me …" is not transformed server-side.
		{"me", `/me plop`, `/me plop`, ""},
		// The bigorno is plain escaped text; clients highlight it.
		{"bigorno", `moules< plop`, `moules&#60; plop`, ""},
	})
}

// marktplaats is the 360-character URL of the reference's samples.
const marktplaats = `http://www.marktplaats.nl/index.php?url=http%3A//kopen.marktplaats.nl/woningen-koop/buitenland/c1041.html%3Fxl%3D1%26ds%3Dto%253A1%253Bpu%253A0%253Bl1%253A1032%253Bl2%253A1041%253Bpa%253A150000%253Bdi%253A%253Blt%253Azip%253Bsfds%253A%253Bpt%253A0%253Bmp%253Anumeric%253Bosi%253A2%26ppu%3D0%26aw%255B68%255D%255B0%255D%3D448%26p%3D1%26av%5B-1%5D%5B0%5D%3D0`

// TestGipSamples is the remote column of the 32 samples of gip_samples.py
// (§13.3), in the file's order, converted to numeric entities. Its web
// column is unreliable (the reference says so); the web expectations here
// follow master's rules.
func TestGipSamples(t *testing.T) {
	const mp = marktplaats
	const none = `http://www.none.fr/search?hl=fr&btnG=Recherche+Google&meta=&q=azedaed-`
	const noneEsc = `http://www.none.fr/search?hl=fr&#38;btnG=Recherche+Google&#38;meta=&#38;q=azedaed-`
	longA := strings.Repeat("A", 190)
	runRenderCases(t, newTestRenderer(t, Options{}), []renderCase{
		{"two links", `Un lien correct http://perdu.com et un autre http://coin.org/foo.bar?po=1&foo=lop aussi`,
			`Un lien correct <a href="http://perdu.com">[url]</a> et un autre <a href="http://coin.org/foo.bar?po=1&#38;foo=lop">[url]</a> aussi`,
			`Un lien correct <a href="http://perdu.com"` + ext + `>[url]</a> et un autre <a href="http://coin.org/foo.bar?po=1&#38;foo=lop"` + ext + `>[url]</a> aussi`},
		{"free", `Une url free pour la reconnaissance de motifs d'urls http://prout.free.fr et une autre http://prout.free.fr/flop/quiz voila`,
			`Une url free pour la reconnaissance de motifs d'urls <a href="http://prout.free.fr">[prout@free]</a> et une autre <a href="http://prout.free.fr/flop/quiz">[prout@free]</a> voila`,
			`Une url free pour la reconnaissance de motifs d'urls <a href="http://prout.free.fr"` + ext + `>[prout@free]</a> et une autre <a href="http://prout.free.fr/flop/quiz"` + ext + `>[prout@free]</a> voila`},
		{"parenthesised", `Une url entourée de quelque chose (http://machin.info)`,
			`Une url entourée de quelque chose (<a href="http://machin.info">[url]</a>)`,
			`Une url entourée de quelque chose (<a href="http://machin.info"` + ext + `>[url]</a>)`},
		{"broken link", `Un lien foireux http://<b>`,
			`Un lien foireux <a href="http://">[url]</a>`,
			`Un lien foireux <a href="http://"` + ext + `>[url]</a>`},
		{"accents", `Un url avec des accents http://fr.wikipedia.org/wiki/Téléphone voila<b>`,
			`Un url avec des accents <a href="http://fr.wikipedia.org/wiki/Téléphone">[Téléphone@wikipedia]</a> voila`,
			`Un url avec des accents <a href="http://fr.wikipedia.org/wiki/Téléphone"` + ext + `>[Téléphone@wikipedia]</a> voila`},
		{"yahoo", `Url contenant des caractères pas frais http://fr.finance.yahoo.com/q/bc?s=^FCHI&t=1y&l=on&z=m&q=l&c=`,
			`Url contenant des caractères pas frais <a href="http://fr.finance.yahoo.com/q/bc?s=^FCHI&#38;t=1y&#38;l=on&#38;z=m&#38;q=l&#38;c=">[yahoo]</a>`,
			`Url contenant des caractères pas frais <a href="http://fr.finance.yahoo.com/q/bc?s=^FCHI&#38;t=1y&#38;l=on&#38;z=m&#38;q=l&#38;c="` + ext + `>[yahoo]</a>`},
		{"gopher", `gopher://gopher.floodgap.com/0/fun/figletgw?kupo!|font=isometric3 gopher y'a quand meme des truc qui dechirent /o\`,
			`<a href="gopher://gopher.floodgap.com/0/fun/figletgw?kupo!|font=isometric3">[gopher]</a> gopher y'a quand meme des truc qui dechirent /o\`,
			`<a href="gopher://gopher.floodgap.com/0/fun/figletgw?kupo!|font=isometric3"` + ext + `>[gopher]</a> gopher y'a quand meme des truc qui dechirent /o\`},
		{"long jpg", `http://eur.news1.yimg.com/eur.yimg.com/xp/afpji/20060224/060224171152.46ftcfa50_un-lien-kil-est-long.jpg`,
			`<a href="http://eur.news1.yimg.com/eur.yimg.com/xp/afpji/20060224/060224171152.46ftcfa50_un-lien-kil-est-long.jpg">[url]</a>`,
			`<a href="http://eur.news1.yimg.com/eur.yimg.com/xp/afpji/20060224/060224171152.46ftcfa50_un-lien-kil-est-long.jpg"` + ext + `>[url]</a>`},
		{"ip port", `Une url avec [Ip:port] : http://192.168.0.101:8888/about/`,
			`Une url avec [Ip:port] : <a href="http://192.168.0.101:8888/about/">[url]</a>`,
			`Une url avec [Ip:port] : <a href="http://192.168.0.101:8888/about/"` + ext + `>[url]</a>`},
		{"space in query", `http://192.168.0.101:8888/about?foo=tu a le look coco&bar=ok`,
			`<a href="http://192.168.0.101:8888/about?foo=tu">[url]</a> a le look coco&#38;bar=ok`,
			`<a href="http://192.168.0.101:8888/about?foo=tu"` + ext + `>[url]</a> a le look coco&#38;bar=ok`},
		{"360 chars", `Un url de près de 360caractères ` + mp,
			`Un url de près de 360caractères <a href="` + mp + `">[url]</a>`,
			`Un url de près de 360caractères <a href="` + mp + `"` + ext + `>[url]</a>`},
		{"totoz", `Un totoz normal [:rofl] et correct [:excellent]`,
			`Un totoz normal [:rofl] et correct [:excellent]`,
			`Un totoz normal <a class="smiley" href="http://totoz.eu/rofl.gif" rel="nofollow">[:rofl]</a> et correct <a class="smiley" href="http://totoz.eu/excellent.gif" rel="nofollow">[:excellent]</a>`},
		{"bold totoz", `Un totoz en gras <b>[:rofl]</b> mais correct`,
			`Un totoz en gras <b>[:rofl]</b> mais correct`,
			`Un totoz en gras <b><a class="smiley" href="http://totoz.eu/rofl.gif" rel="nofollow">[:rofl]</a></b> mais correct`},
		{"elly", `Un totoz [:avec plein d'espace made in elly<] c'est fou`,
			`Un totoz [:avec plein d'espace made in elly&#60;] c'est fou`, ""},
		{"hand moment", `<b>====> Moment Test - À la main en html <====</b>`,
			`<b>====&#62; Moment Test - À la main en html &#60;====</b>`, ""},
		{"moment", `<m>Automatique</m>`, `====&#62; <b>Moment Automatique</b> &#60;====`, ""},
		{"moment unclosed twice", `<m>Foireux 1<m>`, `====&#62; <b>Moment Foireux 1</b> &#60;====`, ""},
		{"two moments", `<m>Automatique 1</m> vs <m> Automatique 2 </m>`,
			`====&#62; <b>Moment Automatique 1</b> &#60;==== vs ====&#62; <b>Moment  Automatique 2 </b> &#60;====`, ""},
		{"link in bold", `<b>Avec un - ` + none + `</b>`,
			`<b>Avec un - <a href="` + noneEsc + `">[url]</a></b>`,
			`<b>Avec un - <a href="` + noneEsc + `"` + ext + `>[url]</a></b>`},
		{"link in moment", `<m>Avec un - ` + none + `</m>`,
			`====&#62; <b>Moment Avec un - <a href="` + noneEsc + `">[url]</a></b> &#60;====`,
			`====&#62; <b>Moment Avec un - <a href="` + noneEsc + `"` + ext + `>[url]</a></b> &#60;====`},
		{"bad date", `2008/28/03#21:42:42 Horloge avec une date complète`,
			`2008/28/03#21:42:42 Horloge avec une date complète`,
			`2008/28/03#` + span + `21:42:42</span> Horloge avec une date complète`},
		{"packed date", `20082803#02:42:11 Horloge avec une date complète mais incorrecte`,
			`20082803#02:42:11 Horloge avec une date complète mais incorrecte`,
			`20082803#` + span + `02:42:11</span> Horloge avec une date complète mais incorrecte`},
		{"clock series", `12:00 Horloges en séries 1:00:11 13:59:07 21:21:21² 22:34:48 22:34:48⁶`,
			`12:00 Horloges en séries 1:00:11 13:59:07 21:21:21² 22:34:48 22:34:48⁶`,
			span + `12:00</span> Horloges en séries 1:` + span + `00:11</span> ` + span + `13:59:07</span> ` + span + `21:21:21²</span> ` + span + `22:34:48</span> ` + span + `22:34:48⁶</span>`},
		{"clock and totoz", `21:42:42 horloge simple et correcte avec un smiley [:alf]`,
			`21:42:42 horloge simple et correcte avec un smiley [:alf]`,
			span + `21:42:42</span> horloge simple et correcte avec un smiley <a class="smiley" href="http://totoz.eu/alf.gif" rel="nofollow">[:alf]</a>`},
		{"long word", longA, longA, ""},
		{"correct tags", `Un message <b>totalement</b> <u>correct</u>`, `Un message <b>totalement</b> <u>correct</u>`, ""},
		{"misnested close", `Un message <b>totalement </u>incorrect</u>`, `Un message <b>totalement incorrect</b>`, ""},
		{"unclosed", `Un message <b>partiellement</b> <u>correct`, `Un message <b>partiellement</b> <u>correct</u>`, ""},
		{"fake tags", `Test <de faux attributs/> <et attributs =""/> xml`,
			`Test &#60;de faux attributs/&#62; &#60;et attributs =""/&#62; xml`, ""},
		{"quotes", `'"''"#\'"'foirade&totale`, `'"''"#\'"'foirade&#38;totale`, ""},
		{"code", `Un bout de code <code><?php echo <b>phpinfo();</b> ?></code> en php kipu`,
			`Un bout de code <code>&#60;?php echo &#60;b&#62;phpinfo();&#60;/b&#62; ?&#62;</code> en php kipu`, ""},
		{"complete", `13:42:12² Un post http://perdu.com <b>complet</b> [:lol] et <u>correct</u> 12:12 tu l'a dit bouffi : http://yahoo.fr/actus [:rofl]`,
			`13:42:12² Un post <a href="http://perdu.com">[url]</a> <b>complet</b> [:lol] et <u>correct</u> 12:12 tu l'a dit bouffi : <a href="http://yahoo.fr/actus">[yahoo]</a> [:rofl]`,
			span + `13:42:12²</span> Un post <a href="http://perdu.com"` + ext + `>[url]</a> <b>complet</b> <a class="smiley" href="http://totoz.eu/lol.gif" rel="nofollow">[:lol]</a> et <u>correct</u> ` + span + `12:12</span> tu l'a dit bouffi : <a href="http://yahoo.fr/actus"` + ext + `>[yahoo]</a> <a class="smiley" href="http://totoz.eu/rofl.gif" rel="nofollow">[:rofl]</a>`},
	})
}

// TestEscape is the branch's xmlentities test (§13.3) with master's
// numeric entities.
func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Foo", "Foo"},
		{"&", "&#38;"},
		{"<", "&#60;"},
		{">", "&#62;"},
		{`"`, "&#34;"},
		{`Lorem & "ipsum" nec & <div>`, `Lorem &#38; &#34;ipsum&#34; nec &#38; &#60;div&#62;`},
		{"l'apostrophe", "l'apostrophe"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var b strings.Builder
			escapeText(&b, tt.in)
			if got := b.String(); got != tt.want {
				t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if n := escapedLen(tt.in); n != len(tt.want) {
				t.Errorf("escapedLen(%q) = %d, want %d", tt.in, n, len(tt.want))
			}
		})
	}
}

// TestTagCleaner holds the tag examples of the reference (§6.3).
func TestTagCleaner(t *testing.T) {
	runRenderCases(t, newTestRenderer(t, Options{}), []renderCase{
		{"misnesting", `<b><i>x</b>`, `<b><i>x</i></b>`, ""},
		{"unclosed u", `<u>correct`, `<u>correct</u>`, ""},
		{"unclosed code", `<code>unclosed`, `<code>unclosed</code>`, ""},
		{"empty", `<b></b>`, ``, ""},
		{"empty then text", `<b></b>z`, `z`, ""},
		{"code in code", `<code><code><div/></code></code>`, `<code>&#60;code&#62;&#60;div/&#62;</code>`, ""},
		{"attributes", `Bum Bam <b class="foo">Boum</b>`, `Bum Bam &#60;b class="foo"&#62;Boum`, ""},
		{"attributes then tag", `Bom Bam <b class="foo"><i>Boum</b>`, `Bom Bam &#60;b class="foo"&#62;<i>Boum</i>`, ""},
		{"upper case", `<B>x</B>`, `&#60;B&#62;x&#60;/B&#62;`, ""},
		{"moment", `<m>Artist - Title</m>`, `====&#62; <b>Moment Artist - Title</b> &#60;====`, ""},
		{"nested moments", `<m>a<m>b</m>c</m>`, `====&#62; <b>Moment a====&#62; <b>Moment b</b> &#60;====c</b> &#60;====`, ""},
		{"unclosed moment", `<m>x`, `====&#62; <b>Moment x</b> &#60;====`, ""},
		{"trailing empty moment", `<m>Foireux 1<m>`, `====&#62; <b>Moment Foireux 1</b> &#60;====`, ""},
		{"merge", `<b>x</b><b>y</b>`, `<b>xy</b>`, ""},
		{"merge code", `<code>a</code><code><b></code>`, `<code>a&#60;b&#62;</code>`, ""},
		{"all tags", `<b>b<i>i<s>s<u>u<tt>tt`, `<b>b<i>i<s>s<u>u<tt>tt</tt></u></s></i></b>`, ""},
		{"stray closings", `</b></i>x</code>`, `x`, ""},
		{"bad tags", `<b >x< b><b/><br>`, `&#60;b &#62;x&#60; b&#62;&#60;b/&#62;&#60;br&#62;`, ""},
		{"moment in bold", `<b><m>x</b>`, `<b>====&#62; <b>Moment x</b> &#60;====</b>`, ""},
		{"code hides everything", `<code>12:00 http://a.b [:x] <m>(x)"</code>`,
			`<code>12:00 http://a.b [:x] &#60;m&#62;(x)&#34;</code>`, ""},
	})
}

// TestURLs holds the URL examples of the reference (§6.4).
func TestURLs(t *testing.T) {
	a := func(href, label string) string { return `<a href="` + href + `">` + label + `</a>` }
	runRenderCases(t, newTestRenderer(t, Options{}), []renderCase{
		{"parenthesis", `(see http://p.com)`, `(see ` + a("http://p.com", "[url]") + `)`,
			`(see <a href="http://p.com"` + ext + `>[url]</a>)`},
		{"quotes", `"http://quoted.com/a b"`, `"` + a("http://quoted.com/a", "[url]") + ` b"`,
			`"<a href="http://quoted.com/a"` + ext + `>[url]</a> b"`},
		{"tag stops", `http://a.com<b>bold</b>`, a("http://a.com", "[url]") + `<b>bold</b>`,
			`<a href="http://a.com"` + ext + `>[url]</a><b>bold</b>`},
		{"trailing comma", `http://a.com, b`, a("http://a.com,", "[url]") + ` b`,
			`<a href="http://a.com,"` + ext + `>[url]</a> b`},
		{"scheme alone", `http://`, a("http://", "[url]"), `<a href="http://"` + ext + `>[url]</a>`},
		{"space in query", `http://host/?a=tu a le look`, a("http://host/?a=tu", "[url]") + ` a le look`,
			`<a href="http://host/?a=tu"` + ext + `>[url]</a> a le look`},
		// The last opening separator is never reset: here '(' still
		// rules, so the URL swallows the quotes and stops at ')'.
		{"last separator", `(x) http://a.b/"q" y)`, `(x) ` + a("http://a.b/&#34;q&#34;", "[url]") + ` y)`,
			`(x) <a href="http://a.b/&#34;q&#34;"` + ext + `>[url]</a> y)`},
		{"after a closed pair", `(a) http://perdu.com/b) c`, `(a) ` + a("http://perdu.com/b", "[url]") + `) c`,
			`(a) <a href="http://perdu.com/b"` + ext + `>[url]</a>) c`},
		// Only separators outside code and outside links count, and the
		// [ of a totoz is no separator: these links end at a space.
		{"separator in code", `<code>(</code> http://a)b c`, `<code>(</code> ` + a("http://a)b", "[url]") + ` c`,
			`<code>(</code> <a href="http://a)b"` + ext + `>[url]</a> c`},
		{"separator in a link", `http://a/(b http://c)d e`, a("http://a/(b", "[url]") + ` ` + a("http://c)d", "[url]") + ` e`,
			`<a href="http://a/(b"` + ext + `>[url]</a> <a href="http://c)d"` + ext + `>[url]</a> e`},
		{"totoz bracket", `[:x] http://a]b c`, `[:x] ` + a("http://a]b", "[url]") + ` c`,
			`<a class="smiley" href="http://totoz.eu/x.gif" rel="nofollow">[:x]</a> <a href="http://a]b"` + ext + `>[url]</a> c`},
		{"other separators inside", `[x] http://a.b/(c)[d]e] f`, `[x] ` + a("http://a.b/(c)[d", "[url]") + `]e] f`,
			`[x] <a href="http://a.b/(c)[d"` + ext + `>[url]</a>]e] f`},
		{"tokens inside", `http://a.b/12:00:00/[:x]/http://c`, a("http://a.b/12:00:00/[:x]/http://c", "[url]"),
			`<a href="http://a.b/12:00:00/[:x]/http://c"` + ext + `>[url]</a>`},
		{"https", `https://a.b/`, a("https://a.b/", "[https]"), `<a href="https://a.b/"` + ext + `>[https]</a>`},
		{"ftp", `ftp://a.b/c`, a("ftp://a.b/c", "[ftp]"), `<a href="ftp://a.b/c"` + ext + `>[ftp]</a>`},
		{"schemes mid-word", `voirhttp://a.b`, `voir` + a("http://a.b", "[url]"), `voir<a href="http://a.b"` + ext + `>[url]</a>`},
		{"upper case scheme", `HTTP://a.b`, `HTTP://a.b`, ""},
		{"chrome", `chrome://settings`, a("chrome://settings", "[chrome]"), `<a href="chrome://settings"` + ext + `>[chrome]</a>`},
		{"git", `git://a.b/r.git`, a("git://a.b/r.git", "[git]"), `<a href="git://a.b/r.git"` + ext + `>[git]</a>`},
		{"svn", `svn://a.b/r`, a("svn://a.b/r", "[svn]"), `<a href="svn://a.b/r"` + ext + `>[svn]</a>`},
		// Fixed: djangotribune's regexp read "git+ssh" as "gi" + "t+" + "ssh".
		{"git+ssh", `git+ssh://a.b/r`, a("git+ssh://a.b/r", "[git+ssh]"), `<a href="git+ssh://a.b/r"` + ext + `>[git+ssh]</a>`},
		{"svn+ssh", `svn+ssh://a.b/r`, a("svn+ssh://a.b/r", "[svn+ssh]"), `<a href="svn+ssh://a.b/r"` + ext + `>[svn+ssh]</a>`},
		{"gitssh is no scheme", `gitssh://a.b gittssh://a.b svnssh://a.b`, `gitssh://a.b gittssh://a.b svnssh://a.b`, ""},
	})
}

// TestURLImprovements covers the deliberate differences in links.
func TestURLImprovements(t *testing.T) {
	runRenderCases(t, newTestRenderer(t, Options{}), []renderCase{
		// A label is always escaped: a '&' or '<' in a wikipedia title
		// can no longer break the XML.
		{"escaped label", `http://fr.wikipedia.org/wiki/A&B<c>`,
			`<a href="http://fr.wikipedia.org/wiki/A&#38;B&#60;c&#62;">[A&#38;B&#60;c&#62;@wikipedia]</a>`,
			`<a href="http://fr.wikipedia.org/wiki/A&#38;B&#60;c&#62;"` + ext + `>[A&#38;B&#60;c&#62;@wikipedia]</a>`},
		// A percent-encoded title is decoded for display.
		{"decoded label", `http://fr.wikipedia.org/wiki/T%C3%A9l%C3%A9phone`,
			`<a href="http://fr.wikipedia.org/wiki/T%C3%A9l%C3%A9phone">[Téléphone@wikipedia]</a>`,
			`<a href="http://fr.wikipedia.org/wiki/T%C3%A9l%C3%A9phone"` + ext + `>[Téléphone@wikipedia]</a>`},
		{"decoded label escaped", `http://en.wikipedia.org/wiki/AT%26T`,
			`<a href="http://en.wikipedia.org/wiki/AT%26T">[AT&#38;T@wikipedia]</a>`,
			`<a href="http://en.wikipedia.org/wiki/AT%26T"` + ext + `>[AT&#38;T@wikipedia]</a>`},
		// Not decoded: invalid UTF-8, control characters, bad escapes.
		{"invalid UTF-8 label", `http://fr.wikipedia.org/wiki/%E9t`,
			`<a href="http://fr.wikipedia.org/wiki/%E9t">[%E9t@wikipedia]</a>`,
			`<a href="http://fr.wikipedia.org/wiki/%E9t"` + ext + `>[%E9t@wikipedia]</a>`},
		{"control label", `http://fr.wikipedia.org/wiki/a%0Ab`,
			`<a href="http://fr.wikipedia.org/wiki/a%0Ab">[a%0Ab@wikipedia]</a>`,
			`<a href="http://fr.wikipedia.org/wiki/a%0Ab"` + ext + `>[a%0Ab@wikipedia]</a>`},
		{"undecodable label", `http://fr.wikipedia.org/wiki/%E9t%0A%zz`,
			`<a href="http://fr.wikipedia.org/wiki/%E9t%0A%zz">[%E9t%0A%zz@wikipedia]</a>`,
			`<a href="http://fr.wikipedia.org/wiki/%E9t%0A%zz"` + ext + `>[%E9t%0A%zz@wikipedia]</a>`},
		// So is a free.fr label: "&" or "<" in the host part is
		// escaped; a tag ("<b>") ends the link as anywhere else.
		{"escaped free label", `http://a&b.free.fr/`,
			`<a href="http://a&#38;b.free.fr/">[a&#38;b@free]</a>`,
			`<a href="http://a&#38;b.free.fr/"` + ext + `>[a&#38;b@free]</a>`},
		{"escaped free label with a non-tag", `http://x<y>.free.fr/`,
			`<a href="http://x&#60;y&#62;.free.fr/">[x&#60;y&#62;@free]</a>`,
			`<a href="http://x&#60;y&#62;.free.fr/"` + ext + `>[x&#60;y&#62;@free]</a>`},
		{"free link cut by a tag", `http://x<b>.free.fr/`,
			`<a href="http://x">[url]</a><b>.free.fr/</b>`,
			`<a href="http://x"` + ext + `>[url]</a><b>.free.fr/</b>`},
		// The placeholder trick of the original does not exist.
		{"no placeholder", `$LinkRelEscape1234$ http://a.b $LinkRelEscape1234$`,
			`$LinkRelEscape1234$ <a href="http://a.b">[url]</a> $LinkRelEscape1234$`,
			`$LinkRelEscape1234$ <a href="http://a.b"` + ext + `>[url]</a> $LinkRelEscape1234$`},
		// A URL never holds a space, even when a token inside it does.
		{"spaced totoz", `http://a.b/[:a b] c`,
			`<a href="http://a.b/[:a">[url]</a> b] c`,
			`<a href="http://a.b/[:a"` + ext + `>[url]</a> b] c`},
		{"spaced dated clock", `http://a.b/2024-01-31 12:34:56 ok`,
			`<a href="http://a.b/2024-01-31">[url]</a> 12:34:56 ok`,
			`<a href="http://a.b/2024-01-31"` + ext + `>[url]</a> ` + span + `12:34:56</span> ok`},
		// A <code> that ends a link opens code mode like any other.
		{"code after link", `http://a.b<code><b>x</b></code>`,
			`<a href="http://a.b">[url]</a><code>&#60;b&#62;x&#60;/b&#62;</code>`,
			`<a href="http://a.b"` + ext + `>[url]</a><code>&#60;b&#62;x&#60;/b&#62;</code>`},
	})
}

// TestTotoz covers §6.5 and the reference's test_totozs.
func TestTotoz(t *testing.T) {
	smiley := func(href, text string) string {
		return `<a class="smiley" href="` + href + `" rel="nofollow">` + text + `</a>`
	}
	runRenderCases(t, newTestRenderer(t, Options{}), []renderCase{
		// The space is percent-encoded in the href (the original left
		// it raw).
		{"space", `[:a b]`, `[:a b]`, smiley("http://totoz.eu/a%20b.gif", "[:a b]")},
		{"number", `[:totoz:2]`, `[:totoz:2]`, smiley("http://totoz.eu/totoz:2.gif", "[:totoz:2]")},
		{"at", `[:x_y@z]`, `[:x_y@z]`, smiley("http://totoz.eu/x_y@z.gif", "[:x_y@z]")},
		{"in code", `<code>[:lol]</code>`, `<code>[:lol]</code>`, ""},
		{"double bracket", `[:totoz]]`, `[:totoz]]`, smiley("http://totoz.eu/totoz.gif", "[:totoz]") + "]"},
	})
	r := newTestRenderer(t, Options{SmileysURL: "https://totoz.eu/img/{0}?a=1&b={0}"})
	if got, want := r.Render("[:a b]").Web, smiley("https://totoz.eu/img/a%20b?a=1&#38;b=a%20b", "[:a b]"); got != want {
		t.Errorf("custom smileys URL:\n got: %s\nwant: %s", got, want)
	}

	names := []struct {
		in   string
		want []string
	}{
		{"No totoz", nil},
		{"[:totoz]", []string{"totoz"}},
		{"[:flu12]", []string{"flu12"}},
		{"[:totoz-foo]", []string{"totoz-foo"}},
		{"[:totoz:1]", []string{"totoz:1"}},
		{"[:totoz:2]", []string{"totoz:2"}},
		{"[:totoz]]", []string{"totoz"}},
		{"[:totoz including some spaces]", []string{"totoz including some spaces"}},
		{"First i was like [:totoz] then i was [:lovev]", []string{"totoz", "lovev"}},
		{"[:téléphone]", nil},
		{"[:totoz²]", nil},
		{"[:totoz;1]", nil},
		{"[:totoz<]", nil},
		{"[:totoz>]", nil},
		{"[:[totoz]", nil},
		{"[:tot.oz]", nil},
		{"[:é]", nil},
		{"[:c:d]", nil},
		{"[:]", nil},
		{"[:a:]", nil},
		{"[:a b]", []string{"a b"}},
		{"[:x_y@z]", []string{"x_y@z"}},
		{"<code>[:x]</code>", nil},
	}
	r = newTestRenderer(t, Options{})
	for _, tt := range names {
		t.Run(tt.in, func(t *testing.T) {
			if got := r.Render(tt.in).Totoz; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Totoz = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFoundURLs is the reference's test_urls: links as typed.
func TestFoundURLs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"No url", nil},
		{"http://perdu.com", []string{"http://perdu.com"}},
		{"http://", []string{"http://"}},
		{"http://fr.wikipedia.org/wiki/Téléphone", []string{"http://fr.wikipedia.org/wiki/Téléphone"}},
		{"http://fr.finance.yahoo.com/q/bc?s=^FCHI&t=1y&l=on&z=m&q=l&c=", []string{"http://fr.finance.yahoo.com/q/bc?s=^FCHI&t=1y&l=on&z=m&q=l&c="}},
		{"gopher://gopher.floodgap.com/0/fun/figletgw?kupo!|font=isometric3", []string{"gopher://gopher.floodgap.com/0/fun/figletgw?kupo!|font=isometric3"}},
		{"http://192.168.0.101:8888/about/", []string{"http://192.168.0.101:8888/about/"}},
		{"http://www.none.fr/search?hl=fr&btnG=Recherche+Google&meta=&q=azedaed-", []string{"http://www.none.fr/search?hl=fr&btnG=Recherche+Google&meta=&q=azedaed-"}},
		{marktplaats, []string{marktplaats}},
		{"a http://x.y b <code>http://z</code> ftp://w", []string{"http://x.y", "ftp://w"}},
	}
	r := newTestRenderer(t, Options{})
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := r.Render(tt.in).URLs; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("URLs = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRenderedClocks checks that Result.Clocks lists only clocks rendered
// as clocks, with spans into Result.Text.
func TestRenderedClocks(t *testing.T) {
	r := newTestRenderer(t, Options{})
	res := r.Render("12:00 <code>13:00</code> http://a/14:00 [:a 15:00] x\n16:00:00@dlfp")
	var got []string
	for _, c := range res.Clocks {
		if res.Text[c.Start:c.End] != c.Text {
			t.Errorf("clock %+v: span does not match the text", c)
		}
		got = append(got, c.Text)
	}
	if want := []string{"12:00", "16:00:00@dlfp"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Clocks = %q, want %q", got, want)
	}
	// FindClocks is lexical: it also sees the clocks in code and links.
	if got, want := clockTexts(res.Text), []string{"12:00", "13:00", "14:00", "16:00:00@dlfp"}; !reflect.DeepEqual(got, want) {
		t.Errorf("FindClocks = %q, want %q", got, want)
	}
	web := r.Render("12:00:00²@dlfp 01/31#12:34:56 2024-01-31 12:34:56").Web
	want := span + `12:00:00²@dlfp</span> ` + span + `01/31#12:34:56</span> ` + span + `2024-01-31 12:34:56</span>`
	if web != want {
		t.Errorf("web render of new forms\n got: %s\nwant: %s", web, want)
	}
	// A date that does not exist stays text; the time after it is a
	// clock, as in the reference's 2008/28/03#21:42:42.
	web = r.Render("2023/02/29#12:00:00 04/31#12:34:56 2024-02-31T12:34:56").Web
	want = `2023/02/29#` + span + `12:00:00</span> 04/31#` + span + `12:34:56</span> 2024-02-31T` + span + `12:34:56</span>`
	if web != want {
		t.Errorf("web render of impossible dates\n got: %s\nwant: %s", web, want)
	}
}

// TestSanitizedRender checks that Render sanitizes first.
func TestSanitizedRender(t *testing.T) {
	r := newTestRenderer(t, Options{})
	res := r.Render("a\r\nhttp://x.y\tb\x00c\xff")
	if want := "a http://x.y bc\uFFFD"; res.Text != want {
		t.Errorf("Text = %q, want %q", res.Text, want)
	}
	if want := `a <a href="http://x.y">[url]</a> bc` + "\uFFFD"; res.Remote != want {
		t.Errorf("Remote = %q, want %q", res.Remote, want)
	}
}

// TestBasicCleanerChunks is the chunk lists of the reference's
// GenericPostCleaner.test_parse (raw chunks) and PostCleaner.test_parse
// (formatted chunks), taken before the final auto-closing.
func TestBasicCleanerChunks(t *testing.T) {
	tests := []struct {
		in        string
		raw       []string
		formatted []string
	}{
		{"Foo", []string{"Foo"}, []string{"Foo"}},
		{"14:15:23 Yep 14:15:23 Nope",
			[]string{"14:15:23", " Yep ", "14:15:23", " Nope"},
			[]string{`<clock time="141523">`, "14:15:23", "</clock>", " Yep ", `<clock time="141523">`, "14:15:23", "</clock>", " Nope"}},
		{"14:75:20 Pim 14:15:200 Pom", []string{"14:75:20 Pim 14:15:200 Pom"}, []string{"14:75:20 Pim 14:15:200 Pom"}},
		{"You may add a new <code><a><div/></a></code> in your element",
			[]string{"You may add a new ", "<code>", "<a><div/></a>", "</code>", " in your element"},
			[]string{"You may add a new ", "<code>", "&#60;a&#62;&#60;div/&#62;&#60;/a&#62;", "</code>", " in your element"}},
		{"Code in code <code><code><div/></code></code>",
			[]string{"Code in code ", "<code>", "<code>", "<div/>", "</code>"},
			[]string{"Code in code ", "<code>", "&#60;code&#62;", "&#60;div/&#62;", "</code>"}},
		{"Bim Bam <b><i>Boum</b>",
			[]string{"Bim Bam ", "<b>", "<i>", "Boum", "</i>", "</b>"},
			[]string{"Bim Bam ", "<b>", "<i>", "Boum", "</i>", "</b>"}},
		{`Bum Bam <b class="foo">Boum</b>`,
			[]string{"Bum Bam <b class=", `"`, "foo", `"`, ">Boum"},
			[]string{"Bum Bam &#60;b class=", `"`, "foo", `"`, "&#62;Boum"}},
		{`Bom Bam <b class="foo"><i>Boum</b>`,
			[]string{"Bom Bam <b class=", `"`, "foo", `"`, ">", "<i>", "Boum"},
			[]string{"Bom Bam &#60;b class=", `"`, "foo", `"`, "&#62;", "<i>", "Boum"}},
		{"Searching way through http://perdu.com",
			[]string{"Searching way through ", "http://perdu.com"},
			[]string{"Searching way through ", `<a href="`, "http://perdu.com", `"$DummyToken$>`, "[url]", "</a>"}},
		{"First i was like [:totoz] then i was [:lovev]",
			[]string{"First i was like ", "[:totoz]", " then i was ", "[:lovev]"},
			[]string{"First i was like ", `<totoz name="totoz"/>`, " then i was ", `<totoz name="lovev"/>`}},
		{"<m>I'm here</m>", []string{"<m>", "I'm here", "</m>"}, []string{"<m>", "I'm here", "</m>"}},
	}
	r := newTestRenderer(t, Options{})
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p := parser{r: r, tz: tokenizer{s: tt.in}}
			for {
				tok, ok := p.tz.next()
				if !ok {
					break
				}
				p.token(tok)
			}
			var raw, formatted []string
			for _, c := range p.chunks {
				raw = append(raw, rawChunk(tt.in, c))
				formatted = append(formatted, formattedChunk(tt.in, c)...)
			}
			if !reflect.DeepEqual(raw, tt.raw) {
				t.Errorf("raw chunks = %q, want %q", raw, tt.raw)
			}
			if !reflect.DeepEqual(formatted, tt.formatted) {
				t.Errorf("formatted chunks = %q, want %q", formatted, tt.formatted)
			}
		})
	}
}

// rawChunk writes a chunk as GenericPostCleaner does: as typed.
func rawChunk(text string, c chunk) string {
	switch c.kind {
	case chOpen:
		return "<" + tagNames[c.tag] + ">"
	case chClose:
		return "</" + tagNames[c.tag] + ">"
	}
	return text[c.start:c.end]
}

// formattedChunk writes a chunk as PostCleaner does, with the test's
// dummy link token.
func formattedChunk(text string, c chunk) []string {
	var b strings.Builder
	switch c.kind {
	case chText:
		escapeText(&b, text[c.start:c.end])
		return []string{b.String()}
	case chClock:
		t := text[c.start:c.end]
		return []string{`<clock time="` + strings.ReplaceAll(t, ":", "") + `">`, t, "</clock>"}
	case chURL:
		escapeText(&b, text[c.start:c.end])
		return []string{`<a href="`, b.String(), `"$DummyToken$>`, "[" + c.label + "]", "</a>"}
	case chTotoz:
		return []string{`<totoz name="` + text[c.start+2:c.end-1] + `"/>`}
	}
	return []string{rawChunk(text, c)}
}

// TestRenderConcurrent renders from several goroutines at once (run with
// -race): the Renderer and its pooled scratch space must not leak state
// between renders.
func TestRenderConcurrent(t *testing.T) {
	r := newTestRenderer(t, Options{})
	inputs := []string{
		"13:42:12² Un post http://perdu.com <b>complet</b> [:lol] et <u>correct</u>",
		"<code><b>x</b></code> 12:00@dlfp http://fr.wikipedia.org/wiki/T%C3%A9l%C3%A9phone",
		"",
		"<m>a<m>b</m>c</m> (http://a.b/\"q\") [:a b:2] 2024-01-31 12:34:56",
	}
	want := make([]Result, len(inputs))
	for i, in := range inputs {
		want[i] = r.Render(in)
	}
	done := make(chan error)
	for g := range 4 {
		go func() {
			for n := range 200 {
				i := (g + n) % len(inputs)
				if got := r.Render(inputs[i]); !reflect.DeepEqual(got, want[i]) {
					done <- fmt.Errorf("render %d of %q differs: %+v", n, inputs[i], got)
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
