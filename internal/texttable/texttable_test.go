package texttable

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// blah is the third message of the reference example.
var blah = "Hello world ! " + strings.TrimSpace(strings.Repeat("blah ", 20))

// TestRenderReferenceExample reproduces djangotribune.md §3.4's example
// (table_width=90, identity width 29), with the "␠" markers removed: each
// line ends with exactly one space after the padded message cell.
//
// The example's third identity, "Mozilla/5.0 (X11; Linux x86_6", is 29 code
// points: it cannot be a longer user agent cut to 30, which would keep the
// "4" and give width 30 (see TestRenderFullUserAgent).
func TestRenderReferenceExample(t *testing.T) {
	rows := []Row{
		{Clock: "16:15:27", Login: "superman", Identity: "Mozilla/5.0", Message: "First"},
		{Clock: "16:16:13", Identity: "Anonymous coward", Message: "16:15:27 oh no you don't !"},
		{Clock: "16:16:13²", Identity: "Mozilla/5.0 (X11; Linux x86_6", Message: blah},
	}
	want := "16:15:27     <superman>                      First                                               \n" +
		"16:16:13     Anonymous coward                16:15:27 oh no you don't !                          \n" +
		"16:16:13²    Mozilla/5.0 (X11; Linux x86_6   Hello world ! blah blah blah blah blah blah blah    \n" +
		"                                             blah blah blah blah blah blah blah blah blah blah   \n" +
		"                                             blah blah blah                                      "
	if got := Render(rows, 90); got != want {
		t.Errorf("Render:\n%s\nwant:\n%s", visible(got), visible(want))
	}
}

func TestRenderFullUserAgent(t *testing.T) {
	rows := []Row{{Clock: "16:16:13", Identity: "Mozilla/5.0 (X11; Linux x86_64; rv:19.0) Gecko/20100101", Message: "x"}}
	want := "16:16:13     Mozilla/5.0 (X11; Linux x86_64   x" + strings.Repeat(" ", 50)
	if got := Render(rows, 90); got != want {
		t.Errorf("Render:\n%s\nwant:\n%s", visible(got), visible(want))
	}
}

// visible marks the end of every line, for failure messages.
func visible(s string) string { return strings.ReplaceAll(s, "\n", "␤\n") + "␤" }

// TestRenderGolden checks Render against testdata/render_golden.json: the
// layout of §3.4 re-implemented in Python on top of Python 2.7's real
// textwrap (testdata/golden.py).
func TestRenderGolden(t *testing.T) {
	var cases []struct {
		Name  string `json:"name"`
		Width int    `json:"width"`
		Rows  []struct {
			Clock    string `json:"clock"`
			Login    string `json:"login"`
			Identity string `json:"identity"`
			Message  string `json:"message"`
		} `json:"rows"`
		Want string `json:"want"`
	}
	readGolden(t, "render_golden.json", &cases)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			rows := make([]Row, len(c.Rows))
			for i, r := range c.Rows {
				rows[i] = Row{Clock: r.Clock, Login: r.Login, Identity: r.Identity, Message: r.Message}
			}
			if got := Render(rows, c.Width); got != c.Want {
				t.Errorf("Render(width %d):\n%s\nwant:\n%s", c.Width, visible(got), visible(c.Want))
			}
		})
	}
}

const ua = "Mozilla/5.0 (X11; Linux x86_64; rv:19.0) Gecko/20100101 Firefox/19.0"

