package texttable

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// readGolden decodes a JSON file written by testdata/golden.py.
func readGolden(t *testing.T, name string, v any) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// TestWrapGolden checks Wrap against Python 2.7's textwrap.wrap
// (testdata/wrap_golden.json, written by testdata/golden.py).
func TestWrapGolden(t *testing.T) {
	var cases []struct {
		Text  string   `json:"text"`
		Width int      `json:"width"`
		Lines []string `json:"lines"`
	}
	readGolden(t, "wrap_golden.json", &cases)
	if len(cases) < 60 {
		t.Fatalf("only %d golden cases", len(cases))
	}
	for _, c := range cases {
		got := Wrap(c.Text, c.Width)
		if c.Lines == nil {
			c.Lines = []string{}
		}
		if !slices.Equal(got, c.Lines) {
			t.Errorf("Wrap(%q, %d)\n got %q\nwant %q", c.Text, c.Width, got, c.Lines)
		}
	}
}

// TestWrapQuirks spells out, readably, the behaviours the golden file
// covers that differ from Python 3's textwrap or from intuition.
func TestWrapQuirks(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width int
		want  []string
	}{
		{"hyphenated words split after hyphens", "foo-bar-baz", 5, []string{"foo-", "bar-", "baz"}},
		{"one-letter part does not split", "a-b c-d", 3, []string{"a-b", "c-d"}},
		{"option stays whole", "--option", 3, []string{"--o", "pti", "on"}},
		{"em-dash between words is a chunk", "foo--bar", 5, []string{"foo--", "bar"}},
		{"digits before the hyphen do not split", "123-456-789", 5, []string{"123-4", "56-78", "9"}},
		// Python 3 breaks long words at hyphens ("aaaa-", "12345678", "90").
		{"long word broken at width, not at hyphen", "aaaa-1234567890", 8, []string{"aaaa-123", "4567890"}},
		// Python 3 keeps "/foo" with the host ("http://example.com/f", ...).
		{"punctuation starts a hyphenated chunk", "http://example.com/foo-bar", 20, []string{"http://example.com", "/foo-bar"}},
		{"first line keeps leading spaces", "  hello world", 8, []string{"  hello", "world"}},
		{"first line may be blank", "\t00000", 4, []string{"    ", "0000", "0"}},
		{"line full before a long word keeps its space", "abc xxxxxxx", 4, []string{"abc ", "xxxx", "xxx"}},
		{"tabs expand to 8 columns", "ab\tc", 20, []string{"ab      c"}},
		{"carriage return resets the tab column", "abc\r\td", 20, []string{"abc         d"}},
		{"newline is a space", "a\nb", 5, []string{"a b"}},
		// Python 3 does not split on U+00A0.
		{"no-break space splits and stays", "foo\u00a0bar", 5, []string{"foo", "bar"}},
		{"blank gives no line", " \t ", 5, []string{}},
		{"empty gives no line", "", 5, []string{}},
		{"code points, not bytes", "héhé hoho", 4, []string{"héhé", "hoho"}},
		{"width below 1 acts as 1", "ab", 0, []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Wrap(tt.text, tt.width); !slices.Equal(got, tt.want) {
				t.Errorf("Wrap(%q, %d) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

func TestWrapInvalidUTF8(t *testing.T) {
	got := Wrap("a\xffb \xc3", 3)
	want := []string{"a\uFFFDb", "\uFFFD"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// stripSpace returns the runes of s that are not Python whitespace.
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if pySpace(r) {
			return -1
		}
		return r
	}, s)
}

// validRunes replaces each invalid byte by U+FFFD, as a []rune conversion
// does (strings.ToValidUTF8 would merge runs of them).
func validRunes(s string) string { return string([]rune(s)) }

func FuzzWrap(f *testing.F) {
	f.Add("Hello world ! blah blah", 10)
	f.Add("foo-bar-baz --option a--b", 4)
	f.Add("  \tlead\r\nx\u00a0y", 3)
	f.Fuzz(func(t *testing.T, text string, width int) {
		width = width%100 + 1
		if width < 1 {
			width += 100
		}
		lines := Wrap(text, width)
		var all strings.Builder
		for i, l := range lines {
			if n := utf8.RuneCountInString(l); n > width {
				t.Fatalf("line %d %q has %d code points, width %d", i, l, n, width)
			}
			if l == "" {
				t.Fatalf("line %d is empty", i)
			}
			// Only the first line may start with whitespace, or even be
			// blank: "\t00000" at width 4 gives "    ", "0000", "0".
			if i > 0 && pySpace([]rune(l)[0]) {
				t.Fatalf("line %d %q starts with whitespace", i, l)
			}
			all.WriteString(l)
		}
		// Only whitespace is ever dropped.
		if got, want := stripSpace(all.String()), stripSpace(validRunes(text)); got != want {
			t.Fatalf("text lost: got %q, want %q", got, want)
		}
	})
}
