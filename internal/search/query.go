// Package search is the tribune's search language and what goes with it
// that neither database does: parsing a query, folding text the way the
// indexes fold it, and marking the matches in a rendered message. The
// databases' own full-text engines do the searching (internal/store).
package search

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits of a query: they bound the work of one search, whatever is typed.
const (
	MaxQueryBytes = 400 // the whole query
	MaxTerms      = 12  // terms and phrases, ua: filters included
)

// Query is a parsed search.
type Query struct {
	// Phrases must all be found in the message's text. A term is a phrase
	// of one word; a quoted phrase must be found word after word. Each is
	// as typed (the databases fold it with the text), with at least one
	// letter or digit.
	Phrases []string
	// Author is a login, compared without case ("" for any author).
	Author string
	// UA are words the identity (user agent or chosen name) must hold,
	// each word after word.
	UA []string
	// From and To are days in the tribune's zone as YYYYMMDD, inclusive
	// (0: open).
	From, To int
}

// Empty reports whether q has nothing to search for.
func (q Query) Empty() bool {
	return len(q.Phrases) == 0 && q.Author == "" && len(q.UA) == 0 && q.From == 0 && q.To == 0
}

// Words are the folded words of the query's text phrases, each once: what
// Highlight marks.
func (q Query) Words() []string {
	var ws []string
	seen := map[string]bool{}
	for _, p := range q.Phrases {
		for _, w := range Tokens(p) {
			if !seen[w] {
				seen[w] = true
				ws = append(ws, w)
			}
		}
	}
	return ws
}

// Error is a query that cannot be searched; its message says why, for the
// person who typed it.
type Error struct {
	Key  string // an i18n key
	Args []any
}

func (e *Error) Error() string { return fmt.Sprintf("search: %s %v", e.Key, e.Args) }

// ErrEmpty is a query with nothing to search for.
var ErrEmpty = &Error{Key: "search.error_empty"}

// Parse reads a query: words (all must match), "quoted phrases",
// author:NAME, ua:TEXT (ua:"two words"), from:YYYY-MM-DD, to:YYYY-MM-DD.
// Anything else is searched as text: operators of the engines (AND, OR,
// NEAR, *, ^, parentheses) mean nothing here. An unbalanced quote runs to
// the end. Days are read in loc only to be checked.
func Parse(s string) (Query, error) {
	var q Query
	if len(s) > MaxQueryBytes {
		return q, &Error{Key: "search.error_long", Args: []any{MaxQueryBytes}}
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, " ")
	}
	s = strings.ReplaceAll(s, "\x00", " ") // PostgreSQL takes no NUL in text
	terms := 0
	for rest := strings.TrimSpace(s); rest != ""; rest = strings.TrimLeftFunc(rest, unicode.IsSpace) {
		var key, value string
		if k, v, ok := cutKey(rest); ok {
			key, rest = k, v
		}
		value, rest = nextValue(rest)
		switch key {
		case "author":
			if value == "" {
				return q, &Error{Key: "search.error_operand", Args: []any{"author:"}}
			}
			if q.Author != "" && !strings.EqualFold(q.Author, value) {
				return q, &Error{Key: "search.error_two_authors"}
			}
			q.Author = value
		case "ua":
			if !HasWord(value) {
				return q, &Error{Key: "search.error_operand", Args: []any{"ua:"}}
			}
			q.UA = append(q.UA, value)
			terms++
		case "from", "to":
			day, err := parseDay(value)
			if err != nil {
				return q, &Error{Key: "search.error_day", Args: []any{key + ":" + value}}
			}
			if key == "from" {
				q.From = day
			} else {
				q.To = day
			}
		default:
			if HasWord(value) {
				q.Phrases = append(q.Phrases, value)
				terms++
			}
		}
		if terms > MaxTerms {
			return q, &Error{Key: "search.error_terms", Args: []any{MaxTerms}}
		}
	}
	if q.From != 0 && q.To != 0 && q.From > q.To {
		return q, &Error{Key: "search.error_days"}
	}
	if q.Empty() {
		return q, ErrEmpty
	}
	return q, nil
}

// cutKey splits "key:value…" for the known keys.
func cutKey(s string) (key, rest string, ok bool) {
	k, v, found := strings.Cut(s, ":")
	if !found || strings.ContainsFunc(k, unicode.IsSpace) {
		return "", s, false
	}
	switch strings.ToLower(k) {
	case "author", "ua", "from", "to":
		return strings.ToLower(k), v, true
	}
	return "", s, false
}

// nextValue reads a word or a "quoted phrase" at the start of s.
func nextValue(s string) (value, rest string) {
	if strings.HasPrefix(s, `"`) {
		s = s[1:]
		if i := strings.IndexByte(s, '"'); i >= 0 {
			return s[:i], s[i+1:]
		}
		return s, ""
	}
	i := strings.IndexFunc(s, unicode.IsSpace)
	if i < 0 {
		return s, ""
	}
	return s[:i], s[i:]
}

func parseDay(s string) (int, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return 0, err
	}
	if t.Year() < 1970 || t.Year() > 9999 {
		return 0, errors.New("search: day out of range")
	}
	return t.Year()*10000 + int(t.Month())*100 + t.Day(), nil
}

// HasWord reports whether s has a letter or a digit: something the
// indexes can find (they keep nothing else).
func HasWord(s string) bool {
	return strings.ContainsFunc(s, isWordRune)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }
