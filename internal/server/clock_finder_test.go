package server

import (
	"slices"
	"strings"
	"testing"
)

func TestClockFinder(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0")
		tr.clock.set(t, "2013-03-10 12:00:00")
		noon := c.say("/", "at noon")
		noon2 := c.say("/", "at noon again")
		tr.clock.set(t, "2013-03-10 12:00:30")
		half := c.say("/", "thirty seconds later")
		tr.clock.set(t, "2013-03-11 12:00:00")
		nextDay := c.say("/", "the next day at noon")
		tr.clock.set(t, "2013-03-11 13:00:00")
		c.say("/", "later")

		cases := []struct {
			clock string
			want  []int64
		}{
			{"12:00:00", []int64{noon, noon2, nextDay}},
			{"120000", []int64{noon, noon2, nextDay}},
			{"12:00", []int64{noon, noon2, half, nextDay}}, // the whole minute
			{"12:00:30", []int64{half}},
			{"12:00:00¹", []int64{noon, nextDay}},
			{"12:00:00^2", []int64{noon2}},
			{"12:00:00:2", []int64{noon2}},
			{"2013-03-10T12:00:00", []int64{noon, noon2}},
			{"2013-03-11%2012:00:00", []int64{nextDay}},
			{"2013-03-11T12:00:00@dlfp", []int64{nextDay}},
			{"03%2F10%2312:00:30", nil}, // MM/DD# guesses the latest past year: not 2013
			{"11:59:59", nil},
		}
		for _, tc := range cases {
			w := c.get("/clock/" + tc.clock + "/")
			if w.Code != 200 {
				t.Errorf("%s: %d %s", tc.clock, w.Code, w.Body)
				continue
			}
			if got := ids(decodeJSON(t, w)); !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v, want %v", tc.clock, got, tc.want)
			}
		}
		// No match is an empty list, not a 304.
		if w := c.get("/clock/11:11:11/"); w.Code != 200 || w.Body.String() != "[]" {
			t.Errorf("no match: %d %q", w.Code, w.Body)
		}
		// The XML variant, newest first.
		if got := postIDs(decodeXML(t, c.get("/clock/12:00:00/xml/"))); !slices.Equal(got, []int64{nextDay, noon2, noon}) {
			t.Errorf("xml: %v", got)
		}
		// The usual arguments apply.
		if got := ids(decodeJSON(t, c.get("/clock/12:00/?limit=2"))); !slices.Equal(got, []int64{half, nextDay}) {
			t.Errorf("limit: %v", got)
		}
		if got := ids(decodeJSON(t, c.get("/clock/12:00/?last_id=2"))); !slices.Equal(got, []int64{half, nextDay}) {
			t.Errorf("last_id: %v", got)
		}
		for _, bad := range []string{"1200", "12001", "33:57", "12:60", "12:00:00:0", "foo", "12:00:00x", "2013-13-01T12:00:00"} {
			w := c.get("/clock/" + bad + "/")
			if w.Code != 400 || !strings.HasPrefix(w.Body.String(), "Invalid clock format") {
				t.Errorf("%s: %d %q", bad, w.Code, w.Body)
			}
		}
	})
}

func TestClockFinderOnChannelAndDatedWithoutYear(t *testing.T) {
	tr := sqliteTribune(t, nil)
	if _, err := tr.st.CreateChannel(t.Context(), "troie", "Troie"); err != nil {
		t.Fatal(err)
	}
	c := tr.client("Mozilla/5.0")
	c.say("/troie/", "now")
	rows := decodeJSON(t, c.get("/troie/remote/json/"))
	clock := rows[0].Clock
	created := rows[0].Created // YYYYMMDDhhmmss
	dated := created[4:6] + "%2F" + created[6:8] + "%23" + clock
	for _, q := range []string{clock, dated, created[:4] + "-" + created[4:6] + "-" + created[6:8] + "T" + clock} {
		if got := decodeJSON(t, c.get("/troie/clock/"+q+"/")); len(got) != 1 {
			t.Errorf("%s: %v", q, got)
		}
	}
	if got := decodeJSON(t, c.get("/clock/"+clock+"/")); len(got) != 0 {
		t.Errorf("default channel found the troie message: %v", got)
	}
}
