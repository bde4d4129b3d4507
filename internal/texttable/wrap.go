package texttable

import (
	"strings"
	"unicode"
)

// Wrap returns what Python 2.7's textwrap.wrap(text, width) returns for a
// unicode string with texttable's settings, which are textwrap's defaults:
//
//   - tabs expanded to 8-column stops, then tab, newline, vertical tab, form
//     feed and carriage return replaced by spaces (other whitespace, such as
//     U+00A0 or U+001C, is kept as it is but still separates words);
//   - whitespace dropped at line edges, except at the start of the first
//     line;
//   - words longer than width broken at width;
//   - lines broken after the hyphens of hyphenated words ("foo-bar-baz"
//     gives "foo-", "bar-", "baz"), by Python 2.7's rules;
//   - no sentence-ending fix.
//
// djangotribune ran on Python 2.7. Python 3's textwrap differs: it
// splits hyphenated words by other rules, breaks long words after a hyphen
// and does not split on non-ASCII whitespace; Wrap follows Python 2.7.
//
// Wrap does not split text on "\n" (textwrap does not: a newline becomes a
// space); the table does that first, see Render.
//
// Lengths are counted in code points. A width below 1, which Python refuses
// with ValueError, is treated as 1. Invalid UTF-8 bytes each become U+FFFD.
func Wrap(text string, width int) []string {
	var w wrapper
	w.reset(max(width, 1), false)
	w.feed(text)
	w.flush()
	lines := make([]string, len(w.lines))
	for i, l := range w.lines {
		lines[i] = string(w.text[l.start:l.end])
	}
	return lines
}

// span is a half-open range of rune indices into wrapper.text.
type span struct{ start, end int }

// wrapper wraps the text of one table cell. It keeps its buffers between
// cells so that a whole table is laid out with a handful of allocations.
//
// The text is fed in pieces. In cell mode a "\n" ends a paragraph (texttable
// splits every cell on "\n" and wraps each piece on its own); otherwise it is
// whitespace like the others. Each paragraph is munged as it is fed (tabs
// expanded, whitespace replaced), then split into chunks and wrapped by
// flush. Every output line is a contiguous range of the munged text.
type wrapper struct {
	width      int
	splitLines bool
	text       []rune // munged text of every paragraph fed so far
	paraStart  int    // index in text where the current paragraph starts
	col        int    // column for tab expansion, as str.expandtabs counts it
	chunks     []span // scratch: chunks of the current paragraph
	lines      []span // output lines, for every paragraph flushed so far
}

func (w *wrapper) reset(width int, splitLines bool) {
	w.width = width
	w.splitLines = splitLines
	w.text = w.text[:0]
	w.paraStart = 0
	w.col = 0
	w.lines = w.lines[:0]
}

// grow sizes the buffers for cells of up to n code points.
func (w *wrapper) grow(n, width int) {
	w.text = make([]rune, 0, n)
	w.chunks = make([]span, 0, n/2+1)
	w.lines = make([]span, 0, n/max(width, 1)+1)
}

// tabSize is str.expandtabs' default, which textwrap uses.
const tabSize = 8

// feed appends s to the current paragraph, applying textwrap's
// _munge_whitespace: expandtabs() then the translation of the six ASCII
// whitespace characters to spaces. As in str.expandtabs, "\n" and "\r"
// reset the column.
func (w *wrapper) feed(s string) {
	// A local slice, stored back at the end, keeps the hot loop free of
	// write barriers.
	text, col := w.text, w.col
	for _, r := range s {
		switch r {
		case '\t':
			n := tabSize - col%tabSize
			col += n
			for ; n > 0; n-- {
				text = append(text, ' ')
			}
			continue
		case '\n':
			if w.splitLines {
				w.text = text
				w.flush()
				text, col = w.text, 0
				continue
			}
			text = append(text, ' ')
			col = 0
			continue
		case '\r':
			text = append(text, ' ')
			col = 0
			continue
		case '\v', '\f':
			r = ' '
		}
		text = append(text, r)
		col++
	}
	w.text, w.col = text, col
}

// flush wraps the current paragraph, appends its lines and starts a new
// paragraph. An empty or blank paragraph gives no line.
func (w *wrapper) flush() {
	w.split()
	w.wrapChunks()
	w.paraStart = len(w.text)
	w.col = 0
}

// split cuts the current paragraph into chunks exactly as re.split does
// with textwrap's wordsep_re compiled with re.UNICODE (Python 2.7):
//
//	(\s+|                                  # any whitespace
//	 [^\s\w]*\w+[^0-9\W]-(?=\w+[^0-9\W])|  # hyphenated words
//	 (?<=[\w\!\"\'\&\.\,\?])-{2,}(?=\w))   # em-dash
//
// The matches and the text between them become the chunks; empty ones are
// dropped. RE2 has no lookaround, so the search is written out: at each
// position the three alternatives are tried in order, as Python's
// backtracking engine does. A chunk is either all whitespace or has none.
func (w *wrapper) split() {
	t := w.text
	n := len(t)
	chunks := w.chunks[:0]
	seg := w.paraStart  // start of the text not yet in a chunk
	noHyphenBefore := 0 // the hyphenated alternative fails at every position below this
	for p := seg; p < n; {
		end := -1
		if pySpace(t[p]) {
			end = p + 1
			for end < n && pySpace(t[end]) {
				end++
			}
		} else {
			if p >= noHyphenBefore {
				e, failTo := hyphenated(t, p)
				if e > 0 {
					end = e
				} else {
					noHyphenBefore = failTo
				}
			}
			// The lookbehind stops at the paragraph start: Python wraps
			// each piece of a cell as a string of its own.
			if end < 0 && t[p] == '-' && p > w.paraStart && emDashAfter(t[p-1]) {
				e := p + 1
				for e < n && t[e] == '-' {
					e++
				}
				if e-p >= 2 && e < n && pyWord(t[e]) {
					end = e
				}
			}
		}
		if end < 0 {
			p++
			continue
		}
		if seg < p {
			chunks = append(chunks, span{seg, p})
		}
		chunks = append(chunks, span{p, end})
		p, seg = end, end
	}
	if seg < n {
		chunks = append(chunks, span{seg, n})
	}
	w.chunks = chunks
}

