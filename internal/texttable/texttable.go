// Package texttable lays messages out as djangotribune's plain-text backend
// (remote/ and post/) does, byte for byte. The original drew a Python
// texttable 0.8.1 table (header decoration, no header row) whose cells were
// wrapped by Python 2.7's textwrap; third-party clients and scripts parse
// that output, so both are reproduced here, quirks included (reference:
// djangotribune.md §3.4).
//
// # Layout
//
// Each message is one row of three left-aligned, top-aligned columns:
//
//   - the clock, 10 columns wide ("HH:MM:SS" plus the superscript index);
//   - the identity: "<login>" for a registered author, else the anonymous
//     identity (user agent or chosen name) cut to 30 code points;
//   - the message, table_width − w − 10 columns wide, where w is the
//     identity column width.
//
// w comes from an order-dependent reduce kept as in the original: start at
// 10; for each row in output order, a registered author whose "<login>" is
// longer than w sets w to the length of login alone (the brackets are not
// counted, so such a name wraps inside its column); otherwise the row's
// identity cut to 30 sets w when it is longer. The otherwise branch also
// runs for registered authors whose bracketed login fits: their stored
// identity counts too, so callers must fill Row.Identity for every row.
//
// Every cell is split on "\n" and each piece is wrapped by Wrap at its
// column width; empty pieces vanish. A row is as tall as its tallest cell.
// Each physical line is every cell padded with spaces to its width and
// followed by one space, with two more spaces between columns; so every line
// ends with a space. Lines are joined by "\n" with no final newline.
//
// All lengths are code points, as in Python: East Asian wide characters
// count 1 and take two terminal cells, exactly as in the original.
//
// # Deliberate differences
//
// Where the original failed, Render does not:
//
//   - a message column width below 1 (a small or negative table_width, or
//     a wide identity) becomes MinMessageWidth; texttable refused widths
//     below 1;
//   - an anonymous row met while w is below 6 is handled like any other
//     anonymous row; the original raised a TypeError there (its reduce
//     measured "<None>" and then len(None)), which a chain of registered
//     logins of decreasing length could reach;
//   - no rows gives "" where the original sent the literal body "None"
//     (texttable's draw() returned None).
//
// Invalid UTF-8 is not expected (callers sanitise), but it does not panic:
// each invalid byte becomes U+FFFD, counted as one code point.
package texttable

import (
	"slices"
	"strings"
	"unicode/utf8"
)

const (
	// ClockWidth is the fixed width of the clock column.
	ClockWidth = 10
	// MinIdentityWidth is where the identity width reduce starts.
	MinIdentityWidth = 10
	// IdentityCut is the number of code points of an anonymous identity
	// kept for the table.
	IdentityCut = 30
	// DefaultTableWidth is the table_width used when the argument is
	// missing or not an integer.
	DefaultTableWidth = 90
	// MaxTableWidth caps table_width.
	MaxTableWidth = 600
	// MinMessageWidth replaces a message column width below 1, which made
	// the original fail.
	MinMessageWidth = 10
)

// Row is one message line of the plain backend.
type Row struct {
	// Clock is "HH:MM:SS" plus the superscript index when it is above 1,
	// already formatted by the caller.
	Clock string
	// Login is the registered author's username, "" for anonymous.
	Login string
	// Identity is the stored identity (user agent or chosen name), in full;
	// the table cuts it to 30 code points. It is shown for anonymous rows
	// only, but the identity width reduce also reads it for registered
	// authors, as the original did: set it on every row.
	Identity string
	// Message is the raw message text.
	Message string
}