func TestIdentityWidth(t *testing.T) {
	long := "averyveryverylongusername" // 25
	tests := []struct {
		name string
		rows []Row
		want int
	}{
		{"starts at 10", []Row{{Identity: "coward"}}, 10},
		{"anonymous identity", []Row{{Identity: "Anonymous coward"}}, 16},
		{"anonymous identity cut to 30", []Row{{Identity: ua}}, 30},
		{"cut counts code points", []Row{{Identity: strings.Repeat("é", 40)}}, 30},
		{"registered, brackets not counted", []Row{{Login: long}}, 25},
		{"registered fitting with brackets", []Row{{Login: "superman"}}, 10},
		{"registered one more lowers the width", []Row{{Login: "superman9"}}, 9},
		{"registered row's identity counts", []Row{{Login: "bob", Identity: ua}}, 30},
		{"registered longer than width skips its identity", []Row{{Login: "elevenchars", Identity: ua}}, 11},
		{"long name then long identity", []Row{{Login: long}, {Identity: ua}}, 30},
		// Order dependence: "<" + long + ">" (27) does not exceed 30.
		{"long identity then long name", []Row{{Identity: ua}, {Login: long}}, 30},
		{"long identity then longer name", []Row{{Identity: ua}, {Login: strings.Repeat("n", 29)}}, 29},
		{"longer name then long identity", []Row{{Login: strings.Repeat("n", 29)}, {Identity: ua}}, 30},
		{"decreasing chain", []Row{{Login: "abcdefghi"}, {Login: "abcdefgh"}, {Login: "abcdefg"}, {Login: "a"}}, 7},
		{"decreasing chain to 1", []Row{{Login: "abcdefghi"}, {Login: "abcdefgh"}, {Login: "abcdefg"}, {Login: "abcdef"},
			{Login: "abcde"}, {Login: "abcd"}, {Login: "abc"}, {Login: "ab"}, {Login: "a"}}, 1},
		// The original crashed on the anonymous row here (width below 6).
		{"anonymous row after the chain", []Row{{Login: "abcdefghi"}, {Login: "abcdefgh"}, {Login: "abcdefg"}, {Login: "abcdef"}, {Identity: "coward"}}, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := identityWidth(tt.rows); got != tt.want {
				t.Errorf("identityWidth = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRenderRegisteredLongNameWraps(t *testing.T) {
	rows := []Row{{Clock: "12:00:00", Login: "averyveryverylongusername", Message: "hi"}}
	got := strings.Split(Render(rows, 90), "\n")
	want := []string{
		"12:00:00     <averyveryverylongusernam   hi" + strings.Repeat(" ", 54),
		"             e>                          " + strings.Repeat(" ", 56),
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines:\n%s", len(got), visible(strings.Join(got, "\n")))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d:\n got %q\nwant %q", i, got[i], want[i])
		}
	}
}

func TestRenderEmpty(t *testing.T) {
	if got := Render(nil, 90); got != "" {
		t.Errorf("Render(nil) = %q, want empty", got)
	}
	if got := Render([]Row{}, 90); got != "" {
		t.Errorf("Render([]) = %q, want empty", got)
	}
	// A row whose cells all wrap to nothing has no line at all, as in
	// texttable.
	if got := Render([]Row{{}}, 90); got != "" {
		t.Errorf("Render(empty row) = %q, want empty", got)
	}
}

func TestRenderWidths(t *testing.T) {
	row := []Row{{Clock: "12:00:00", Identity: "coward", Message: strings.Repeat("word ", 300)}}
	tests := []struct {
		tableWidth int
		msgWidth   int
	}{
		{90, 70},
		{600, 580},
		{601, 580},
		{math.MaxInt, 580},
		{21, 1},
		{20, MinMessageWidth},
		{0, MinMessageWidth},
		{-5, MinMessageWidth},
		{math.MinInt, MinMessageWidth},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.tableWidth), func(t *testing.T) {
			out := Render(row, tt.tableWidth)
			for i, line := range strings.Split(out, "\n") {
				if n, want := utf8.RuneCountInString(line), 10+10+tt.msgWidth+7; n != want {
					t.Fatalf("line %d has %d code points, want %d: %q", i, n, want, line)
				}
			}
		})
	}
}

func TestRenderTinyWidth(t *testing.T) {
	rows := []Row{{Clock: "12:00:00", Identity: "coward", Message: "plop-plop plip"}}
	want := "12:00:00     coward       plop-plop  \n" +
		"                          plip       "
	if got := Render(rows, 0); got != want {
		t.Errorf("Render:\n%s\nwant:\n%s", visible(got), visible(want))
	}
}

func TestRenderInvalidUTF8(t *testing.T) {
	rows := []Row{{Clock: "12:00:00\xff", Login: "b\xffb", Identity: "\xff", Message: "a\xc3 \xe2\x82"}}
	got := Render(rows, 40)
	if !utf8.ValidString(got) {
		t.Fatalf("invalid UTF-8 output %q", got)
	}
	want := "12:00:00\uFFFD    <b\uFFFDb>        a\uFFFD \uFFFD\uFFFD" + strings.Repeat(" ", 16)
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestParseTableWidthGolden(t *testing.T) {
	var cases []struct {
		Raw  string      `json:"raw"`
		Want json.Number `json:"want"`
	}
	readGolden(t, "width_golden.json", &cases)
	for _, c := range cases {
		got := ParseTableWidth(c.Raw)
		want, err := c.Want.Int64()
		if err != nil || want < -1<<20 {
			want = -1 << 20 // Python's long, saturated
		}
		if int64(got) != want {
			t.Errorf("ParseTableWidth(%q) = %d, want %d (Python %s)", c.Raw, got, want, c.Want)
		}
	}
}

// TestPySpace checks the hard-coded whitespace set: Python 2.7's
// unicode.isspace(), equal to \s with re.UNICODE (listed by Python 2.7.18).
func TestPySpace(t *testing.T) {
	want := map[rune]bool{}
	for _, r := range []rune{0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0,
		0x1680, 0x180e, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007,
		0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000} {
		want[r] = true
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if pySpace(r) != want[r] {
			t.Errorf("pySpace(%U) = %v", r, pySpace(r))
		}
	}
}

func TestDigitValue(t *testing.T) {
	tests := map[rune]int{'0': 0, '9': 9, 'a': -1, '٤': 4, '４': 4, 0x19da: 1, 0x1d7d6: 8, 0x1d7ff: 9, '²': -1, 0x1e950: -1}
	for r, want := range tests {
		if got := digitValue(r); got != want {
			t.Errorf("digitValue(%U) = %d, want %d", r, got, want)
		}
	}
}

// benchRows is a 50-message board like the plain backend's default page.
func benchRows() []Row {
	rows := make([]Row, 50)
	for i := range rows {
		rows[i] = Row{
			Clock:    fmt.Sprintf("12:%02d:%02d", i/60, i%60),
			Identity: []string{"Anonymous coward", ua, "coward", "Opera/9.80 (X11; Linux x86_64)"}[i%4],
			Message:  strings.Repeat("blah-blah héhé http://example.com/a-b-c ", 1+i%5) + "fin",
		}
		if i%3 == 0 {
			rows[i].Login = "superman"
		}
	}
	return rows
}

func BenchmarkRender(b *testing.B) {
	rows := benchRows()
	b.ReportAllocs()
	for b.Loop() {
		Render(rows, 90)
	}
}