// hyphenated tries [^\s\w]*\w+[^0-9\W]-(?=\w+[^0-9\W]) at p. On success it
// returns the end of the match. Otherwise it returns 0 and failTo: the
// alternative also fails at every position from p to failTo, because they
// all run into the same word and the same hyphen (a later start only
// shortens the word).
//
// Backtracking reduces the pattern to: the longest run of characters that
// are neither whitespace nor word characters, then the longest run of word
// characters, at least two long and not ending in an ASCII digit, then "-",
// then a word run with a character other than an ASCII digit after its
// first.
func hyphenated(t []rune, p int) (end, failTo int) {
	n := len(t)
	j := p
	for j < n && !pySpace(t[j]) && !pyWord(t[j]) {
		j++
	}
	if j >= n || !pyWord(t[j]) {
		return 0, j
	}
	k := j
	for k < n && pyWord(t[k]) {
		k++
	}
	if k-j < 2 || isASCIIDigit(t[k-1]) || k >= n || t[k] != '-' {
		return 0, k
	}
	if s := k + 1; s < n && pyWord(t[s]) {
		for m := s + 1; m < n && pyWord(t[m]); m++ {
			if !isASCIIDigit(t[m]) {
				return k + 1, 0
			}
		}
	}
	return 0, k
}

// wrapChunks is textwrap's _wrap_chunks with no indent, drop_whitespace and
// break_long_words, plus _handle_long_word. Its quirks are kept: leading
// whitespace is dropped from every line but the first; only the last chunk
// of a line is dropped when blank, so a line filled up to the width before a
// long word ends with the whitespace before it (the long word contributes
// an empty head, which is what gets dropped).
func (w *wrapper) wrapChunks() {
	ch := w.chunks
	width := w.width
	lines := w.lines
	paraLines := len(lines) // lines before this paragraph's

	for i := 0; i < len(ch); {
		if len(lines) > paraLines && w.blank(ch[i]) {
			i++
		}
		var (
			n         int // pieces on the line
			curLen    int
			first     int // start of the line
			lastStart int // start of its last piece
			end       int // end of the line
			lastBlank bool
		)
		for i < len(ch) {
			l := ch[i].end - ch[i].start
			if curLen+l > width {
				break
			}
			if n == 0 {
				first = ch[i].start
			}
			lastStart, end, lastBlank = ch[i].start, ch[i].end, w.blank(ch[i])
			n++
			curLen += l
			i++
		}
		if i < len(ch) && ch[i].end-ch[i].start > width {
			left := width - curLen // >= 0; 0 adds an empty, blank head
			head := span{ch[i].start, ch[i].start + left}
			if n == 0 {
				first = head.start
			}
			lastStart, end, lastBlank = head.start, head.end, w.blank(head)
			n++
			ch[i].start += left
		}
		if n > 0 && lastBlank {
			n--
			end = lastStart
		}
		if n > 0 {
			lines = append(lines, span{first, end})
		}
	}
	w.lines = lines
}

// blank reports whether a chunk, or a piece of one, is empty or whitespace
// (Python's chunk.strip() is empty). Chunks are homogeneous, so the first rune
// tells.
func (w *wrapper) blank(s span) bool {
	return s.start == s.end || pySpace(w.text[s.start])
}

// pySpace reports whether r is whitespace for Python 2.7 unicode strings:
// unicode.isspace(), strip() and \s in a re.UNICODE pattern all agree. The
// set is Python 2.7's Unicode 5.2 one, so it includes U+180E and the ASCII
// separators U+001C..U+001F, and excludes U+200B.
func pySpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ',
		0x85, 0xa0, 0x1680, 0x180e, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// pyWord reports whether r matches \w in a Python 2.7 re.UNICODE pattern:
// letters, numbers (decimal, letter-like and other numeric characters, such
// as "²" or "½") and "_"; combining marks are not word characters. The
// table is Python 2.7's own (Unicode 5.2, see pytables.go): Go's newer
// tables disagree on a few dozen characters and on every one assigned since.
func pyWord(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_'
	}
	return unicode.Is(pyWordTable, r)
}

func isASCIIDigit(r rune) bool { return '0' <= r && r <= '9' }

// emDashAfter reports whether r may precede an em-dash: (?<=[\w!"'&.,?]).
func emDashAfter(r rune) bool {
	return pyWord(r) || strings.ContainsRune(`!"'&.,?`, r)
}
