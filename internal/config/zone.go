package config

import (
	"os"
	"strings"
	"sync"
	"time"
)

// ZoneName is the IANA name of the tribune's zone, for the XML backend's
// timezone attribute: the name of Location, or for the machine's zone
// (TRIBUNE_TIMEZONE empty: time.Local, or a nil Location) the name TZ or the
// /etc/localtime link gives, as Go's time.Local was made from them, looked
// up once per process. "" when the zone has no name (a fixed offset, a
// zone file that is not a link).
func (c *Config) ZoneName() string {
	if c.Location != nil && c.Location != time.Local {
		if name := c.Location.String(); name != "Local" {
			return name
		}
	}
	return localZone()
}

var localZone = sync.OnceValue(func() string { return localZoneName(os.LookupEnv, os.Readlink) })

// localZoneName finds the name of the local zone the way Go's time package
// finds the zone itself: TZ (a name, or a path under a zoneinfo
// directory), else the zone file /etc/localtime links to.
func localZoneName(lookupEnv func(string) (string, bool), readlink func(string) (string, error)) string {
	tz, ok := lookupEnv("TZ")
	switch {
	case ok && tz == "":
		return "UTC" // what Go does with TZ=""
	case ok:
		tz = strings.TrimPrefix(tz, ":")
	default:
		if tz, _ = readlink("/etc/localtime"); tz == "" {
			return ""
		}
	}
	if i := strings.LastIndex(tz, "zoneinfo/"); i >= 0 {
		tz = tz[i+len("zoneinfo/"):]
	}
	if tz == "" || strings.HasPrefix(tz, "/") {
		return ""
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return ""
	}
	return tz
}

// ZoneUnset reports whether the tribune's clocks are in UTC only because
// nobody chose a zone: TRIBUNE_TIMEZONE is empty, TZ is not set, and the
// machine's zone (/etc/localtime) is missing or UTC, as on most servers
// and containers. serve then says how to set TRIBUNE_TIMEZONE.
func (c *Config) ZoneUnset(lookupEnv func(string) (string, bool)) bool {
	return c.zoneUnset(lookupEnv, os.Readlink)
}

func (c *Config) zoneUnset(lookupEnv func(string) (string, bool), readlink func(string) (string, error)) bool {
	if c.Location != nil && c.Location != time.Local {
		return false // chosen, UTC included
	}
	if _, ok := lookupEnv("TZ"); ok {
		return false
	}
	if _, offset := time.Now().In(time.Local).Zone(); offset != 0 {
		return false
	}
	switch localZoneName(func(string) (string, bool) { return "", false }, readlink) {
	case "", "UTC", "Etc/UTC", "Etc/UCT", "UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu", "Etc/GMT", "GMT":
		return true
	}
	return false
}
