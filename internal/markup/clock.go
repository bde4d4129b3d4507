package markup

import "strconv"

// Clock is one norloge (a reference to a message by its time) found in a
// text, as structured data so that callers can resolve it.
type Clock struct {
	Start, End int    // byte span in the text that was scanned
	Text       string // the clock exactly as typed: text[Start:End]

	// Date prefix, all 0 when absent. Year is 0 for the MM/DD# form, which
	// has a month and a day but no year.
	Year, Month, Day int

	Hour, Minute, Second int
	HasSeconds           bool   // false for the HH:MM form (Second is then 0)
	Index                int    // ¹²³…, ^N or :N suffix; 0 when absent
	Bouchot              string // @name suffix without the @; "" when absent
}

// Time returns the clock's time normalised as "HH:MM:SS" (seconds 00 when
// the clock has none), the form messages are looked up by.
func (c Clock) Time() string {
	b := [8]byte{
		byte('0' + c.Hour/10), byte('0' + c.Hour%10), ':',
		byte('0' + c.Minute/10), byte('0' + c.Minute%10), ':',
		byte('0' + c.Second/10), byte('0' + c.Second%10),
	}
	return string(b[:])
}

// FindClocks returns every clock of text, left to right, as the tokenizer
// sees them: digits read as part of a totoz ("[:a 12:00]") are not a clock,
// but a clock inside <code>…</code> or swallowed by a URL is reported
// (Render does not highlight those; its Result.Clocks lists only the
// highlighted ones).
// Spans are byte offsets into text itself; pass sanitized text (Sanitize, or
// a stored Result.Text) to get the same offsets as Render.
func FindClocks(text string) []Clock {
	var buf [8]Clock
	clocks := buf[:0]
	tz := tokenizer{s: text}
	for {
		t, ok := tz.next()
		if !ok {
			return clone(clocks)
		}
		if t.kind == tokClock {
			clocks = append(clocks, tz.clock)
		}
	}
}

// ParseClock parses s as exactly one clock, in any form Render recognises
// (compact HHMMSS included, HHMM excluded), with nothing before or after it.
// It serves the clock-finder route. Unlike djangotribune's prefix match,
// trailing text such as "12:00:00^x" is refused.
func ParseClock(s string) (Clock, bool) {
	if s == "" || !isDigit(s[0]) {
		return Clock{}, false
	}
	c, ok := matchClock(s, 0)
	if !ok || c.End != len(s) {
		return Clock{}, false
	}
	return c, true
}

// Superscript renders n with superscript digits, the index notation of the
// board: 1 → "¹", 10 → "¹⁰", 0 → "⁰".
func Superscript(n int) string {
	digits := strconv.Itoa(n)
	out := make([]byte, 0, 3*len(digits))
	for i := range len(digits) {
		if digits[i] == '-' {
			out = append(out, "⁻"...)
			continue
		}
		out = append(out, superDigits[digits[i]-'0']...)
	}
	return string(out)
}

// superDigits maps 0–9 to their superscript forms; 1, 2 and 3 are Latin-1
// characters (two bytes), the others are in the U+2070 block (three bytes).
var superDigits = [10]string{"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"}

// PaddedIndex renders an index on at least two digits, as the JSON
// clockclass field wants: 1 → "01", 12 → "12", 123 → "123".
func PaddedIndex(n int) string {
	if n >= 0 && n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isBouchotChar is the alphabet of a @bouchot suffix, as olcc and quteqoin
// accept it.
func isBouchotChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// twoDigits reads s[i:i+2] as a number, or returns -1.
func twoDigits(s string, i int) int {
	if i+1 >= len(s) || !isDigit(s[i]) || !isDigit(s[i+1]) {
		return -1
	}
	return int(s[i]-'0')*10 + int(s[i+1]-'0')
}

// superAt decodes a superscript digit at s[i], returning its value and byte
// length, or -1.
func superAt(s string, i int) (int, int) {
	if i+1 < len(s) && s[i] == 0xC2 {
		switch s[i+1] {
		case 0xB9:
			return 1, 2
		case 0xB2:
			return 2, 2
		case 0xB3:
			return 3, 2
		}
		return -1, 0
	}
	if i+2 < len(s) && s[i] == 0xE2 && s[i+1] == 0x81 {
		if c := s[i+2]; c == 0xB0 || c >= 0xB4 && c <= 0xB9 {
			return int(c - 0xB0), 3
		}
	}
	return -1, 0
}

// matchClock tries to read a clock starting exactly at s[p]. It reproduces
// djangotribune's regular expression, look-around and backtracking
// included, and adds the dated forms and the @bouchot suffix:
//
//	[date] HH(:|)MM [ (same sep) SS [index] ] [@bouchot]
//
// The clock must not be preceded by an ASCII digit. Candidates are tried
// from the longest (seconds and a two-digit index) to the shortest (HH:MM),
// and the first one whose end is acceptable wins: an end is acceptable when
// it is followed by @name (the bouchot suffix) or by anything but an ASCII
// digit, ':' or '@'.
func matchClock(s string, p int) (Clock, bool) {
	if p > 0 && isDigit(s[p-1]) {
		return Clock{}, false
	}
	if y, mo, d, t, ok := matchDate(s, p); ok {
		if c, ok := matchTime(s, t, true); ok {
			c.Start, c.Year, c.Month, c.Day = p, y, mo, d
			c.Text = s[p:c.End]
			return c, true
		}
	}
	c, ok := matchTime(s, p, false)
	if ok {
		c.Text = s[p:c.End]
	}
	return c, ok
}

// matchDate reads a date prefix at s[p]: YYYY/MM/DD#, YYYY-MM-DDT,
// YYYY-MM-DD followed by a space, or MM/DD#. It returns the position where
// the time must start. A date that does not exist (month 13, April 31,
// February 29 of a common year, year 0000) is not a date, so
// "2008/28/03#21:42:42" keeps only its time. So does "2023/02/29#…": the
// MM/DD# at the end of a refused YYYY/MM/DD# is not read as a date of its
// own.
func matchDate(s string, p int) (year, month, day, next int, ok bool) {
	if p+11 <= len(s) && isDigit(s[p+2]) {
		y1, y2 := twoDigits(s, p), twoDigits(s, p+2)
		if y1 < 0 || y2 < 0 {
			return 0, 0, 0, 0, false
		}
		sep, end := s[p+4], s[p+10]
		if s[p+7] != sep || !(sep == '/' && end == '#' || sep == '-' && (end == 'T' || end == ' ')) {
			return 0, 0, 0, 0, false
		}
		year, month, day = y1*100+y2, twoDigits(s, p+5), twoDigits(s, p+8)
		if year == 0 || !validDate(year, month, day) {
			return 0, 0, 0, 0, false
		}
		return year, month, day, p + 11, true
	}
	if p+6 <= len(s) && s[p+2] == '/' && s[p+5] == '#' && !afterYear(s, p) {
		month, day = twoDigits(s, p), twoDigits(s, p+3)
		if validDate(0, month, day) {
			return 0, month, day, p + 6, true
		}
	}
	return 0, 0, 0, 0, false
}

// afterYear reports whether s[p] follows a "YYYY/" that could start a
// date (four digits not preceded by a digit).
func afterYear(s string, p int) bool {
	if p < 5 || s[p-1] != '/' || p > 5 && isDigit(s[p-6]) {
		return false
	}
	return twoDigits(s, p-5) >= 0 && twoDigits(s, p-3) >= 0
}

// validDate reports whether the date exists in the Gregorian calendar.
// Year 0 stands for the MM/DD# form, which has no year: its February has
// 29 days.
func validDate(year, month, day int) bool {
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	days := 31
	switch month {
	case 2:
		days = 28
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			days = 29 // year 0 included
		}
	case 4, 6, 9, 11:
		days = 30
	}
	return day <= days
}

