package cli_test

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/version"
)

func TestVersion(t *testing.T) {
	tr := &tribune{t: t, env: map[string]string{}}
	want := fmt.Sprintf("tribune %s (%s %s/%s)\n", version.String(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, args := range [][]string{{"version"}, {"-version"}, {"--version"}} {
		if out := tr.ok("", args...); out != want {
			t.Errorf("%v: %q, want %q", args, out, want)
		}
	}
	tr.fails(2, []string{"version takes no arguments"}, "", "version", "now")
	if r := tr.run("", "help"); !strings.Contains(r.stderr, "  version ") {
		t.Errorf("the usage does not list version:\n%s", r.stderr)
	}
}

// A command's -h tells what the command does and its own flags, not the
// settings table (which serve -h and config -h print).
func TestCommandHelp(t *testing.T) {
	tr := &tribune{t: t, env: map[string]string{}}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"user", "-h"}, []string{"Usage: tribune user create NAME", "  -role\n", "'tribune serve -h' lists them"}},
		{[]string{"channel", "-h"}, []string{"Usage: tribune channel create SLUG TITLE", "  -mode\n", "  -moderator\n", "  -auto-moderate-as\n"}},
		{[]string{"migrate", "-h"}, []string{"Usage: tribune migrate", "'tribune serve -h' lists them"}},
		{[]string{"user", "create", "-h"}, []string{"Usage: tribune user create NAME"}},
	} {
		r := tr.run("", c.args...)
		if r.err != nil {
			t.Errorf("%v: %v", c.args, r.err)
		}
		for _, w := range c.want {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%v does not say %q:\n%s", c.args, w, r.stderr)
			}
		}
		if n := strings.Count(r.stderr, "\n"); n > 25 || strings.Contains(r.stderr, "TRIBUNE_TITLES_AVAILABLE") {
			t.Errorf("%v prints %d lines, the settings among them:\n%s", c.args, n, r.stderr)
		}
	}
	for _, args := range [][]string{{"serve", "-h"}, {"config", "-h"}} {
		if r := tr.run("", args...); !strings.Contains(r.stderr, "TRIBUNE_TITLES_AVAILABLE") {
			t.Errorf("%v does not list the settings", args)
		}
	}
}

// A boolean setting's flag alone means true, as the flag package's own
// booleans do; a value still works.
func TestBooleanFlags(t *testing.T) {
	tr := &tribune{t: t, env: map[string]string{}}
	out := tr.ok("", "config", "-log-requests", "-locked", "-signup=false", "-captcha=yes")
	for _, want := range []string{"TRIBUNE_LOG_REQUESTS=true\n", "TRIBUNE_LOCKED=true\n", "TRIBUNE_SIGNUP=false\n", "TRIBUNE_CAPTCHA=true\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("config does not say %q:\n%s", want, out)
		}
	}
	tr.fails(2, []string{"not a boolean"}, "", "config", "-locked=maybe")
}

// The durations print as the documentation writes them: 5/1h, not
// 5/1h0m0s, and they read back the same.
func TestDurationsAsDocumented(t *testing.T) {
	tr := &tribune{t: t, env: map[string]string{"TRIBUNE_POST_RATE_LIMIT": "3/90m"}}
	out := tr.ok("", "config")
	for _, want := range []string{"TRIBUNE_SIGNUP_RATE_LIMIT=5/1h\n", "TRIBUNE_LOGIN_RATE_LIMIT=10/1m\n",
		"TRIBUNE_PASSWORD_CACHE=5m\n", "TRIBUNE_SHUTDOWN_TIMEOUT=5s\n", "TRIBUNE_POST_RATE_LIMIT=3/1h30m\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("config does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "0m0s") {
		t.Errorf("a duration in Go's long form:\n%s", out)
	}
}

// A TRIBUNE_ variable that names no setting is reported, with the
// setting it was likely meant to be.
func TestUnknownEnvironment(t *testing.T) {
	tr := &tribune{t: t, env: map[string]string{
		"TRIBUNE_TIMEZON":       "Europe/Paris",
		"TRIBUNE_FROBNICATE":    "1",
		"TRIBUNE_TEST_POSTGRES": "postgres://…", // the test suite's own
		"TRIBUNE_LOG_FORMAT":    "json",
	}}
	r := tr.run("", "config")
	if r.err != nil {
		t.Fatal(r.err)
	}
	var warned []string
	for line := range strings.Lines(r.stderr) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["level"] == "WARN" {
			warned = append(warned, rec["msg"].(string))
		}
	}
	want := map[string]bool{
		"unknown environment variable TRIBUNE_TIMEZON: did you mean TRIBUNE_TIMEZONE?": true,
		"unknown environment variable TRIBUNE_FROBNICATE: no setting has that name":    true,
	}
	if len(warned) != len(want) || !want[warned[0]] || !want[warned[1]] {
		t.Errorf("warnings: %q", warned)
	}
}

// The command line's changes are in the audit trail too, by "command
// line".
func TestCommandLineAudit(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate")
		tr.env["TRIBUNE_LOG_FORMAT"] = "json"
		audit := func(r result, event string, fields map[string]string) {
			t.Helper()
			for line := range strings.Lines(r.stderr) {
				var rec map[string]any
				if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "audit" || rec["event"] != event {
					continue
				}
				ok := rec["by"] == "command line" && rec["level"] == "INFO"
				for k, v := range fields {
					ok = ok && fmt.Sprint(rec[k]) == v
				}
				if ok {
					return
				}
			}
			t.Errorf("no audit line %s %v by the command line:\n%s", event, fields, r.stderr)
		}
		audit(tr.run("s3cret-pass\n", "user", "create", "nono", "-role", "admin"), "account_created",
			map[string]string{"user": "nono", "role": "admin"})
		audit(tr.run("", "user", "role", "nono", "moderator"), "role_changed", map[string]string{"user": "nono", "role": "moderator"})
		r := tr.run("an0ther-pass\n", "user", "passwd", "nono")
		audit(r, "password_set", map[string]string{"user": "nono"})
		if strings.Contains(r.stderr, "an0ther-pass") {
			t.Error("the password is in the log")
		}
		audit(tr.run("", "channel", "create", "troie", "Troie"), "channel_created", map[string]string{"channel": "troie"})
		audit(tr.run("", "channel", "moderate", "troie", "-mode", "manual"), "channel_moderation",
			map[string]string{"channel": "troie", "mode": "manual"})
		audit(tr.run("", "channel", "delete", "troie"), "channel_deleted", map[string]string{"channel": "troie"})
		audit(tr.run("", "user", "delete", "nono"), "account_deleted", map[string]string{"user": "nono"})
	})
}
