package i18n_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/i18n"
)

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	en := i18n.Keys(i18n.EN)
	if len(en) == 0 {
		t.Fatal("the English catalogue is empty")
	}
	slices.Sort(en)
	for _, l := range i18n.Langs {
		keys := i18n.Keys(l)
		slices.Sort(keys)
		for _, k := range keys {
			if _, ok := slices.BinarySearch(en, k); !ok {
				t.Errorf("%s has %q, English does not", l, k)
			}
		}
		for _, k := range en {
			if _, ok := slices.BinarySearch(keys, k); !ok {
				t.Errorf("%s lacks %q", l, k)
			}
		}
	}
}

func TestNoEmptyMessage(t *testing.T) {
	for _, l := range i18n.Langs {
		for _, k := range i18n.Keys(l) {
			if strings.TrimSpace(i18n.T(l, k)) == "" {
				t.Errorf("%s %s is empty", l, k)
			}
		}
	}
}

// verb matches a fmt verb with its flags, width, precision and argument
// index; %% is not a verb.
var verb = regexp.MustCompile(`%(?:%|[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\d+|\*)?)?(?:\[\d+\])?[a-zA-Z])`)

func verbs(s string) []string {
	var out []string
	for _, v := range verb.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

func TestSameVerbsInEveryLanguage(t *testing.T) {
	for _, k := range i18n.Keys(i18n.EN) {
		want := verbs(i18n.T(i18n.EN, k))
		for _, l := range i18n.Langs {
			if got := verbs(i18n.T(l, k)); !slices.Equal(got, want) {
				t.Errorf("%s %s: verbs %q, English has %q", l, k, got, want)
			}
		}
	}
	// The verb extraction itself.
	if got := verbs("%d of %s at 100%% then %5.2f %[1]q %v"); !slices.Equal(got, []string{"%d", "%s", "%5.2f", "%[1]q", "%v"}) {
		t.Errorf("verbs() = %q", got)
	}
}

// TestMessagesFormat checks that each message formats cleanly with
// arguments of its verbs' types (no %!, no missing or extra argument).
func TestMessagesFormat(t *testing.T) {
	for _, l := range i18n.Langs {
		for _, k := range i18n.Keys(l) {
			var args []any
			for _, v := range verbs(i18n.T(l, k)) {
				switch v[len(v)-1] {
				case 'd':
					args = append(args, 42)
				default:
					args = append(args, "x")
				}
			}
			if len(args) == 0 {
				continue
			}
			if got := i18n.T(l, k, args...); strings.Contains(got, "%!") {
				t.Errorf("%s %s formats as %q", l, k, got)
			}
		}
	}
}

// frSpace finds French punctuation without its non-breaking space: an
// ordinary space or none before : ; ! ? », or after «. A colon glued to a
// word (HH:MM, TYPE:ARGUMENT) is not punctuation.
var frSpace = regexp.MustCompile(` [:;!?»]|[^\s\x{a0}\x{202f}][;!?»]|«[^\x{a0}\x{202f}]`)

func TestFrenchTypography(t *testing.T) {
	for _, k := range i18n.Keys(i18n.FR) {
		if m := frSpace.FindString(i18n.T(i18n.FR, k)); m != "" {
			t.Errorf("fr %s: %q lacks a non-breaking space (U+00A0 before : and », after «; U+202F before ; ! ?)", k, m)
		}
	}
	// The check itself.
	for _, bad := range []string{"a : b", "a ; b", "Oui !", "Quoi ?", "« x »", "«x»", "x;"} {
		if !frSpace.MatchString(bad) {
			t.Errorf("%q passed", bad)
		}
	}
	for _, good := range []string{"a\u00a0: b", "a\u202f; b", "Oui\u202f!", "«\u00a0x\u00a0»", "12:34:56", "TYPE:ARG"} {
		if frSpace.MatchString(good) {
			t.Errorf("%q refused", good)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		header string
		want   i18n.Lang
	}{
		{"fr-FR,fr;q=0.9,en;q=0.8", i18n.FR},
		{"fr", i18n.FR},
		{"fr-CA", i18n.FR},
		{"FR-be", i18n.FR},
		{"en-US,en;q=0.9,fr;q=0.8", i18n.EN},
		{"en", i18n.EN},
		{"de", i18n.EN},
		{"de-DE,de;q=0.9", i18n.EN},
		{"de;q=0.9,fr;q=0.5", i18n.FR},
		{"en;q=0.1,fr;q=0.9", i18n.FR},
		{"*", i18n.EN},
		{"", i18n.EN},
		{"garbage!!", i18n.EN},
		{";;;", i18n.EN},
		{"fr;q=abc", i18n.EN},
		{strings.Repeat("x", 1000), i18n.EN},
	}
	for _, tc := range tests {
		t.Run(tc.header, func(t *testing.T) {
			if got := i18n.Match(tc.header); got != tc.want {
				t.Errorf("Match(%q) = %q, want %q", tc.header, got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want i18n.Lang
		ok   bool
	}{
		{"fr", i18n.FR, true},
		{"FR", i18n.FR, true},
		{"fr-FR", i18n.FR, true},
		{"fr_CA", i18n.FR, true},
		{"en", i18n.EN, true},
		{"en-GB", i18n.EN, true},
		{"de", i18n.EN, false},
		{"", i18n.EN, false},
		{"-fr", i18n.EN, false},
		{"french", i18n.EN, false},
		{"f", i18n.EN, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got, ok := i18n.Parse(tc.in); got != tc.want || ok != tc.ok {
				t.Errorf("Parse(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestT(t *testing.T) {
	const key = "error.too_long"
	if !i18n.Has(key) {
		t.Fatalf("%s is not in the catalogue", key)
	}
	en := i18n.T(i18n.EN, key, 500, 501)
	fr := i18n.T(i18n.FR, key, 500, 501)
	if en != "Ensure this value has at most 500 characters (it has 501)." {
		t.Errorf("English: %q", en)
	}
	if fr == en || !strings.Contains(fr, "500") || !strings.Contains(fr, "501") {
		t.Errorf("French: %q", fr)
	}
	// An unknown language falls back to English.
	if got := i18n.T("de", key, 500, 501); got != en {
		t.Errorf("unknown language: %q, want the English %q", got, en)
	}
	// A missing key is returned as is, with or without arguments.
	if i18n.Has("no.such.key") {
		t.Fatal("Has(no.such.key)")
	}
	for _, l := range []i18n.Lang{i18n.EN, i18n.FR, "de"} {
		if got := i18n.T(l, "no.such.key"); got != "no.such.key" {
			t.Errorf("%s missing key: %q", l, got)
		}
		if got := i18n.T(l, "no.such.key", 1); got != "no.such.key" {
			t.Errorf("%s missing key with arguments: %q", l, got)
		}
	}
	// Without arguments the message is returned unformatted.
	if got := i18n.T(i18n.EN, key); !strings.Contains(got, "%d") {
		t.Errorf("T without arguments formatted the message: %q", got)
	}
}
