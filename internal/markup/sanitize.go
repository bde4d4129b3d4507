package markup

import (
	"strings"
	"unicode/utf8"
)

// Sanitize makes raw text safe to store and render. A tribune message is one
// line of valid UTF-8 that XML 1.0 can carry, so:
//
//   - every line break becomes one space: CR LF (as a pair), CR, LF, and
//     the other Unicode mandatory breaks VT (U+000B), FF (U+000C),
//     NEL (U+0085), LINE SEPARATOR (U+2028), PARAGRAPH SEPARATOR (U+2029);
//   - TAB becomes one space;
//   - every other control character is removed: U+0000–U+001F, DEL U+007F
//     and the C1 controls U+0080–U+009F;
//   - the 66 Unicode noncharacters are removed: U+FDD0–U+FDEF and every
//     code point ending in FFFE or FFFF (U+FFFE and U+FFFF are also
//     forbidden by XML 1.0);
//   - each byte that is not part of a valid UTF-8 sequence becomes U+FFFD
//     (surrogate halves encoded in UTF-8 are invalid sequences).
//
// Nothing else changes: spaces are not trimmed or collapsed. What remains is
// only XML 1.0 characters, so no render can be invalid XML or UTF-8.
// Sanitize is idempotent and returns raw itself, without allocating, when
// there is nothing to change.
func Sanitize(raw string) string {
	i := 0
	for i < len(raw) {
		c := raw[i]
		if c >= 0x20 && c < 0x7F {
			i++
			continue
		}
		if c < 0x80 {
			break
		}
		r, size := utf8.DecodeRuneInString(raw[i:])
		if r == utf8.RuneError && size == 1 || sanitizeAction(r) != keep {
			break
		}
		i += size
	}
	if i == len(raw) {
		return raw
	}

	var b strings.Builder
	b.Grow(len(raw) + 2)
	b.WriteString(raw[:i])
	for i < len(raw) {
		c := raw[i]
		if c < 0x80 {
			switch {
			case c >= 0x20 && c < 0x7F:
				b.WriteByte(c)
			case c == '\r':
				b.WriteByte(' ')
				if i+1 < len(raw) && raw[i+1] == '\n' {
					i++
				}
			case c == '\n', c == '\t', c == '\v', c == '\f':
				b.WriteByte(' ')
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(raw[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		switch sanitizeAction(r) {
		case keep:
			b.WriteString(raw[i : i+size])
		case space:
			b.WriteByte(' ')
		}
		i += size
	}
	return b.String()
}

const (
	keep = iota
	space
	drop
)

// sanitizeAction classifies a non-ASCII rune.
func sanitizeAction(r rune) int {
	switch {
	case r == 0x85 || r == 0x2028 || r == 0x2029:
		return space
	case r >= 0x80 && r <= 0x9F:
		return drop
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE:
		return drop
	}
	return keep
}

// Cut keeps the first n characters (runes) of s.
func Cut(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
