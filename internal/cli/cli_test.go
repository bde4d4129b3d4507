package cli_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/cli"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

var ctx = context.Background()

// tribune is the command line of one test, on one database.
type tribune struct {
	t   *testing.T
	dsn string
	env map[string]string
}

// each runs fn on every test database (SQLite always, PostgreSQL when
// configured).
func each(t *testing.T, fn func(t *testing.T, tr *tribune)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			fn(t, &tribune{t: t, dsn: b.DSN, env: map[string]string{
				"TRIBUNE_DB":                  b.DSN,
				"TRIBUNE_PASSWORD_MEMORY_KIB": "64",
				"TRIBUNE_TIMEZONE":            "Europe/Paris",
			}})
		})
	}
}

type result struct {
	stdout, stderr string
	err            error
}

// run runs the command with stdin as standard input.
func (tr *tribune) run(stdin string, args ...string) result {
	tr.t.Helper()
	var stdout, stderr bytes.Buffer
	err := cli.Run(ctx, args, cli.Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		LookupEnv: func(k string) (string, bool) {
			v, ok := tr.env[k]
			return v, ok
		},
		Environ: func() []string {
			var kv []string
			for k, v := range tr.env {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
	})
	return result{stdout.String(), stderr.String(), err}
}

// ok runs the command and fails the test if it fails.
func (tr *tribune) ok(stdin string, args ...string) string {
	tr.t.Helper()
	r := tr.run(stdin, args...)
	if r.err != nil {
		tr.t.Fatalf("tribune %s: %v\nstderr: %s", strings.Join(args, " "), r.err, r.stderr)
	}
	return r.stdout
}

// fails runs the command, expects it to fail with the exit code and an
// error mentioning each of want, and returns its result.
func (tr *tribune) fails(code int, want []string, stdin string, args ...string) result {
	tr.t.Helper()
	r := tr.run(stdin, args...)
	if r.err == nil {
		tr.t.Fatalf("tribune %s succeeded: %s", strings.Join(args, " "), r.stdout)
	}
	if got := cli.ExitCode(r.err); got != code {
		tr.t.Errorf("tribune %s: exit code %d, want %d (%v)", strings.Join(args, " "), got, code, r.err)
	}
	for _, w := range want {
		if !strings.Contains(r.err.Error(), w) {
			tr.t.Errorf("tribune %s: error %q does not mention %q", strings.Join(args, " "), r.err, w)
		}
	}
	return r
}

// store opens the test database directly.
func (tr *tribune) store() *store.Store {
	tr.t.Helper()
	s, err := store.Open(ctx, tr.dsn, store.Options{})
	if err != nil {
		tr.t.Fatal(err)
	}
	tr.t.Cleanup(func() { s.Close() })
	return s
}

func (tr *tribune) channel(slug string) model.Channel {
	tr.t.Helper()
	c, err := tr.store().Channel(ctx, slug)
	if err != nil {
		tr.t.Fatalf("channel %q: %v", slug, err)
	}
	return c
}

// table splits tabwriter output into rows of fields (fields are separated
// by two spaces or more).
func table(out string) [][]string {
	var rows [][]string
	sep := regexp.MustCompile(`\s{2,}`)
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		rows = append(rows, sep.Split(strings.TrimRight(line, " "), -1))
	}
	return rows
}

func TestUsage(t *testing.T) {
	tr := &tribune{t: t, env: map[string]string{}}
	r := tr.run("")
	if r.err == nil || cli.ExitCode(r.err) != 2 || !strings.Contains(r.stderr, "Usage: tribune COMMAND") {
		t.Errorf("no command: %v (exit %d), stderr %q", r.err, cli.ExitCode(r.err), r.stderr)
	}
	for _, name := range []string{"serve", "migrate", "channel", "user", "token", "config"} {
		if !strings.Contains(r.stderr, "  "+name+" ") {
			t.Errorf("usage does not list %s:\n%s", name, r.stderr)
		}
	}
	for _, h := range []string{"help", "-h", "--help"} {
		if r := tr.run("", h); r.err != nil || !strings.Contains(r.stderr, "Usage: tribune COMMAND") {
			t.Errorf("%s: %v, stderr %q", h, r.err, r.stderr)
		}
	}
	tr.fails(2, []string{`unknown command "frobnicate"`}, "", "frobnicate")
}

