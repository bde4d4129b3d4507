package moderation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// linkSchemes are the URL schemes the tribune renderer turns into links.
// None is a substring of another, so counting each one separately counts
// every link once.
var linkSchemes = []string{
	"http://", "https://", "ftp://", "gopher://", "git://", "svn://",
	"git+ssh://", "svn+ssh://", "chrome://",
}

// CountLinks counts the occurrences of the URL schemes the renderer links,
// case-sensitively as the renderer matches them. The links kind uses it
// for a submission that does not bring its own count (Submission.Links).
func CountLinks(raw string) int {
	n := 0
	for _, scheme := range linkSchemes {
		n += strings.Count(raw, scheme)
	}
	return n
}

// links rejects a message with more than max links.
type links struct {
	base
	max int
}

func newLinks(arg string, b base, _ Deps) (Moderator, error) {
	n, err := parseCount(arg)
	if err != nil {
		return nil, err
	}
	return &links{base: b, max: n}, nil
}

func (m *links) Rate(_ context.Context, s *Submission) (Output, error) {
	n := 0
	if s.Links != nil {
		n = *s.Links
	} else {
		n = CountLinks(s.Content)
	}
	if n > m.max {
		return Reject(), nil
	}
	return Neutral(), nil
}

// parseCount reads a non-negative integer count.
func parseCount(arg string) (int, error) {
	n, err := strconv.Atoi(arg)
	if err != nil {
		return 0, fmt.Errorf("count %q is not an integer", arg)
	}
	if n < 0 {
		return 0, fmt.Errorf("count %d is negative", n)
	}
	return n, nil
}

// words rejects a message that contains one of its words or phrases, as
// whole words, ignoring case.
type words struct {
	base
	entries []string // folded with foldText
}

func newWords(arg string, b base, _ Deps) (Moderator, error) {
	m := &words{base: b}
	for entry := range strings.SplitSeq(arg, "|") {
		// An empty entry ("a||b", a trailing "|") is a slip of the pen, not
		// a wish to match everything.
		if f := foldText(entry); f != "" {
			m.entries = append(m.entries, f)
		}
	}
	if len(m.entries) == 0 {
		return nil, errors.New("empty word list")
	}
	return m, nil
}

func (m *words) Rate(_ context.Context, s *Submission) (Output, error) {
	text := foldText(s.Content)
	for _, entry := range m.entries {
		if containsWord(text, entry) {
			return Reject(), nil
		}
	}
	return Neutral(), nil
}

// foldText puts s in a form where a plain substring search ignores case:
// each rune becomes the smallest rune of its simple case-folding orbit
// (the folding strings.EqualFold uses, so K, k and the Kelvin sign K are
// one letter, and so are Σ, σ and ς), runs of white space become one space,
// and leading and trailing space goes.
//
// Simple folding maps one rune to one rune: ß matches ẞ but not "SS".
// Full folding would need golang.org/x/text and buys little for a list of
// forbidden words, which can simply list both spellings.
func foldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// foldRune returns the smallest rune that folds to the same letter as r.
func foldRune(r rune) rune {
	lowest := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		lowest = min(lowest, f)
	}
	return lowest
}

// isWordRune reports whether r belongs inside a word. Combining marks count
// as word runes so that a decomposed "é" (e + U+0301) does not end a word
// in its middle.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// containsWord reports whether the folded text holds the folded entry as
// whole words: the entry may not start right after a word rune if it starts
// with one, nor end right before a word rune if it ends with one. An entry
// that begins or ends with punctuation ("$$$") is not constrained on that
// side.
func containsWord(text, entry string) bool {
	first, _ := utf8.DecodeRuneInString(entry)
	last, _ := utf8.DecodeLastRuneInString(entry)
	checkStart, checkEnd := isWordRune(first), isWordRune(last)
	for off := 0; off < len(text); {
		i := strings.Index(text[off:], entry)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(entry)
		before, _ := utf8.DecodeLastRuneInString(text[:start])
		after, _ := utf8.DecodeRuneInString(text[end:])
		// DecodeLastRuneInString and DecodeRuneInString return RuneError for
		// an empty string, which is not a word rune: the text's edges are
		// boundaries.
		if !(checkStart && isWordRune(before)) && !(checkEnd && isWordRune(after)) {
			return true
		}
		_, size := utf8.DecodeRuneInString(text[start:])
		off = start + size
	}
	return false
}

// capsMinLetters is the fewest letters a message needs before caps judges
// it: "OK", "LOL" or a clock reference are not shouting.
const capsMinLetters = 10

// capsRating is a low rating, not a firm reject: alone it rejects (an
// average of 20), but a firm accept later in the chain still wins.
const capsRating = 20

// caps rates capsRating a message with more than percent % capital letters.
type caps struct {
	base
	percent float64
}

func newCaps(arg string, b base, _ Deps) (Moderator, error) {
	p, err := parseRating(arg)
	if err != nil {
		return nil, fmt.Errorf("percentage: %w", err)
	}
	return &caps{base: b, percent: p}, nil
}

func (m *caps) Rate(_ context.Context, s *Submission) (Output, error) {
	letters, upper := 0, 0
	for _, r := range s.Content {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters >= capsMinLetters && float64(upper)*100 > m.percent*float64(letters) {
		return Rate(capsRating), nil
	}
	return Neutral(), nil
}

// anonymous gives a fixed rating to messages without a login.
type anonymous struct {
	base
	rating float64
}

func newAnonymous(arg string, b base, _ Deps) (Moderator, error) {
	r, err := parseRating(arg)
	if err != nil {
		return nil, fmt.Errorf("rating: %w", err)
	}
	return &anonymous{base: b, rating: r}, nil
}

func (m *anonymous) Rate(_ context.Context, s *Submission) (Output, error) {
	if s.Login == "" {
		return Rate(m.rating), nil
	}
	return Neutral(), nil
}

// parseRating reads a number in 0..100. Out of range would make the
// moderator neutral for ever, which is surely a configuration mistake.
func parseRating(arg string) (float64, error) {
	r, err := strconv.ParseFloat(arg, 64)
	if err != nil || math.IsNaN(r) || math.IsInf(r, 0) {
		return 0, fmt.Errorf("%q is not a number", arg)
	}
	if r < 0 || r > 100 {
		return 0, fmt.Errorf("%g is outside 0..100", r)
	}
	return r, nil
}
