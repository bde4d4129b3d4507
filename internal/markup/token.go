package markup

import "strings"

// tokKind is the kind of a token. The order of the non-text kinds is the
// order in which djangotribune's alternation tries them at one position.
type tokKind uint8

const (
	tokText   tokKind = iota // a gap between two other tokens
	tokTotoz                 // [:name] or [:name:N]
	tokSep                   // ( ) [ ] "
	tokTag                   // <x> or </x>, x whitelisted
	tokScheme                // http:// and the other link schemes
	tokClock                 // a norloge
)

// tag identifies a whitelisted tag. Tags are numbered so that the open
// count per tag fits a small array.
type tag uint8

const (
	tagB tag = iota
	tagI
	tagS
	tagU
	tagTT
	tagM
	tagCode
	numTags
)

var tagNames = [numTags]string{"b", "i", "s", "u", "tt", "m", "code"}

type token struct {
	kind    tokKind
	start   int // byte span in the text
	end     int
	tag     tag  // tokTag only
	closing bool // tokTag only: </x>
}

// tokenizer splits a text the way djangotribune's regular expression does:
// at each position it looks for a totoz, a separator, a tag, a link scheme
// or a clock, in that order; the leftmost match wins and what lies between
// two matches is a text token. It is lazy because a URL consumes the tokens
// that follow its scheme, and restartable (reset) because a URL may end in
// the middle of a token.
type tokenizer struct {
	s       string
	pos     int   // where scanning resumes
	pending token // a match already found after a text gap
	has     bool  // pending is valid
	// clock is the last clock matched, kept out of the token so that
	// tokens stay small: it is valid when next returns a tokClock.
	clock Clock
}

// startByte marks the bytes at which a non-text token may begin, so the
// scan skips ordinary text with one table look-up per byte.
var startByte = func() (t [256]bool) {
	for _, c := range []byte("[()]\"<hfcgs0123456789") {
		t[c] = true
	}
	return t
}()

// schemes lists the link schemes. Unlike djangotribune, whose "git+ssh"
// was read as a regular expression (so "gitssh://" matched and
// "git+ssh://" did not), the '+' forms are literal.
var schemes = [...]string{
	"http://", "https://", "ftp://", "chrome://", "gopher://",
	"git://", "git+ssh://", "svn://", "svn+ssh://",
}

func (tz *tokenizer) reset(pos int) {
	tz.pos, tz.has = pos, false
}

func (tz *tokenizer) next() (token, bool) {
	if tz.has {
		tz.has = false
		tz.pos = tz.pending.end
		return tz.pending, true
	}
	s := tz.s
	for i := tz.pos; i < len(s); i++ {
		if !startByte[s[i]] {
			continue
		}
		t, ok := tz.matchAt(i)
		if !ok {
			continue
		}
		if i > tz.pos {
			tz.pending, tz.has = t, true
			gap := token{kind: tokText, start: tz.pos, end: i}
			tz.pos = i
			return gap, true
		}
		tz.pos = t.end
		return t, true
	}
	if tz.pos < len(s) {
		gap := token{kind: tokText, start: tz.pos, end: len(s)}
		tz.pos = len(s)
		return gap, true
	}
	return token{}, false
}

// matchAt tries every token kind at s[i].
func (tz *tokenizer) matchAt(i int) (token, bool) {
	s := tz.s
	switch c := s[i]; c {
	case '[':
		if end := matchTotoz(s, i); end > 0 {
			return token{kind: tokTotoz, start: i, end: end}, true
		}
		return token{kind: tokSep, start: i, end: i + 1}, true
	case '(', ')', ']', '"':
		return token{kind: tokSep, start: i, end: i + 1}, true
	case '<':
		return matchTag(s, i)
	case 'h', 'f', 'c', 'g', 's':
		// These letters are common in text: the second letter
		// rules most positions out before any prefix comparison.
		if i+1 >= len(s) || strings.IndexByte(schemeSecond[c], s[i+1]) < 0 {
			return token{}, false
		}
		for _, sc := range schemes {
			if strings.HasPrefix(s[i:], sc) {
				return token{kind: tokScheme, start: i, end: i + len(sc)}, true
			}
		}
		return token{}, false
	default: // a digit
		c, ok := matchClock(s, i)
		if ok {
			tz.clock = c
		}
		return token{kind: tokClock, start: c.Start, end: c.End}, ok
	}
}

// schemeSecond[first] lists the bytes that follow first in some scheme.
var schemeSecond = func() (t [256]string) {
	for _, sc := range schemes {
		if strings.IndexByte(t[sc[0]], sc[1]) < 0 {
			t[sc[0]] += sc[1:2]
		}
	}
	return t
}()

// matchTotoz returns the end of a totoz starting at s[i] ("[:"), or 0:
// one or more of A-Z a-z 0-9 - _ @ space, optionally ':' and digits, ']'.
func matchTotoz(s string, i int) int {
	j := i + 2
	if j > len(s) || s[i+1] != ':' {
		return 0
	}
	for j < len(s) && isTotozChar(s[j]) {
		j++
	}
	if j == i+2 || j >= len(s) {
		return 0
	}
	if s[j] == ':' {
		k := j + 1
		for k < len(s) && isDigit(s[k]) {
			k++
		}
		if k == j+1 {
			return 0
		}
		j = k
	}
	if j < len(s) && s[j] == ']' {
		return j + 1
	}
	return 0
}

func isTotozChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '@' || c == ' '
}

// matchTag recognises exactly <x> and </x> for the whitelisted x, lower
// case, without attributes or spaces.
func matchTag(s string, i int) (token, bool) {
	j := i + 1
	closing := j < len(s) && s[j] == '/'
	if closing {
		j++
	}
	k := strings.IndexByte(s[j:min(len(s), j+5)], '>')
	if k <= 0 {
		return token{}, false
	}
	name := s[j : j+k]
	for t, n := range tagNames {
		if n == name {
			return token{kind: tokTag, start: i, end: j + k + 1, tag: tag(t), closing: closing}, true
		}
	}
	return token{}, false
}