// matchTime reads the time part at s[p]. After a date only the colon form
// with seconds is accepted.
func matchTime(s string, p int, dated bool) (Clock, bool) {
	c := Clock{Start: p}
	if p+1 >= len(s) {
		return c, false
	}
	switch h0, h1 := s[p], s[p+1]; {
	case h0 == '2' && h1 >= '0' && h1 <= '3', (h0 == '0' || h0 == '1') && isDigit(h1):
		c.Hour = int(h0-'0')*10 + int(h1-'0')
	default:
		return c, false
	}
	q := p + 2
	colon := q < len(s) && s[q] == ':'
	if colon {
		q++
	} else if dated || q+2 >= len(s) || s[q] < '0' || s[q] > '5' || !isDigit(s[q+1]) || s[q+2] != ':' && !isDigit(s[q+2]) {
		// Compact mode (no separator) needs the look-ahead of the
		// original: a minute digit pair then a digit or ':'.
		return c, false
	}
	if c.Minute = twoDigits(s, q); c.Minute < 0 || c.Minute > 59 {
		return c, false
	}
	q += 2

	// With seconds: the same separator, SS, then an optional index tried
	// longest first.
	sq := q
	if colon {
		if sq < len(s) && s[sq] == ':' {
			sq++
		} else {
			sq = -1
		}
	}
	if sq >= 0 {
		if sec := twoDigits(s, sq); sec >= 0 && sec <= 59 {
			c.Second, c.HasSeconds = sec, true
			se := sq + 2
			var ends [3]int
			var idx [3]int
			n := 0
			if v, size := superAt(s, se); v > 0 {
				if v2, size2 := superAt(s, se+size); v2 >= 0 {
					ends[n], idx[n] = se+size+size2, v*10+v2
					n++
				}
				ends[n], idx[n] = se+size, v
				n++
			} else if se+1 < len(s) && (s[se] == '^' || s[se] == ':') && s[se+1] >= '1' && s[se+1] <= '9' {
				v := int(s[se+1] - '0')
				if se+2 < len(s) && isDigit(s[se+2]) {
					ends[n], idx[n] = se+3, v*10+int(s[se+2]-'0')
					n++
				}
				ends[n], idx[n] = se+2, v
				n++
			}
			ends[n] = se
			n++
			for i := range n {
				if end, bouchot, ok := clockTail(s, ends[i]); ok {
					c.End, c.Index, c.Bouchot = end, idx[i], bouchot
					return c, true
				}
			}
			c.Second, c.HasSeconds = 0, false
		}
	}
	if dated {
		return c, false
	}
	end, bouchot, ok := clockTail(s, q)
	if !ok {
		return c, false
	}
	c.End, c.Bouchot = end, bouchot
	return c, true
}

// clockTail checks what follows a clock candidate ending at e: either a
// @bouchot suffix (consumed) or a character that is not a digit, ':' or
// '@' (the original's negative look-ahead).
func clockTail(s string, e int) (end int, bouchot string, ok bool) {
	if e >= len(s) {
		return e, "", true
	}
	switch c := s[e]; {
	case c == '@':
		f := e + 1
		for f < len(s) && isBouchotChar(s[f]) {
			f++
		}
		if f == e+1 {
			return 0, "", false
		}
		return f, s[e+1 : f], true
	case isDigit(c), c == ':':
		return 0, "", false
	}
	return e, "", true
}
