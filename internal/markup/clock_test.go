package markup

import (
	"reflect"
	"strings"
	"testing"
)

// clockTexts returns the text of each clock FindClocks sees.
func clockTexts(s string) []string {
	var out []string
	for _, c := range FindClocks(s) {
		out = append(out, c.Text)
	}
	return out
}

// TestClockGrammarReference holds the verified table of the reference
// (§6.2), run against djangotribune's master parser, plus the rows the
// @bouchot improvement deliberately changes.
func TestClockGrammarReference(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"12:00", []string{"12:00"}},
		{"12:00:00", []string{"12:00:00"}},
		{"120000", []string{"120000"}},
		{"12:00:00^2", []string{"12:00:00^2"}},
		{"12:00:00:2", []string{"12:00:00:2"}},
		{"12:00:00²", []string{"12:00:00²"}},
		{"12:00:00¹⁰", []string{"12:00:00¹⁰"}},
		{"12:00:00²³", []string{"12:00:00²³"}},
		{"120000²", []string{"120000²"}},
		{"120000:3", []string{"120000:3"}},
		{"12:00:00^12", []string{"12:00:00^12"}},
		{"12:00:00^123", []string{"12:00:00"}},
		{"12:00:00^0", []string{"12:00:00"}},
		{"12:00:00:0", nil},
		{"12:00:00:", nil},
		{"12:00:001", nil},
		{"1200", nil},
		{"12:0", nil},
		{"9:15", nil},
		{"24:00", nil},
		{"23:60", nil},
		{"12:60", nil},
		{"12:00:60", nil},
		{"112:00", nil},
		{"1200001", nil},
		// Changed on purpose: a bouchot suffix now makes a clock.
		{"12:00@x", []string{"12:00@x"}},
		// Kept: '@' without a name is still a forbidden follower.
		{"12:00:00@", nil},
		{"12:00:00²@", []string{"12:00:00"}},
		{"12:00b", []string{"12:00"}},
		{"a12:00", []string{"12:00"}},
		{"1:00:11", []string{"00:11"}},
		{"2008/28/03#21:42:42", []string{"21:42:42"}},
		{"12:00:00²³⁴", []string{"12:00:00²³"}},
		{"23:59:59⁰", []string{"23:59:59"}},
		{"#21:42:42", []string{"21:42:42"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := clockTexts(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FindClocks(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestClocksParserCases is test_clocks of the reference (§13.3), which
// lists the clocks PostCleaner matched.
func TestClocksParserCases(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"No clock", nil},
		{"12:12", []string{"12:12"}},
		{"12:12:12", []string{"12:12:12"}},
		{"141523", []string{"141523"}},
		{"01:75:03", nil},
		{"14:15:23 Yep 14:15:23 Nope", []string{"14:15:23", "14:15:23"}},
		{"14:75:20 Pim 14:15:200 Pom", nil},
		{"2008/28/03#21:42:42 Fim fam foom", []string{"21:42:42"}},
		{"12:12:12 141523 16:15 01:75:03", []string{"12:12:12", "141523", "16:15"}},
		// From the gip samples: a date without separators is no date,
		// and its time is preceded by '#', so it is a clock.
		{"20082803#02:42:11 Horloge", []string{"02:42:11"}},
	}
	r := newTestRenderer(t, Options{})
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := clockTexts(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FindClocks(%q) = %q, want %q", tt.in, got, tt.want)
			}
			var rendered []string
			for _, c := range r.Render(tt.in).Clocks {
				rendered = append(rendered, c.Text)
			}
			if !reflect.DeepEqual(rendered, tt.want) {
				t.Errorf("Render(%q).Clocks = %q, want %q", tt.in, rendered, tt.want)
			}
		})
	}
}