func TestExitCode(t *testing.T) {
	if got := cli.ExitCode(errors.New("boom")); got != 1 {
		t.Errorf("ExitCode(plain error) = %d", got)
	}
	if got := cli.ExitCode(flag.ErrHelp); got != 2 {
		t.Errorf("ExitCode(flag.ErrHelp) = %d", got)
	}
}

func TestMigrate(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		out := tr.ok("", "migrate")
		m := regexp.MustCompile(`^applied (\d+) migration\(s\); schema at version (\d+)\n$`).FindStringSubmatch(out)
		if m == nil || m[1] == "0" || m[1] != m[2] {
			t.Fatalf("first migrate: %q", out)
		}
		if again := tr.ok("", "migrate"); again != "applied 0 migration(s); schema at version "+m[2]+"\n" {
			t.Errorf("second migrate: %q", again)
		}
		current, latest, err := tr.store().SchemaVersion(ctx)
		if err != nil || current != latest || current == 0 {
			t.Errorf("schema %d of %d, %v", current, latest, err)
		}
		tr.fails(2, []string{"migrate takes no arguments"}, "", "migrate", "now")
	})
}

func TestChannelCommands(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate") // the commands create no database
		if out := tr.ok("", "channel", "create", "troie", "La guerre de Troie"); out != "created channel troie (La guerre de Troie)\n" {
			t.Errorf("create: %q", out)
		}
		if c := tr.channel("troie"); c.Title != "La guerre de Troie" || c.Mode != "open" {
			t.Errorf("created %+v", c)
		}

		failures := []struct {
			name string
			code int
			want []string
			args []string
		}{
			{"duplicate", 1, []string{`channel "troie" already exists`}, []string{"channel", "create", "troie", "Again"}},
			{"reserved slug", 1, []string{`"remote"`, "cannot name a channel"}, []string{"channel", "create", "remote", "Remote"}},
			{"reserved slug in capitals", 1, []string{"cannot name a channel"}, []string{"channel", "create", "Static", "Static"}},
			{"slug with a space", 1, []string{"letters, digits"}, []string{"channel", "create", "a b", "Title"}},
			{"slug with an accent", 1, []string{"letters, digits"}, []string{"channel", "create", "café", "Title"}},
			{"slug too long", 1, []string{"1 to 75"}, []string{"channel", "create", strings.Repeat("a", 76), "Title"}},
			{"empty title", 1, []string{"1 to 100"}, []string{"channel", "create", "empty", "   "}},
			{"title too long", 1, []string{"1 to 100"}, []string{"channel", "create", "long", strings.Repeat("é", 101)}},
			{"no action", 2, []string{"channel needs an action"}, []string{"channel"}},
			{"unknown action", 2, []string{`unknown channel action "explode"`}, []string{"channel", "explode"}},
			{"create without title", 2, []string{"channel create takes 2 argument(s)"}, []string{"channel", "create", "solo"}},
			{"delete with two slugs", 2, []string{"channel delete takes 1 argument(s)"}, []string{"channel", "delete", "a", "b"}},
			{"list with an argument", 2, []string{"channel list takes 0 argument(s)"}, []string{"channel", "list", "x"}},
			{"unknown flag", 2, []string{"-nope"}, []string{"channel", "list", "-nope"}},
			{"bad setting flag value", 2, []string{"messages-max-limit"}, []string{"channel", "list", "-messages-max-limit", "many"}},
			{"rename unknown", 1, []string{`no channel "atlantis"`}, []string{"channel", "rename", "atlantis", "Lost"}},
			{"rename to an empty title", 1, []string{"1 to 100"}, []string{"channel", "rename", "troie", ""}},
			{"delete unknown", 1, []string{`no channel "atlantis"`}, []string{"channel", "delete", "atlantis"}},
			{"delete the default channel", 1, []string{"default channel cannot be deleted"}, []string{"channel", "delete", ""}},
		}
		for _, tc := range failures {
			t.Run(tc.name, func(t *testing.T) {
				tr := &tribune{t: t, dsn: tr.dsn, env: tr.env}
				tr.fails(tc.code, tc.want, "", tc.args...)
			})
		}
		for _, slug := range []string{"remote", "Static", "a b", "café", "empty", "long", "solo"} {
			if _, err := tr.store().Channel(ctx, slug); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("refused channel %q exists (%v)", slug, err)
			}
		}
		if c := tr.channel(""); c.Title == "" {
			t.Error("the default channel is gone")
		}

		if out := tr.ok("", "channel", "rename", "troie", "Troy"); out != "renamed channel troie to Troy\n" {
			t.Errorf("rename: %q", out)
		}
		if c := tr.channel("troie"); c.Title != "Troy" {
			t.Errorf("renamed title %q", c.Title)
		}
		tr.ok("", "channel", "create", "ithaque", "Ithaque")

		rows := table(tr.ok("", "channel", "list"))
		want := [][]string{
			{"SLUG", "TITLE", "MODERATION", "AUTO-MODERATE-AS", "MODERATORS"},
			{"(default)", "Tribune", "open", "(site: pending)", "(none)"},
			{"ithaque", "Ithaque", "open", "(site: pending)", "(none)"},
			{"troie", "Troy", "open", "(site: pending)", "(none)"},
		}
		sortRows(rows)
		if !slices.EqualFunc(rows, want, slices.Equal) {
			t.Errorf("list:\n got %q\nwant %q", rows, want)
		}

		if out := tr.ok("", "channel", "delete", "troie"); out != "deleted channel troie and its messages\n" {
			t.Errorf("delete: %q", out)
		}
		if _, err := tr.store().Channel(ctx, "troie"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted channel still there: %v", err)
		}
		tr.fails(1, []string{`no channel "troie"`}, "", "channel", "delete", "troie")
		// The slug is free again.
		tr.ok("", "channel", "create", "troie", "Troie II")
	})
}

