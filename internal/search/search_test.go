package search

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // the query's fields, or the error's key
	}{
		{`élève moyen`, `["élève" "moyen"]|""|[]|0|0`},
		{`"c'est pas faux" lol`, `["c'est pas faux" "lol"]|""|[]|0|0`},
		{`"unbalanced phrase`, `["unbalanced phrase"]|""|[]|0|0`},
		{`author:Jean ua:"coin coin" from:2026-03-01 to:2026-03-31 x`, `["x"]|"Jean"|["coin coin"]|20260301|20260331`},
		{`AUTHOR:jean author:JEAN`, `[]|"JEAN"|[]|0|0`},
		{`from:2026-03-01`, `[]|""|[]|20260301|0`},
		{`NEAR(a b) OR * ^`, `["NEAR(a" "b)" "OR"]|""|[]|0|0`},
		{`url:http://x`, `["url:http://x"]|""|[]|0|0`},
		{"x\x00y \xff", `["x" "y"]|""|[]|0|0`},
		{`* ^ ( ) "" -`, `search.error_empty`},
		{``, `search.error_empty`},
		{`author:`, `search.error_operand`},
		{`ua:--`, `search.error_operand`},
		{`author:a author:b`, `search.error_two_authors`},
		{`from:2026-02-30`, `search.error_day`},
		{`to:yesterday x`, `search.error_day`},
		{`from:2026-03-02 to:2026-03-01`, `search.error_days`},
		{strings.Repeat("a ", 13), `search.error_terms`},
		{strings.Repeat("a", 401), `search.error_long`},
	} {
		q, err := Parse(tc.in)
		got := fmt.Sprintf("%q|%q|%q|%d|%d", q.Phrases, q.Author, q.UA, q.From, q.To)
		var e *Error
		if errors.As(err, &e) {
			got = e.Key
		} else if err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%.40q: %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestFoldAndTokens(t *testing.T) {
	for in, want := range map[string]string{
		"ÉLÈVE":           "eleve",
		"Ça déjà":         "ca deja",
		"œuvre Straße":    "œuvre straße",
		"e\u0301te\u0301": "ete",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fmt.Sprint(Tokens("L'élève, jean-pierre Firefox/140!")); got != "[l eleve jean pierre firefox 140]" {
		t.Errorf("Tokens: %s", got)
	}
	from, to := FoldTable()
	if len([]rune(from)) != len([]rune(to)) || !strings.Contains(from, "é") || strings.ContainsAny(to, "éœ") {
		t.Errorf("FoldTable: %q %q", from, to)
	}
}

func TestHighlight(t *testing.T) {
	words := []string{"eleve", "a"}
	for _, tc := range []struct{ in, want string }{
		{`L'<b>élève</b> a`, `L'<b><mark>élève</mark></b> <mark>a</mark>`},
		{`<a href="http://a.com/eleve" class="a">[url]</a>`, `<a href="http://a.com/eleve" class="a">[url]</a>`},
		{`eleves &amp; eleve&#39;s`, `eleves &amp; <mark>eleve</mark>&#39;s`},
		{`ELEVE`, `<mark>ELEVE</mark>`},
		{`<b unclosed eleve`, `<b unclosed eleve`},
		{`a&b`, `<mark>a</mark>&b`},
		{`&eleve;`, `&eleve;`},
	} {
		if got := Highlight(tc.in, words); got != tc.want {
			t.Errorf("Highlight(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := Highlight("<i>x</i>", nil); got != "<i>x</i>" {
		t.Errorf("no words: %q", got)
	}
}