// TestClockForms covers the forms added beyond djangotribune: dated
// prefixes and the @bouchot suffix, with every field of the result.
func TestClockForms(t *testing.T) {
	tests := []struct {
		in   string
		want Clock // Start, End and Text are checked against in
	}{
		{"12:34", Clock{Hour: 12, Minute: 34}},
		{"12:34:56", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true}},
		{"123456", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true}},
		{"123456^7", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Index: 7}},
		{"12:34:56¹", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Index: 1}},
		{"12:34:56⁴²", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Index: 42}},
		{"12:34:56¹⁰", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Index: 10}},
		{"12:34:56:99", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Index: 99}},
		{"12:34@dlfp", Clock{Hour: 12, Minute: 34, Bouchot: "dlfp"}},
		{"12:34:56@dlfp", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Bouchot: "dlfp"}},
		{"12:34:56²@dlfp", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Index: 2, Bouchot: "dlfp"}},
		{"12:34:56^2@dlfp", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Index: 2, Bouchot: "dlfp"}},
		{"12:34:56:12@Old_Board2", Clock{Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Index: 12, Bouchot: "Old_Board2"}},
		{"120000@x", Clock{Hour: 12, HasSeconds: true, Bouchot: "x"}},
		{"01/31#12:34:56", Clock{Month: 1, Day: 31, Hour: 12, Minute: 34, Second: 56, HasSeconds: true}},
		{"12/03#21:42:42²@euro", Clock{Month: 12, Day: 3, Hour: 21, Minute: 42, Second: 42, HasSeconds: true, Index: 2, Bouchot: "euro"}},
		{"2024/01/31#12:34:56", Clock{Year: 2024, Month: 1, Day: 31, Hour: 12, Minute: 34, Second: 56, HasSeconds: true}},
		{"2024-01-31T12:34:56", Clock{Year: 2024, Month: 1, Day: 31, Hour: 12, Minute: 34, Second: 56, HasSeconds: true}},
		{"2024-01-31 12:34:56", Clock{Year: 2024, Month: 1, Day: 31, Hour: 12, Minute: 34, Second: 56, HasSeconds: true}},
		{"2024-01-31T12:34:56^3@gc2", Clock{Year: 2024, Month: 1, Day: 31, Hour: 12, Minute: 34, Second: 56, HasSeconds: true, Index: 3, Bouchot: "gc2"}},
		{"0001-12-01T00:00:00", Clock{Year: 1, Month: 12, Day: 1, HasSeconds: true}},
		// Month lengths: the last day of each kind of month.
		{"2024-04-30T12:00:00", Clock{Year: 2024, Month: 4, Day: 30, Hour: 12, HasSeconds: true}},
		{"12/31#23:59:59", Clock{Month: 12, Day: 31, Hour: 23, Minute: 59, Second: 59, HasSeconds: true}},
		{"2024-02-29T12:00:00", Clock{Year: 2024, Month: 2, Day: 29, Hour: 12, HasSeconds: true}}, // leap year
		{"2000/02/29#12:00:00", Clock{Year: 2000, Month: 2, Day: 29, Hour: 12, HasSeconds: true}}, // leap (400)
		{"2023-02-28 12:00:00", Clock{Year: 2023, Month: 2, Day: 28, Hour: 12, HasSeconds: true}},
		{"02/29#12:00:00", Clock{Month: 2, Day: 29, Hour: 12, HasSeconds: true}}, // no year: may be a leap one
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			want := tt.want
			want.Start, want.End, want.Text = 0, len(tt.in), tt.in
			got, ok := ParseClock(tt.in)
			if !ok || got != want {
				t.Errorf("ParseClock(%q) = %+v, %v; want %+v", tt.in, got, ok, want)
			}
			// The same clock inside a sentence keeps its fields and
			// gets the shifted span.
			in := "ah " + tt.in + " !"
			found := FindClocks(in)
			want.Start, want.End = 3, 3+len(tt.in)
			if len(found) != 1 || found[0] != want {
				t.Errorf("FindClocks(%q) = %+v, want [%+v]", in, found, want)
			}
		})
	}
}

