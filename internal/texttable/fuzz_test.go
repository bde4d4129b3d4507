package texttable

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// naiveRender is Render written the obvious way, on top of Wrap: the fuzz
// oracle for Render's buffer-reusing cell wrapper.
func naiveRender(rows []Row, tableWidth int) string {
	if len(rows) == 0 {
		return ""
	}
	tableWidth = min(tableWidth, MaxTableWidth)
	w := identityWidth(rows)
	m := MinMessageWidth
	if tableWidth > w+ClockWidth {
		m = tableWidth - w - ClockWidth
	}
	widths := []int{ClockWidth, w, m}
	var out []string
	for _, r := range rows {
		identity := "<" + r.Login + ">"
		if r.Login == "" {
			identity = r.Identity
			if rs := []rune(identity); len(rs) > IdentityCut {
				identity = string(rs[:IdentityCut])
			}
		}
		var cells [3][]string
		height := 0
		for i, text := range []string{r.Clock, identity, r.Message} {
			for _, piece := range strings.Split(text, "\n") {
				cells[i] = append(cells[i], Wrap(piece, widths[i])...)
			}
			height = max(height, len(cells[i]))
		}
		for l := range height {
			var line strings.Builder
			for i := range cells {
				s := ""
				if l < len(cells[i]) {
					s = cells[i][l]
				}
				line.WriteString(s + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(s)) + " ")
				if i < len(cells)-1 {
					line.WriteString("  ")
				}
			}
			out = append(out, line.String())
		}
	}
	return strings.Join(out, "\n")
}

// FuzzRender checks that Render never panics, agrees with naiveRender, and
// keeps the table's shape: no final newline, every line valid UTF-8 of the
// same length in code points, ending with a space, with spaces between the
// columns.
func FuzzRender(f *testing.F) {
	f.Add("16:16:13²", "", "Mozilla/5.0 (X11; Linux x86_64)", "Hello world ! blah blah blah", 90, uint8(3))
	f.Add("12:00:00", "superman", "coward", "foo-bar-baz --option\ta--b", 25, uint8(2))
	f.Add("", "averyveryverylongusername", "\t\r\n", "line\n\nline\r\n", 0, uint8(1))
	f.Add("x", "a", "\xff\xfe", "http://example.com/a-b-c\u00a0d", -7, uint8(3))
	f.Fuzz(func(t *testing.T, clock, login, identity, message string, tableWidth int, shape uint8) {
		all := []Row{
			{Clock: clock, Login: login, Identity: identity, Message: message},
			{Clock: message, Identity: login, Message: clock},
			{Clock: identity, Login: message, Identity: clock, Message: login},
		}
		rows := all[:shape%4]
		got := Render(rows, tableWidth)
		if want := naiveRender(rows, tableWidth); got != want {
			t.Fatalf("Render differs from naiveRender:\n got %q\nwant %q", got, want)
		}
		if len(rows) == 0 || got == "" {
			if got != "" {
				t.Fatalf("Render(no rows) = %q", got)
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if strings.HasSuffix(got, "\n") {
			t.Fatalf("final newline: %q", got)
		}
		w := identityWidth(rows)
		lineLen := -1
		for i, line := range strings.Split(got, "\n") {
			rs := []rune(line)
			if lineLen < 0 {
				lineLen = len(rs)
				if lineLen < ClockWidth+w+1+7 {
					t.Fatalf("line %d too short: %q", i, line)
				}
			}
			if len(rs) != lineLen {
				t.Fatalf("line %d has %d code points, line 0 has %d: %q", i, len(rs), lineLen, line)
			}
			for _, at := range []int{10, 11, 12, 13 + w, 14 + w, 15 + w, lineLen - 1} {
				if rs[at] != ' ' {
					t.Fatalf("line %d: code point %d is %q, want a space: %q", i, at, rs[at], line)
				}
			}
		}
	})
}