// Render lays rows out as djangotribune's plain backend does and returns the
// text, with no final newline. tableWidth is normally already validated by
// the caller (see ParseTableWidth); Render still caps it at MaxTableWidth and
// gives the message column at least MinMessageWidth. No rows gives "".
func Render(rows []Row, tableWidth int) string {
	if len(rows) == 0 {
		return ""
	}
	tableWidth = min(tableWidth, MaxTableWidth)
	idWidth := identityWidth(rows)
	msgWidth := MinMessageWidth
	if tableWidth > idWidth+ClockWidth { // no overflow for a very negative tableWidth
		msgWidth = tableWidth - idWidth - ClockWidth
	}
	widths := [3]int{ClockWidth, idWidth, msgWidth}

	// Size the output and the cell buffers once. Byte lengths bound code
	// point counts; tabs may still grow a buffer.
	lineLen := ClockWidth + idWidth + msgWidth + 7 // 3 trailing spaces + 2 separators of 2
	var size, maxClock, maxMessage int
	for i := range rows {
		r := &rows[i]
		size += (1+len(r.Message)/msgWidth)*(lineLen+1) + len(r.Message)
		maxClock = max(maxClock, len(r.Clock))
		maxMessage = max(maxMessage, len(r.Message))
	}
	var b strings.Builder
	b.Grow(size)
	var cells [3]wrapper
	cells[0].grow(maxClock, widths[0])
	cells[1].grow(4*IdentityCut, widths[1])
	cells[2].grow(maxMessage, widths[2])

	first := true
	for i := range rows {
		r := &rows[i]
		for c := range cells {
			cells[c].reset(widths[c], true)
		}
		cells[0].feed(r.Clock)
		if r.Login != "" {
			cells[1].feed("<")
			cells[1].feed(r.Login)
			cells[1].feed(">")
		} else {
			cells[1].feed(cut(r.Identity, IdentityCut))
		}
		cells[2].feed(r.Message)
		height := 0
		for c := range cells {
			cells[c].flush()
			height = max(height, len(cells[c].lines))
		}
		for l := range height {
			if !first {
				b.WriteByte('\n')
			}
			first = false
			for c := range cells {
				cell := &cells[c]
				n := 0
				if l < len(cell.lines) {
					s := cell.lines[l]
					for _, ch := range cell.text[s.start:s.end] {
						b.WriteRune(ch)
					}
					n = s.end - s.start
				}
				pad := widths[c] - n + 1
				if c < len(cells)-1 {
					pad += 2
				}
				writeSpaces(&b, pad)
			}
		}
	}
	return b.String()
}

// identityWidth returns the identity column width for rows, computed by
// djangotribune's order-dependent reduce (see the package documentation).
// It is at least 1.
func identityWidth(rows []Row) int {
	w := MinIdentityWidth
	for i := range rows {
		r := &rows[i]
		if r.Login != "" {
			if n := utf8.RuneCountInString(r.Login); n+2 > w {
				w = n
				continue
			}
		}
		if n := min(utf8.RuneCountInString(r.Identity), IdentityCut); n > w {
			w = n
		}
	}
	return w
}

// cut returns the first n code points of s (an invalid byte counts as one,
// as it becomes one U+FFFD).
func cut(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

const spaces = "                                                                " // 64

func writeSpaces(b *strings.Builder, n int) {
	for n > len(spaces) {
		b.WriteString(spaces)
		n -= len(spaces)
	}
	b.WriteString(spaces[:n])
}

// ParseTableWidth reads the table_width URL argument as djangotribune did:
// Python 2's int() of the value, DefaultTableWidth when that fails (an empty
// or missing value included), capped at MaxTableWidth. Like int() it accepts
// surrounding whitespace (Unicode whitespace too), a sign, whitespace between
// the sign and the digits, leading zeros and Unicode decimal digits ("٤٢"),
// but no underscore, point or base prefix. Django reads the last value of a
// repeated argument; pass that one.
//
// Zero and negative values are returned as they are (Render then uses
// MinMessageWidth); values below -2²⁰ are returned as -2²⁰.
func ParseTableWidth(s string) int {
	const limit = 1 << 20
	s = strings.TrimFunc(s, pySpace)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = strings.TrimLeftFunc(s[1:], pySpace)
	}
	if s == "" {
		return DefaultTableWidth
	}
	v := 0
	for _, r := range s {
		d := digitValue(r)
		if d < 0 {
			return DefaultTableWidth
		}
		v = min(v*10+d, limit) // saturates well above MaxTableWidth
	}
	if neg {
		return -v
	}
	return min(v, MaxTableWidth)
}

// decimalRun is a run of decimal digits: lo has value v, lo+1 has v+1...
type decimalRun struct {
	lo, hi rune
	v      int
}

// digitValue returns the value of a decimal digit as Python 2.7's int()
// reads it (unicode.isdecimal, Unicode 5.2, see pytables.go), or -1.
func digitValue(r rune) int {
	if r < 0x80 {
		if '0' <= r && r <= '9' {
			return int(r - '0')
		}
		return -1
	}
	i, found := slices.BinarySearchFunc(pyDecimals, r, func(d decimalRun, r rune) int {
		switch {
		case d.hi < r:
			return -1
		case d.lo > r:
			return 1
		}
		return 0
	})
	if !found {
		return -1
	}
	return pyDecimals[i].v + int(r-pyDecimals[i].lo)
}
