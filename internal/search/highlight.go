package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Highlight marks the words of a rendered message (web, the board's HTML,
// which the tribune made itself) that fold to one of words (folded, as
// Query.Words gives them), with <mark>…</mark>. Only text between tags is
// looked at, and only whole words are marked, so the markup stays as it
// was: tags, attributes and character references are copied untouched,
// and nothing of the query itself is ever written out.
func Highlight(web string, words []string) string {
	if len(words) == 0 {
		return web
	}
	want := make(map[string]bool, len(words))
	for _, w := range words {
		want[w] = true
	}
	var b strings.Builder
	b.Grow(len(web) + 32)
	for i := 0; i < len(web); {
		switch c := web[i]; {
		case c == '<':
			j := strings.IndexByte(web[i:], '>')
			if j < 0 {
				b.WriteString(web[i:])
				return b.String()
			}
			b.WriteString(web[i : i+j+1])
			i += j + 1
		case c == '&':
			j := strings.IndexByte(web[i:], ';')
			if j < 0 || j > 12 {
				b.WriteByte(c)
				i++
				continue
			}
			b.WriteString(web[i : i+j+1])
			i += j + 1
		default:
			r, n := utf8.DecodeRuneInString(web[i:])
			if !isTokenRune(r) {
				b.WriteString(web[i : i+n])
				i += n
				continue
			}
			j := i
			for j < len(web) {
				r, n := utf8.DecodeRuneInString(web[j:])
				if !isTokenRune(r) {
					break
				}
				j += n
			}
			word := web[i:j]
			if want[Fold(word)] {
				b.WriteString("<mark>")
				b.WriteString(word)
				b.WriteString("</mark>")
			} else {
				b.WriteString(word)
			}
			i = j
		}
	}
	return b.String()
}

// isTokenRune tells the runes words are made of: letters, digits and the
// marks that may follow them (which folding drops).
func isTokenRune(r rune) bool { return isWordRune(r) || unicode.Is(unicode.Mn, r) }
