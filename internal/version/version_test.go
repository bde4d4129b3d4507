package version

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	vcs := func(revision, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: revision}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name string
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{"no build information", nil, false, base},
		{"released module", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, true, "1.2.0"},
		{"released module, commit recorded too", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}, Settings: vcs(rev, "false")}, true, "1.2.0"},
		{"pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.1-0.20260301120000-0123456789ab"}}, true, "0.1.1-0.20260301120000-0123456789ab"},
		{"version stamped from a dirty checkout", &debug.BuildInfo{Main: debug.Module{Version: "v0.1.1-0.20260301120000-0123456789ab+dirty"}}, true, "0.1.1-0.20260301120000-0123456789ab+dirty"},
		{"checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "false")}, true, base + "+0123456789ab"},
		{"dirty checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, true, base + "+0123456789ab-dirty"},
		{"short revision", &debug.BuildInfo{Main: debug.Module{Version: ""}, Settings: vcs("abc123", "false")}, true, base + "+abc123"},
		{"no version, no commit", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, base},
		{"test binary", &debug.BuildInfo{}, true, base},
		{"version unfit for a header", &debug.BuildInfo{Main: debug.Module{Version: "v1 \"2\""}}, true, base},
		{"revision unfit for a header", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("<bad>", "true")}, true, base},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fromBuildInfo(tt.info, tt.ok); got != tt.want {
				t.Errorf("fromBuildInfo = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestString checks what this very binary reports: the same value every
// time, fit for an XML attribute and a User-Agent token.
func TestString(t *testing.T) {
	v := String()
	if !isToken(v) {
		t.Errorf("String() = %q, not a token", v)
	}
	if again := String(); again != v {
		t.Errorf("String() = %q, then %q", v, again)
	}
	if want := fromBuildInfo(debug.ReadBuildInfo()); v != want {
		t.Errorf("String() = %q, build information says %q", v, want)
	}
}
