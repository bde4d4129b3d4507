// Package version tells which tribune this is, from the build information
// the Go toolchain records in every binary: no -ldflags needed.
package version

import (
	"runtime/debug"
	"strings"
	"sync"
)

// base is the version of a build that carries none of its own: a tree
// built from a checkout, or a test binary.
const base = "0.1.0"

// String is the tribune's version, as discovery files and the User-Agent
// of outgoing requests show it. It is the main module's version when the
// binary was built from a released module ("go install …@v1.2.0" gives
// "1.2.0"; the leading "v" is dropped). Otherwise it is base, followed,
// when the build recorded its commit, by "+" and the commit's first 12
// hex digits, and "-dirty" when the tree had uncommitted changes:
// "0.1.0+0123456789ab-dirty".
//
// The result only ever holds letters, digits and ". + -", so it fits an XML
// attribute and a User-Agent product token as it is.
func String() string { return current() }

var current = sync.OnceValue(func() string { return fromBuildInfo(debug.ReadBuildInfo()) })

// fromBuildInfo computes String from what debug.ReadBuildInfo returned.
func fromBuildInfo(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return base
	}
	if v := strings.TrimPrefix(info.Main.Version, "v"); v != "" && v != "(devel)" && isToken(v) {
		return v
	}
	var revision string
	var dirty bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if revision == "" || !isToken(revision) {
		return base
	}
	v := base + "+" + revision
	if dirty {
		v += "-dirty"
	}
	return v
}

// isToken reports whether s holds only the characters a version may show:
// letters, digits, ".", "+" and "-".
func isToken(s string) bool {
	for _, c := range []byte(s) {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '.', c == '+', c == '-':
		default:
			return false
		}
	}
	return s != ""
}
