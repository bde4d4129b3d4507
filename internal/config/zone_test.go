package config

import (
	"errors"
	"testing"
	"time"
)

// The machine's zone is named after TZ or the /etc/localtime link, like
// Go's time.Local.
func TestLocalZoneName(t *testing.T) {
	for _, tc := range []struct {
		tz, link string
		tzSet    bool
		want     string
	}{
		{tzSet: true, tz: "Europe/Paris", want: "Europe/Paris"},
		{tzSet: true, tz: ":America/New_York", want: "America/New_York"},
		{tzSet: true, tz: "/usr/share/zoneinfo/Asia/Tokyo", want: "Asia/Tokyo"},
		{tzSet: true, tz: "", want: "UTC"},
		{tzSet: true, tz: "Mars/Olympus_Mons", want: ""},
		{tzSet: true, tz: "/home/me/my-zone", want: ""},
		{link: "/usr/share/zoneinfo/Europe/Paris", want: "Europe/Paris"},
		{link: "../usr/share/zoneinfo/Etc/UTC", want: "Etc/UTC"},
		{link: "/var/db/timezone/zoneinfo/Europe/Berlin", want: "Europe/Berlin"}, // macOS
		{link: "", want: ""}, // not a link: a copied file
		{tzSet: true, tz: "Europe/Lisbon", link: "/usr/share/zoneinfo/Europe/Paris", want: "Europe/Lisbon"},
	} {
		env := func(string) (string, bool) { return tc.tz, tc.tzSet }
		link := func(string) (string, error) {
			if tc.link == "" {
				return "", errors.New("not a link")
			}
			return tc.link, nil
		}
		if got := localZoneName(env, link); got != tc.want {
			t.Errorf("TZ %q (set %v), link %q: %q, want %q", tc.tz, tc.tzSet, tc.link, got, tc.want)
		}
	}
}

// A named zone is named after itself; a fixed offset has no name.
func TestZoneName(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		loc  *time.Location
		want string
	}{
		{paris, "Europe/Paris"},
		{time.UTC, "UTC"},
		{time.FixedZone("", 3600), ""},
	} {
		c := Config{Location: tc.loc}
		if got := c.ZoneName(); got != tc.want {
			t.Errorf("ZoneName of %v = %q, want %q", tc.loc, got, tc.want)
		}
	}
}

// The machine's zone, named from this machine's settings, is the zone
// time.Local uses (when it can be named at all). TRIBUNE_TIMEZONE empty
// means that zone.
func TestLocalZoneIsTimeLocal(t *testing.T) {
	c, err := load(t, nil, map[string]string{"TRIBUNE_TIMEZONE": ""})
	if err != nil {
		t.Fatal(err)
	}
	if c.Location != time.Local {
		t.Fatalf("empty TRIBUNE_TIMEZONE: location %v, want time.Local", c.Location)
	}
	name := c.ZoneName()
	if nilLoc := (&Config{}).ZoneName(); nilLoc != name {
		t.Errorf("ZoneName with no location = %q, with time.Local %q", nilLoc, name)
	}
	if name == "" {
		t.Skip("this machine's zone has no name")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Time{time.Date(2013, 1, 10, 12, 0, 0, 0, time.UTC), time.Date(2013, 7, 10, 12, 0, 0, 0, time.UTC), time.Now()} {
		_, want := at.In(time.Local).Zone()
		if _, got := at.In(loc).Zone(); got != want {
			t.Errorf("%s at %v: offset %d, time.Local %d", name, at, got, want)
		}
	}
}

// The zone is "unset" when nothing chose it: no TRIBUNE_TIMEZONE, no TZ,
// and the machine's /etc/localtime missing or UTC.
func TestZoneUnset(t *testing.T) {
	if _, offset := time.Now().In(time.Local).Zone(); offset != 0 {
		t.Skip("this process's local zone is not UTC")
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	for _, tc := range []struct {
		loc   *time.Location
		tzSet bool
		link  string
		want  bool
	}{
		{loc: time.Local, link: "", want: true},
		{loc: time.Local, link: "/usr/share/zoneinfo/Etc/UTC", want: true},
		{loc: nil, link: "/usr/share/zoneinfo/UTC", want: true},
		{loc: time.Local, link: "/usr/share/zoneinfo/Europe/London", want: false}, // UTC in winter, chosen all the same
		{loc: time.Local, tzSet: true, want: false},
		{loc: time.UTC, want: false}, // TRIBUNE_TIMEZONE=UTC
		{loc: paris, want: false},
	} {
		c := &Config{Location: tc.loc}
		env := func(k string) (string, bool) { return "", tc.tzSet && k == "TZ" }
		link := func(string) (string, error) {
			if tc.link == "" {
				return "", errors.New("no such file")
			}
			return tc.link, nil
		}
		if got := c.zoneUnset(env, link); got != tc.want {
			t.Errorf("zone %v, TZ set %v, link %q: unset %v, want %v", tc.loc, tc.tzSet, tc.link, got, tc.want)
		}
	}
}