// TestClockFormsRefused lists dated and suffixed texts that are not
// (entirely) clocks, with what FindClocks keeps.
func TestClockFormsRefused(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"01/31#12:34", []string{"12:34"}},       // dated forms need seconds
		{"13/01#12:34:56", []string{"12:34:56"}}, // month 13
		{"00/10#12:34:56", []string{"12:34:56"}}, // month 0
		{"01/32#12:34:56", []string{"12:34:56"}}, // day 32
		{"01/00#12:34:56", []string{"12:34:56"}}, // day 0
		// A day the month does not have: the date is ignored, the
		// time after it is a clock, as for the invalid dates above.
		{"04/31#12:34:56", []string{"12:34:56"}},
		{"02/30#12:34:56", []string{"12:34:56"}},
		{"2024-02-31T12:34:56", []string{"12:34:56"}},
		{"2024-11-31 12:34:56", []string{"12:34:56"}},
		{"2023-02-29T12:00:00", []string{"12:00:00"}}, // not a leap year
		{"1900-02-29T12:00:00", []string{"12:00:00"}}, // nor is 1900
		// The MM/DD# at the end of a refused YYYY/MM/DD# is not a
		// date either.
		{"2023/02/29#12:00:00", []string{"12:00:00"}},
		{"0000/01/31#12:34:56", []string{"12:34:56"}},
		{"101/31#12:34:56", []string{"12:34:56"}},     // date preceded by a digit
		{"0000-01-31T12:34:56", []string{"12:34:56"}}, // year 0
		{"2024-01/31T12:34:56", []string{"12:34:56"}}, // mixed separators
		{"2024/01/31T12:34:56", []string{"12:34:56"}}, // '/' date needs '#'
		{"2024-01-31#12:34:56", []string{"12:34:56"}}, // '-' date needs 'T' or ' '
		{"2024-01-31T123456", []string{"123456"}},     // no compact time after a date; the time alone is a clock
		{"x/12/03#21:42:42", []string{"12/03#21:42:42"}},
		{"12008/01/31#12:00:00", []string{"01/31#12:00:00"}},
		{"2024-01-31T12:34:56.421", []string{"2024-01-31T12:34:56"}},
		{"12:34:56@", nil},
		{"12:34:56@@x", nil},
		{"12:34:56@x@y", []string{"12:34:56@x"}},
		{"12:34:56@dlfp: ok", []string{"12:34:56@dlfp"}},
		{"12:00:00^123@x", []string{"12:00:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := clockTexts(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("FindClocks(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestParseClockReference is ClockParserTest of the reference (§13.1).
// The original validated by prefix match; ParseClock wants the whole
// string, so the "undesired" prefix cases are refused here.
func TestParseClockReference(t *testing.T) {
	valid := []string{
		"00:00", "12:00", "23:59", "03:57",
		"000000", "235959", "00:00:00", "12:00:00", "23:59:59", "03:57:12",
		"000000^1", "235959^1", "00:00:00^1", "12:00:00^11", "23:59:59^35", "03:57:12^3",
		"120000:12", "12:00:00²",
	}
	invalid := []string{
		"", "foo", "foo:coco", "1200", "12001", "1200^1", "12001^1",
		"33:57", "12:67",
		"33:57:14", "12:67:01", "12:13:77",
		"33:57:14^1", "12:67:01^12", "12:13:77^5",
		// Accepted by djangotribune's prefix match only.
		"13:57:14^", "12:57:01^sss", "12:13:57^a", "12:45^1",
		// Surrounding text.
		" 12:00", "12:00 ", "a12:00",
	}
	for _, s := range valid {
		t.Run("valid "+s, func(t *testing.T) {
			if _, ok := ParseClock(s); !ok {
				t.Errorf("ParseClock(%q) refused", s)
			}
		})
	}
	for _, s := range invalid {
		t.Run("invalid "+s, func(t *testing.T) {
			if c, ok := ParseClock(s); ok {
				t.Errorf("ParseClock(%q) = %+v, want refusal", s, c)
			}
		})
	}
}

// TestClockParseValues is test_05_parse and test_06_time_object.
func TestClockParseValues(t *testing.T) {
	tests := []struct {
		in                   string
		hour, minute, second int
		index                int
		time                 string
	}{
		{"12:45", 12, 45, 0, 0, "12:45:00"},
		{"23:59:13", 23, 59, 13, 0, "23:59:13"},
		{"23:59:13^42", 23, 59, 13, 42, "23:59:13"},
		{"23:59:13^1", 23, 59, 13, 1, "23:59:13"},
		{"120000:12", 12, 0, 0, 12, "12:00:00"},
		{"235959", 23, 59, 59, 0, "23:59:59"},
		{"01/02#03:04:05", 3, 4, 5, 0, "03:04:05"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, ok := ParseClock(tt.in)
			if !ok {
				t.Fatalf("ParseClock(%q) refused", tt.in)
			}
			if c.Hour != tt.hour || c.Minute != tt.minute || c.Second != tt.second || c.Index != tt.index {
				t.Errorf("ParseClock(%q) = %+v", tt.in, c)
			}
			if got := c.Time(); got != tt.time {
				t.Errorf("Time() = %q, want %q", got, tt.time)
			}
		})
	}
}

func TestSuperscript(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "⁰"}, {1, "¹"}, {2, "²"}, {3, "³"}, {4, "⁴"}, {9, "⁹"},
		{10, "¹⁰"}, {12, "¹²"}, {99, "⁹⁹"}, {123, "¹²³"}, {-4, "⁻⁴"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Superscript(tt.n); got != tt.want {
				t.Errorf("Superscript(%d) = %q, want %q", tt.n, got, tt.want)
			}
			if tt.n >= 1 && tt.n <= 99 {
				// What Superscript writes, the clock grammar reads.
				c, ok := ParseClock("12:00:00" + tt.want)
				if !ok || c.Index != tt.n {
					t.Errorf("ParseClock(12:00:00%s) = %+v, %v", tt.want, c, ok)
				}
			}
		})
	}
}

func TestPaddedIndex(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "00"}, {1, "01"}, {2, "02"}, {9, "09"}, {12, "12"}, {99, "99"}, {100, "100"}, {123, "123"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := PaddedIndex(tt.n); got != tt.want {
				t.Errorf("PaddedIndex(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
	// The JSON clockclass is HHMMSS plus the padded index.
	c, _ := ParseClock("15:30:12")
	if got := strings.ReplaceAll(c.Time(), ":", "") + PaddedIndex(2); got != "15301202" {
		t.Errorf("clockclass = %q", got)
	}
}
