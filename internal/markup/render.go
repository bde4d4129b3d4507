package markup

import (
	"fmt"
	"strings"
	"sync"
)

// DefaultSmileysURL is djangotribune's TRIBUNE_SMILEYS_URL: {0} stands for
// the totoz name.
const DefaultSmileysURL = "http://totoz.eu/{0}.gif"

// Options configure a Renderer. The zero value gives djangotribune's
// defaults.
type Options struct {
	// SmileysURL is the image address of a totoz, {0} standing for its
	// name. "" means DefaultSmileysURL. It must start with http://,
	// https:// or / (a path on the tribune's own site).
	SmileysURL string
	// Labels is the URL label table. nil means DefaultLabels(); an empty
	// non-nil table means no rules (only [url] and [scheme]).
	Labels []LabelRule
	// TruncatedURL shows links as their URL without the scheme, cut to
	// 100 characters, instead of a [label] (TRIBUNE_SHOW_TRUNCATED_URL).
	TruncatedURL bool
}

// Renderer turns raw message text into its renders. It is compiled once by
// NewRenderer, immutable, and safe for concurrent use.
type Renderer struct {
	labels    *labeler
	truncated bool
	// smiley is SmileysURL split at each {0}, each part already escaped
	// for an attribute value.
	smiley []string
}

// NewRenderer compiles opts. It fails on a label rule that does not
// compile and on a SmileysURL that is not an http(s) or site-relative
// address.
func NewRenderer(opts Options) (*Renderer, error) {
	rules := opts.Labels
	if rules == nil {
		rules = DefaultLabels()
	}
	l, err := newLabeler(rules)
	if err != nil {
		return nil, err
	}
	su := opts.SmileysURL
	if su == "" {
		su = DefaultSmileysURL
	}
	if !(strings.HasPrefix(su, "http://") || strings.HasPrefix(su, "https://") || strings.HasPrefix(su, "/")) ||
		Sanitize(su) != su || strings.ContainsRune(su, ' ') {
		return nil, fmt.Errorf("markup: smileys URL %q must start with http://, https:// or / and hold no space or control character", su)
	}
	parts := strings.Split(su, "{0}")
	for i, p := range parts {
		var b strings.Builder
		escapeText(&b, p)
		parts[i] = b.String()
	}
	return &Renderer{labels: l, truncated: opts.TruncatedURL, smiley: parts}, nil
}

// Result holds the three forms of a message and what was found in it.
type Result struct {
	Text   string   // the sanitized raw text, what gets stored as raw
	Web    string   // HTML for the web board
	Remote string   // XML fragment for the <message> element of the backend
	Clocks []Clock  // the clocks rendered as clocks, spans into Text
	URLs   []string // the links, as typed (not escaped), in order
	Totoz  []string // the totoz names (without [: and ]), in order
}

// Render sanitizes raw (see Sanitize) and renders it.
func (r *Renderer) Render(raw string) Result {
	text := Sanitize(raw)
	p := parserPool.Get().(*parser)
	p.reset(r, text)
	p.run()
	res := Result{Text: text, Clocks: clone(p.clocks), URLs: clone(p.urls), Totoz: clone(p.totoz)}
	res.Web, res.Remote = r.write(text, p)
	p.release()
	return res
}

// parserPool recycles the parser's working slices, so a render allocates
// little more than its outputs.
var parserPool = sync.Pool{New: func() any { return new(parser) }}

