package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Fold lowers s and strips its diacritics (é → e, Ç → c), as the indexes
// do: SQLite's unicode61 tokenizer with remove_diacritics 2, and the
// tribune_fold function of the PostgreSQL schema (FoldTable). Letters
// without a decomposition (œ, æ, ß, ø) stay as they are, in both.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteString(foldRune(r))
	}
	return b.String()
}

// foldRune is one rune folded: lowered, its combining marks dropped.
func foldRune(r rune) string {
	r = unicode.ToLower(r)
	if r < 0x80 {
		return string(r)
	}
	d := norm.NFD.String(string(r))
	return strings.Map(func(c rune) rune {
		if unicode.Is(unicode.Mn, c) {
			return -1
		}
		return c
	}, d)
}

// Tokens are the folded words of s: runs of letters and digits, as the
// indexes cut text into words.
func Tokens(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !isWordRune(r) })
}

// FoldTable lists the lower-case Latin letters with diacritics and their
// bare letters, rune for rune: the two arguments of translate() in the
// PostgreSQL schema's tribune_fold (which cannot count on the unaccent
// extension being installable). A test checks the migration against it.
func FoldTable() (from, to string) {
	var f, t strings.Builder
	for r := rune(0xC0); r <= 0x24F; r++ {
		if unicode.ToLower(r) != r || !unicode.IsLetter(r) {
			continue
		}
		bare := foldRune(r)
		if len(bare) == 1 && bare[0] >= 'a' && bare[0] <= 'z' && bare != string(r) {
			f.WriteRune(r)
			t.WriteString(bare)
		}
	}
	return f.String(), t.String()
}