// sortRows sorts a listing's data rows by slug, keeping the header first
// and the default channel second.
func sortRows(rows [][]string) {
	if len(rows) > 2 {
		slices.SortFunc(rows[2:], func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	}
}

func TestChannelModerate(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate") // the commands create no database
		tr.ok("", "channel", "create", "troie", "Troie")
		policy := func(mode string, mods []string, as string) {
			t.Helper()
			if c := tr.channel("troie"); c.Mode != mode || !slices.Equal(c.Moderators, mods) || c.AutoModerateAs != as {
				t.Errorf("stored policy %q %q %q, want %q %q %q", c.Mode, c.Moderators, c.AutoModerateAs, mode, mods, as)
			}
		}

		// Flags after the slug, repeated -moderator in order; the answer
		// is the resulting policy.
		out := tr.ok("", "channel", "moderate", "troie", "-mode", "auto", "-moderator", "links:2", "-moderator", "caps:50#shouting", "-auto-moderate-as", "reject")
		if out != `channel troie: moderation auto; moderators "links:2" "caps:50#shouting"; auto-moderate-as reject`+"\n" {
			t.Errorf("moderate: %q", out)
		}
		policy("auto", []string{"links:2", "caps:50#shouting"}, "reject")
		rows := table(tr.ok("", "channel", "list"))
		sortRows(rows)
		if len(rows) != 3 || !slices.Equal(rows[2], []string{"troie", "Troie", "auto", "reject", `"links:2" "caps:50#shouting"`}) {
			t.Errorf("list: %q", rows)
		}

		// Bad policies are refused with a clear error, the stored one kept.
		failures := []struct {
			name string
			code int
			want []string
			args []string
		}{
			{"unknown moderator kind", 1, []string{`bad moderator spec "bogus:1"`, "unknown kind"}, []string{"-mode", "auto", "-moderator", "bogus:1"}},
			{"spec without argument", 1, []string{`bad moderator spec "links"`}, []string{"-mode", "auto", "-moderator", "links"}},
			{"bad links argument", 1, []string{`bad moderator spec "links:many"`}, []string{"-mode", "auto", "-moderator", "links:many"}},
			{"one bad spec among good ones", 1, []string{`"caps:x"`}, []string{"-mode", "auto", "-moderator", "links:2", "-moderator", "caps:x"}},
			{"bad spec alone", 1, []string{`"caps:x"`}, []string{"-moderator", "caps:x"}},
			{"bad mode", 1, []string{"sometimes"}, []string{"-mode", "sometimes"}},
			{"empty mode", 1, []string{`""`}, []string{"-mode", ""}},
			{"bad verdict", 1, []string{"maybe"}, []string{"-mode", "auto", "-auto-moderate-as", "maybe"}},
			{"mode without value", 2, []string{"-mode"}, []string{"-mode"}},
		}
		for _, tc := range failures {
			t.Run(tc.name, func(t *testing.T) {
				tr := &tribune{t: t, dsn: tr.dsn, env: tr.env}
				tr.fails(tc.code, tc.want, "", append([]string{"channel", "moderate", "troie"}, tc.args...)...)
				if c := tr.channel("troie"); c.Mode != "auto" || len(c.Moderators) != 2 || c.AutoModerateAs != "reject" {
					t.Errorf("a refused policy changed the channel: %+v", c)
				}
			})
		}
		tr.fails(1, []string{`no channel "atlantis"`}, "", "channel", "moderate", "atlantis", "-mode", "manual")

		// A flag not given keeps its stored value.
		tr.ok("", "channel", "moderate", "troie", "-mode", "manual")
		policy("manual", []string{"links:2", "caps:50#shouting"}, "reject")
		tr.ok("", "channel", "moderate", "troie", "-auto-moderate-as", "accept")
		policy("manual", []string{"links:2", "caps:50#shouting"}, "accept")
		// -moderator replaces the whole chain; a spec may hold spaces and
		// "|", so listings quote each.
		out = tr.ok("", "channel", "moderate", "troie", "-moderator", "words:a|b#no, thanks | really")
		if want := `channel troie: moderation manual; moderators "words:a|b#no, thanks | really"; auto-moderate-as accept` + "\n"; out != want {
			t.Errorf("moderate: %q, want %q", out, want)
		}
		policy("manual", []string{"words:a|b#no, thanks | really"}, "accept")
		// No flag at all: the policy is shown, unchanged.
		if out := tr.ok("", "channel", "moderate", "troie"); out != `channel troie: moderation manual; moderators "words:a|b#no, thanks | really"; auto-moderate-as accept`+"\n" {
			t.Errorf("moderate without flags: %q", out)
		}
		policy("manual", []string{"words:a|b#no, thanks | really"}, "accept")

		// -mode auto without -moderator empties the chain, keeping the
		// verdict; -auto-moderate-as '' goes back to the site default.
		if out := tr.ok("", "channel", "moderate", "troie", "-mode", "auto"); out != "channel troie: moderation auto; moderators (none); auto-moderate-as accept\n" {
			t.Errorf("moderate without moderators: %q", out)
		}
		policy("auto", nil, "accept")
		tr.env["TRIBUNE_AUTO_MODERATE_AS"] = "reject"
		if out := tr.ok("", "channel", "moderate", "troie", "-auto-moderate-as", ""); out != "channel troie: moderation auto; moderators (none); auto-moderate-as (site: reject)\n" {
			t.Errorf("moderate back to the site default: %q", out)
		}
		policy("auto", nil, "")
		rows = table(tr.ok("", "channel", "list"))
		sortRows(rows)
		if len(rows) != 3 || !slices.Equal(rows[2], []string{"troie", "Troie", "auto", "(site: reject)", "(none)"}) {
			t.Errorf("list: %q", rows)
		}

		// Flags before the slug work too, and "default" names the default
		// channel.
		if out := tr.ok("", "channel", "moderate", "-mode", "manual", "default"); out != "channel (default): moderation manual; moderators (none); auto-moderate-as (site: reject)\n" {
			t.Errorf("moderate default: %q", out)
		}
		if c := tr.channel(""); c.Mode != "manual" {
			t.Errorf("default channel mode %q", c.Mode)
		}
		tr.ok("", "channel", "moderate", "troie", "-mode", "open")
		policy("open", nil, "")
	})
}