// clone copies s into a slice of exactly its length, nil when empty.
func clone[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

// chunkKind is the kind of an emitted chunk. Chunks are what djangotribune
// calls the cleaned message parts; tag repair works on the last one.
type chunkKind uint8

const (
	chText  chunkKind = iota // text, escaped on output
	chSep                    // a separator outside code, written raw
	chOpen                   // <x>
	chClose                  // </x>
	chClock
	chURL
	chTotoz
)

type chunk struct {
	kind       chunkKind
	tag        tag
	start, end int    // span in the text (for chURL, the URL)
	label      string // chURL: the label, brackets not included
}

// parser is djangotribune's PostCleaner: it walks the tokens, repairs the
// tags and builds the chunk list.
type parser struct {
	r      *Renderer
	tz     tokenizer
	chunks []chunk
	stack  []tag
	open   [numTags]int // how many of each tag are on the stack
	code   bool         // inside <code>: everything but </code> is text
	// lastSep is the last opening separator seen outside code and URLs;
	// a URL ends at its closer (or at a space when there is none).
	lastSep byte
	clocks  []Clock
	urls    []string
	totoz   []string
	// webExtra and remoteExtra count the output bytes that are not
	// text of the message, to size the builders in one go.
	webExtra, remoteExtra int
}

func (p *parser) reset(r *Renderer, text string) {
	*p = parser{
		r: r, tz: tokenizer{s: text},
		chunks: p.chunks[:0], stack: p.stack[:0],
		clocks: p.clocks[:0], urls: p.urls[:0], totoz: p.totoz[:0],
	}
}

// release returns the parser to the pool, dropping its references to the
// text, and dropping it entirely after a huge message.
func (p *parser) release() {
	if cap(p.chunks) > 4096 {
		return
	}
	clear(p.chunks)
	clear(p.clocks)
	clear(p.urls)
	clear(p.totoz)
	p.r, p.tz = nil, tokenizer{}
	parserPool.Put(p)
}

func (p *parser) run() {
	for {
		t, ok := p.tz.next()
		if !ok {
			break
		}
		p.token(t)
	}
	for len(p.stack) > 0 {
		p.popTag()
	}
}

func (p *parser) token(t token) {
	if t.kind == tokText {
		p.emit(chunk{kind: chText, start: t.start, end: t.end})
		return
	}
	if p.code {
		if t.kind == tokTag && t.closing && t.tag == tagCode {
			p.closeTag(tagCode)
			p.code = false
			return
		}
		p.emit(chunk{kind: chText, start: t.start, end: t.end})
		return
	}
	switch t.kind {
	case tokSep:
		if c := p.tz.s[t.start]; c == '(' || c == '[' || c == '"' {
			p.lastSep = c
		}
		p.emit(chunk{kind: chSep, start: t.start, end: t.end})
	case tokTag:
		p.tagToken(t)
	case tokScheme:
		p.url(t)
	case tokClock:
		p.emit(chunk{kind: chClock, start: t.start, end: t.end})
		p.clocks = append(p.clocks, p.tz.clock)
		p.webExtra += len(spanOpen) + len(spanClose)
	case tokTotoz:
		name := p.tz.s[t.start+2 : t.end-1]
		p.emit(chunk{kind: chTotoz, start: t.start, end: t.end})
		p.totoz = append(p.totoz, name)
		p.webExtra += len(smileyOpen) + len(smileyMid) + len(linkClose) + p.r.smileyLen(name)
	}
}

func (p *parser) emit(c chunk) { p.chunks = append(p.chunks, c) }

// last reports whether the last chunk is the given tag chunk.
func (p *parser) last(kind chunkKind, t tag) bool {
	n := len(p.chunks)
	return n > 0 && p.chunks[n-1].kind == kind && p.chunks[n-1].tag == t
}

func (p *parser) tagToken(t token) {
	if t.closing {
		p.closeTag(t.tag)
		return
	}
	// Opening right after the same tag's closing merges the two
	// elements: <b>x</b><b>y</b> gives <b>xy</b>.
	p.stack = append(p.stack, t.tag)
	p.open[t.tag]++
	if p.last(chClose, t.tag) {
		p.chunks = p.chunks[:len(p.chunks)-1]
	} else {
		p.emit(chunk{kind: chOpen, tag: t.tag})
	}
	if t.tag == tagCode {
		p.code = true
	}
	p.addTagExtra(t.tag, len(momentOpen), 2)
}

// addTagExtra counts a tag chunk's output (a moment for m) in both
// renders. Chunks removed later stay counted: an over-estimate.
func (p *parser) addTagExtra(t tag, moment, brackets int) {
	n := len(tagNames[t]) + brackets
	if t == tagM {
		n = moment
	}
	p.webExtra += n
	p.remoteExtra += n
}

// closeTag closes t and every tag opened after it (which repairs
// misnesting); a closing tag that is not open is dropped.
func (p *parser) closeTag(t tag) {
	if p.open[t] == 0 {
		return
	}
	for p.popTag() != t {
	}
}

// popTag closes the innermost open tag. An element left empty is removed
// instead: <b></b> vanishes.
func (p *parser) popTag() tag {
	t := p.stack[len(p.stack)-1]
	p.stack = p.stack[:len(p.stack)-1]
	p.open[t]--
	if p.last(chOpen, t) {
		p.chunks = p.chunks[:len(p.chunks)-1]
	} else {
		p.emit(chunk{kind: chClose, tag: t})
		p.addTagExtra(t, len(momentClose), 3)
	}
	return t
}

// url reads a link starting at the scheme token s and emits it. The URL
// goes on until the closer of the last opening separator (or a space when
// there was none), a tag, or a space; tokens in between are taken as
// text. djangotribune could leave a space inside a URL when a token held
// one (a totoz "[:a b]"): here a URL always ends at a space, and tokenizing
// resumes there.
func (p *parser) url(s token) {
	text := p.tz.s
	closer := byte(' ')
	switch p.lastSep {
	case '(':
		closer = ')'
	case '[':
		closer = ']'
	case '"':
		closer = '"'
	}
	end := s.end
	var stop token
	stopped := false
	for {
		t, ok := p.tz.next()
		if !ok {
			break
		}
		if t.kind == tokTag || t.kind == tokSep && text[t.start] == closer {
			stop, stopped = t, true
			break
		}
		if i := strings.IndexByte(text[t.start:t.end], ' '); i >= 0 {
			end = t.start + i
			p.tz.reset(end)
			break
		}
		end = t.end
	}
	u := text[s.start:end]
	scheme := u[:s.end-s.start-len("://")]
	var label string
	if p.r.truncated {
		label = truncateLabel(u, scheme)
	} else {
		label = p.r.labels.label(scheme, u)
	}
	p.emit(chunk{kind: chURL, start: s.start, end: end, label: label})
	p.urls = append(p.urls, u)
	n := len(linkOpen) + len(linkClose) + escapedLen(label) + 2
	p.webExtra += n + len(linkExternal)
	p.remoteExtra += n + len(linkRemote)
	if stopped {
		if stop.kind == tokTag {
			// Processed like any tag: a <code> here enters code
			// mode, which djangotribune forgot to do.
			p.tagToken(stop)
		} else {
			p.emit(chunk{kind: chSep, start: stop.start, end: stop.end})
		}
	}
}

// write renders the chunks twice: HTML for the web and the XML fragment
// for remote clients. They differ only in clocks, totoz and link
// attributes.
func (r *Renderer) write(text string, p *parser) (string, string) {
	var web, remote strings.Builder
	// Every text byte is written at most once per render, escaped; the
	// rest was counted chunk by chunk.
	n := escapedLen(text)
	web.Grow(n + p.webExtra)
	remote.Grow(n + p.remoteExtra)
	for i := range p.chunks {
		c := &p.chunks[i]
		switch c.kind {
		case chText:
			escapeText(&web, text[c.start:c.end])
			escapeText(&remote, text[c.start:c.end])
		case chSep:
			web.WriteString(text[c.start:c.end])
			remote.WriteString(text[c.start:c.end])
		case chOpen:
			if c.tag == tagM {
				web.WriteString(momentOpen)
				remote.WriteString(momentOpen)
				continue
			}
			for _, b := range [...]*strings.Builder{&web, &remote} {
				b.WriteByte('<')
				b.WriteString(tagNames[c.tag])
				b.WriteByte('>')
			}
		case chClose:
			if c.tag == tagM {
				web.WriteString(momentClose)
				remote.WriteString(momentClose)
				continue
			}
			for _, b := range [...]*strings.Builder{&web, &remote} {
				b.WriteString("</")
				b.WriteString(tagNames[c.tag])
				b.WriteByte('>')
			}
		case chClock:
			web.WriteString(spanOpen)
			escapeText(&web, text[c.start:c.end])
			web.WriteString(spanClose)
			escapeText(&remote, text[c.start:c.end])
		case chURL:
			u := text[c.start:c.end]
			web.WriteString(linkOpen)
			escapeText(&web, u)
			web.WriteString(linkExternal)
			r.writeLabel(&web, c.label)
			web.WriteString(linkClose)
			remote.WriteString(linkOpen)
			escapeText(&remote, u)
			remote.WriteString(linkRemote)
			r.writeLabel(&remote, c.label)
			remote.WriteString(linkClose)
		case chTotoz:
			web.WriteString(smileyOpen)
			r.writeSmileyURL(&web, text[c.start+2:c.end-1])
			web.WriteString(smileyMid)
			escapeText(&web, text[c.start:c.end])
			web.WriteString(linkClose)
			escapeText(&remote, text[c.start:c.end])
		}
	}
	return web.String(), remote.String()
}

// The fixed pieces of the renders.
const (
	momentOpen   = "====&#62; <b>Moment "
	momentClose  = "</b> &#60;===="
	spanOpen     = `<span class="pointer">`
	spanClose    = `</span>`
	linkOpen     = `<a href="`
	linkExternal = `" class="external" rel="nofollow">`
	linkRemote   = `">`
	linkClose    = `</a>`
	smileyOpen   = `<a class="smiley" href="`
	smileyMid    = `" rel="nofollow">`
)

// smileyLen is the length writeSmileyURL writes for name.
func (r *Renderer) smileyLen(name string) int {
	n := 0
	for _, part := range r.smiley {
		n += len(part)
	}
	return n + (len(r.smiley)-1)*(len(name)+2*strings.Count(name, " "))
}

func (r *Renderer) writeLabel(b *strings.Builder, label string) {
	if r.truncated {
		escapeText(b, label)
		return
	}
	b.WriteByte('[')
	escapeText(b, label)
	b.WriteByte(']')
}

// writeSmileyURL fills the SmileysURL template with name, escaped for the
// attribute and with its spaces percent-encoded so the address is a valid
// URL (djangotribune left the spaces raw).
func (r *Renderer) writeSmileyURL(b *strings.Builder, name string) {
	for i, part := range r.smiley {
		if i > 0 {
			for j := range len(name) {
				if name[j] == ' ' {
					b.WriteString("%20")
				} else {
					b.WriteByte(name[j]) // totoz names hold no character to escape
				}
			}
		}
		b.WriteString(part)
	}
}

// escapedLen is the length of s once escaped.
func escapedLen(s string) int {
	n := len(s)
	for i := range len(s) {
		switch s[i] {
		case '&', '<', '>', '"':
			n += 4
		}
	}
	return n
}

// escapeText writes s with djangotribune's numeric entities for & < > and
// "; the single quote is left as is. The same escaping serves text and
// double-quoted attribute values.
func escapeText(b *strings.Builder, s string) {
	last := 0
	for i := range len(s) {
		var esc string
		switch s[i] {
		case '&':
			esc = "&#38;"
		case '<':
			esc = "&#60;"
		case '>':
			esc = "&#62;"
		case '"':
			esc = "&#34;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}