func TestUserCommands(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate") // the commands create no database
		const pw = "correct horse battery"
		if out := tr.ok(pw+"\n", "user", "create", "superman", "-role", "moderator"); out != "created account superman (role moderator)\n" {
			t.Errorf("create: %q", out)
		}
		u, err := tr.store().UserByName(ctx, "superman")
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != model.RoleModerator || u.Username != "superman" {
			t.Errorf("created %+v", u)
		}
		if err := auth.Verify(u.PasswordHash, pw); err != nil {
			t.Errorf("stored hash does not verify the password: %v", err)
		}
		if !strings.Contains(u.PasswordHash, "m=64,") {
			t.Errorf("hash %q ignores TRIBUNE_PASSWORD_MEMORY_KIB", u.PasswordHash)
		}
		// The first line only, CR LF accepted; the default role is user.
		if out := tr.ok("pass word\r\nignored\n", "user", "create", "batman"); out != "created account batman (role user)\n" {
			t.Errorf("create batman: %q", out)
		}
		if b, err := tr.store().UserByName(ctx, "batman"); err != nil || auth.Verify(b.PasswordHash, "pass word") != nil {
			t.Errorf("batman's password: %v", err)
		}
		// A password without a final newline is read too.
		tr.ok("no newline here", "user", "create", "robin")

		failures := []struct {
			name, stdin string
			code        int
			want        []string
			args        []string
		}{
			{"no password", "", 1, []string{"no password"}, []string{"user", "create", "joker"}},
			{"empty line", "\n", 1, []string{"no password"}, []string{"user", "create", "joker"}},
			{"short password", "short\n", 1, []string{"8 to 200"}, []string{"user", "create", "joker"}},
			{"bad name", pw + "\n", 1, []string{"user name"}, []string{"user", "create", "a b"}},
			{"one-letter name", pw + "\n", 1, []string{"2 to 30"}, []string{"user", "create", "j"}},
			{"duplicate", pw + "\n", 1, []string{`user "superman" already exists`}, []string{"user", "create", "superman"}},
			{"duplicate in another case", pw + "\n", 1, []string{"already exists"}, []string{"user", "create", "SuperMan"}},
			{"look-alike", pw + "\n", 1, []string{`user name "superrnan" looks like an existing one`}, []string{"user", "create", "superrnan"}},
			{"mixed scripts", pw + "\n", 1, []string{"one script"}, []string{"user", "create", "ѕuperman"}},
			{"unknown role", pw + "\n", 2, []string{`unknown role "god"`}, []string{"user", "create", "joker", "-role", "god"}},
			{"no action", "", 2, []string{"user needs an action"}, []string{"user"}},
			{"unknown action", "", 2, []string{`unknown user action "ban"`}, []string{"user", "ban", "joker"}},
			{"create without name", pw + "\n", 2, []string{"user create takes 1 argument(s)"}, []string{"user", "create"}},
			{"passwd unknown", pw + "\n", 1, []string{`no user "joker"`}, []string{"user", "passwd", "joker"}},
			{"passwd short", "short\n", 1, []string{"8 to 200"}, []string{"user", "passwd", "superman"}},
			{"role unknown user", "", 1, []string{`no user "joker"`}, []string{"user", "role", "joker", "admin"}},
			{"bad role", "", 2, []string{`unknown role "king"`}, []string{"user", "role", "superman", "king"}},
			{"delete unknown", "", 1, []string{`no user "joker"`}, []string{"user", "delete", "joker"}},
		}
		for _, tc := range failures {
			t.Run(tc.name, func(t *testing.T) {
				tr := &tribune{t: t, dsn: tr.dsn, env: tr.env}
				tr.fails(tc.code, tc.want, tc.stdin, tc.args...)
			})
		}
		for _, name := range []string{"joker", "a b", "j"} {
			if _, err := tr.store().UserByName(ctx, name); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("refused user %q exists (%v)", name, err)
			}
		}
		if u, _ := tr.store().UserByName(ctx, "superman"); auth.Verify(u.PasswordHash, pw) != nil {
			t.Error("a refused passwd changed the password")
		}

		// passwd: the old password fails, the new one verifies, and the
		// sessions opened with the old one end.
		st := tr.store()
		if err := st.SaveSession(ctx, store.SessionRow{ID: "s1", UserID: u.ID, Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		const newPW = "new password 2"
		if out := tr.ok(newPW+"\n", "user", "passwd", "superman"); out != "changed the password of superman\n" {
			t.Errorf("passwd: %q", out)
		}
		u, err = tr.store().UserByName(ctx, "superman")
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.Verify(u.PasswordHash, pw); !errors.Is(err, auth.ErrMismatch) {
			t.Errorf("old password after passwd: %v", err)
		}
		if err := auth.Verify(u.PasswordHash, newPW); err != nil {
			t.Errorf("new password after passwd: %v", err)
		}
		if _, err := st.Session(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session survived passwd: %v", err)
		}

		if out := tr.ok("", "user", "role", "superman", "admin"); out != "superman is now admin\n" {
			t.Errorf("role: %q", out)
		}
		if u, _ := tr.store().UserByName(ctx, "superman"); u.Role != model.RoleAdmin {
			t.Errorf("role %q after user role", u.Role)
		}

		rows := table(tr.ok("", "user", "list"))
		if len(rows) != 4 || !slices.Equal(rows[0], []string{"NAME", "ROLE", "CREATED"}) {
			t.Fatalf("list: %q", rows)
		}
		roles := map[string]string{}
		created := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$`)
		for _, row := range rows[1:] {
			if len(row) != 3 || !created.MatchString(row[2]) {
				t.Errorf("list row %q", row)
				continue
			}
			roles[row[0]] = row[1]
		}
		if want := map[string]string{"superman": "admin", "batman": "user", "robin": "user"}; !mapsEqual(roles, want) {
			t.Errorf("listed roles %v, want %v", roles, want)
		}

		if out := tr.ok("", "user", "delete", "batman"); out != "deleted batman (their messages stay)\n" {
			t.Errorf("delete: %q", out)
		}
		if _, err := tr.store().UserByName(ctx, "batman"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted user: %v", err)
		}
		tr.fails(1, []string{`no user "batman"`}, "", "user", "delete", "batman")
		if rows := table(tr.ok("", "user", "list")); len(rows) != 3 {
			t.Errorf("list after delete: %q", rows)
		}
	})
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestConfigMasksSecrets(t *testing.T) {
	tr := &tribune{t: t, env: map[string]string{
		"TRIBUNE_DB":             "/nonexistent/tribune.db",
		"TRIBUNE_TIMEZONE":       "Europe/Paris",
		"TRIBUNE_LASTFM_API_KEY": "s3cr3t-k3y",
	}}
	out := tr.ok("", "config")
	lines := strings.Split(out, "\n")
	for _, want := range []string{"TRIBUNE_LASTFM_API_KEY=********", "TRIBUNE_TIMEZONE=Europe/Paris", "TRIBUNE_DB=/nonexistent/tribune.db"} {
		if !slices.Contains(lines, want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "s3cr3t") {
		t.Errorf("the secret is printed:\n%s", out)
	}
	// Every setting is printed once.
	for _, s := range config.Settings() {
		n := 0
		for _, l := range lines {
			if strings.HasPrefix(l, s.Env+"=") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s printed %d times", s.Env, n)
		}
	}
	// An empty secret shows as empty, and flags beat the environment.
	delete(tr.env, "TRIBUNE_LASTFM_API_KEY")
	out = tr.ok("", "config", "-timezone", "UTC")
	lines = strings.Split(out, "\n")
	if !slices.Contains(lines, "TRIBUNE_LASTFM_API_KEY=") || !slices.Contains(lines, "TRIBUNE_TIMEZONE=UTC") {
		t.Errorf("config output:\n%s", out)
	}
	// A bad setting is refused.
	tr.env["TRIBUNE_TIMEZONE"] = "Mars/Olympus_Mons"
	tr.fails(1, []string{"TRIBUNE_TIMEZONE"}, "", "config")
}

func TestServeHelp(t *testing.T) {
	tr := &tribune{t: t, env: map[string]string{}}
	r := tr.run("", "serve", "-h")
	if r.err != nil {
		t.Fatalf("serve -h: %v", r.err)
	}
	if r.stdout != "" {
		t.Errorf("help on stdout: %q", r.stdout)
	}
	if !strings.Contains(r.stderr, "Usage: tribune serve") || strings.Contains(r.stderr, "help requested") {
		t.Errorf("usage:\n%s", r.stderr)
	}
	// The help is the table of docs/configuration.md: every setting, its
	// default in full, its meaning.
	rows := map[string][]string{}
	lines := strings.Split(r.stderr, "\n")
	for i, l := range lines {
		if flag, env, ok := strings.Cut(strings.TrimPrefix(l, "  "), "  "); ok && strings.HasPrefix(flag, "-") && i+2 < len(lines) {
			rows[flag] = []string{flag, env, strings.TrimPrefix(lines[i+2], "      default: "), strings.TrimPrefix(lines[i+1], "      ")}
		}
	}
	settings := append(config.Settings(), config.Setting{Env: config.ConfigFileEnv, Flag: "-config",
		Help: "configuration file of KEY=value lines"})
	for _, s := range settings {
		def := s.Default
		if def == "" {
			def = "(empty)"
		}
		if want := []string{s.Flag, s.Env, def, s.Help}; !slices.Equal(rows[s.Flag], want) {
			t.Errorf("serve -h row\n%q\nwant\n%q", rows[s.Flag], want)
		}
	}
	if len(rows) != len(settings) || len(settings) < 40 {
		t.Errorf("%d rows for %d settings", len(rows), len(settings))
	}
	// Other commands document their own flags with the settings.
	r = tr.run("", "channel", "-h")
	if r.err != nil || !strings.Contains(r.stderr, "channel moderate SLUG [-mode") {
		t.Errorf("channel -h: %v\n%s", r.err, r.stderr)
	}
	tr.fails(2, []string{"serve takes no arguments"}, "", "serve", "now")
}

// exec runs a statement on the test database directly, as another tool
// (or a newer tribune) would.
func (tr *tribune) exec(query string, args ...any) {
	tr.t.Helper()
	driver := "sqlite"
	if store.IsPostgres(tr.dsn) {
		driver = "pgx"
	}
	db, err := sql.Open(driver, tr.dsn)
	if err != nil {
		tr.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, query, args...); err != nil {
		tr.t.Fatal(err)
	}
}

// The commands refuse a schema they cannot use, and say what to do: an
// old one (run tribune migrate; serve only with TRIBUNE_MIGRATE=false, and
// the management commands always, since an older server may still run on
// it), a newer one always (run a newer tribune), none at all for a
// management command (which creates no tribune).
func TestSchemaRefusals(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.env["TRIBUNE_MIGRATE"] = "false"
		tr.env["TRIBUNE_ADDR"] = "127.0.0.1:0"
		tr.fails(1, []string{"schema is at version 0", "run tribune migrate"}, "", "serve")
		for _, args := range [][]string{{"channel", "list"}, {"user", "list"}} {
			tr.fails(1, []string{"no tribune", "TRIBUNE_DB", "tribune migrate"}, "", args...)
		}
		tr.ok("", "migrate")
		tr.ok("", "channel", "list")
		_, latest, err := tr.store().SchemaVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// A schema one version behind: the commands leave it as it is.
		tr.exec(`DELETE FROM schema_version WHERE version = $1`, latest)
		tr.env["TRIBUNE_MIGRATE"] = "true"
		for _, args := range [][]string{{"channel", "list"}, {"user", "list"}, {"token", "list"}} {
			tr.fails(1, []string{fmt.Sprintf("schema is at version %d, %d is needed", latest-1, latest), "run tribune migrate"}, "", args...)
		}
		if current, _, err := tr.store().SchemaVersion(ctx); err != nil || current != latest-1 {
			t.Fatalf("a management command changed the schema: at %d, %v", current, err)
		}
		tr.exec(`INSERT INTO schema_version (version) VALUES ($1), ($2)`, latest, latest+1)
		for _, migrate := range []string{"false", "true"} {
			tr.env["TRIBUNE_MIGRATE"] = migrate
			for _, args := range [][]string{{"serve"}, {"migrate"}, {"channel", "list"}} {
				tr.fails(1, []string{fmt.Sprintf("schema is at version %d but this binary only knows %d", latest+1, latest), "run a newer tribune"}, "", args...)
			}
		}
	})
}

// Management commands render no message: a URL labels file they cannot
// read (the server's own) does not stop them.
func TestManagementWithoutTheLabelsFile(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate") // the commands create no database
		tr.env["TRIBUNE_URL_LABELS_FILE"] = "/nonexistent/labels.tsv"
		tr.ok("", "channel", "create", "troie", "La guerre de Troie")
		if out := tr.ok("", "channel", "list"); !strings.Contains(out, "troie") {
			t.Fatalf("list: %s", out)
		}
		tr.ok("", "user", "list")
	})
}
