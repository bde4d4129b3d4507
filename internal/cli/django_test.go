package cli_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/store"
)

// TestImportDjangotribune imports the fixture of djangotribune's tests
// (reference §13.4), rebuilt as a dumpdata file with passwords of every
// Django hasher: channels, identities, times in the zone, filters, the
// URL archive, and accounts that log in with their old passwords.
func TestImportDjangotribune(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate")
		out := tr.ok("", "import", "-from", "djangotribune", "testdata/djangotribune.json")
		for _, want := range []string{
			"imported 33 message(s)",
			"created channel(s): troie, py",
			"imported 9 account(s), 2 saved filter(s), 1 URL(s) of the old URL archive",
			"without a usable password (an admin sets one with 'tribune user passwd'): cassandre, user_with_filter_1, user_with_filter_2",
			`not imported: account "le géomètre" (pk 9): a user name holds`,
			`not imported: account "Batman" (pk 12): an account of the same name (ignoring case) exists; its messages keep the name, without an account`,
			"skipped 1 djangotribune.userpreferences object(s)",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("import output lacks %q:\n%s", want, out)
			}
		}
		if c := tr.channel("troie"); c.Title != "La guerre de Troie n’aura pas lieu, Acte 1" {
			t.Errorf("troie's title: %q", c.Title)
		}
		tr.channel("py")
		users := tr.ok("", "user", "list")
		for _, want := range [][]string{{"superman", "admin"}, {"batman", "moderator"}, {"hector", "user"}, {"hécube", "user"}} {
			found := false
			for _, row := range table(users) {
				found = found || row[0] == want[0] && row[1] == want[1]
			}
			if !found {
				t.Errorf("user list lacks %v:\n%s", want, users)
			}
		}
		export := tr.ok("", "export")
		for _, want := range []string{
			// Naive times read in Europe/Paris; the id kept.
			`{"id":1,"channel":"troie","created":"2012-03-23T23:42:43.000000+01:00","info":"From script","login":"hector","message":"Hector, fils de Priam"}`,
			`{"id":2,"channel":"troie","created":"2012-03-23T23:42:44.000000+01:00","info":"Demokos","login":"","message":"La guerre de Troie n'aura pas lieu"}`,
			`{"id":24,"channel":"","created":"2012-03-17T16:15:27.000000+01:00","info":"Mozilla","login":"superman","message":"Preum's"}`,
			// The user agent unescaped once.
			`"info":"Mozilla <b> &amp; \"co\" l'ami","login":""`,
			// An account refused: the messages keep its name.
			`"login":"le géomètre","message":"je suis le géomètre"`,
			`"login":"Batman","message":"I am Batman too"`,
		} {
			if !strings.Contains(export, want) {
				t.Errorf("export lacks %s", want)
			}
		}
		base, stop := tr.serve(t)
		defer stop()
		xml := get(t, base, "/troie/remote/xml/")
		if !strings.Contains(xml, `<post id="23" time="20120323234305"><info>Mozilla/5.0 Hécube</info><login>hécube</login><message>Fin de l'acte</message></post>`) {
			t.Errorf("troie's XML backend:\n%s", xml)
		}
		def := get(t, base, "/remote/tsv/")
		if !strings.Contains(def, "29\t20120317170012\t") || !strings.Contains(def, "30\t20120317170012\t") {
			t.Errorf("default channel's TSV:\n%s", def)
		}
		// The two messages of 17:00:12 are ¹ and ².
		js := get(t, base, "/remote/json/")
		if !strings.Contains(js, `"clockclass":"17001202"`) || !strings.Contains(js, `"clockclass":"17001201"`) {
			t.Errorf("clock indices of the same second:\n%s", js)
		}
		// Message 31 rendered again: a norloge, a link, bold.
		if !strings.Contains(js, `<b>ça</b>`) || !strings.Contains(js, `http://example.com/troie`) {
			t.Errorf("message 31 not rendered again:\n%s", js)
		}
		// Saved filters, in our words.
		st := tr.store()
		for name, want := range map[string]store.Filter{
			"user_with_filter_1": {Target: "author", Kind: "==", Value: "cassandre"},
			"user_with_filter_2": {Target: "ua", Kind: "|=", Value: "Demokos"},
		} {
			u, err := st.UserByName(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			fs, err := st.Filters(ctx, u.ID)
			if err != nil || len(fs) != 1 || fs[0] != want {
				t.Errorf("%s's filters: %v %v, want %v", name, fs, err, want)
			}
		}
		// Old passwords log in (HTTP Basic on a post), and the hash is then
		// argon2id; a wrong one does not, and changes nothing.
		for _, tc := range []struct{ name, password, hasher string }{
			{"superman", "kryptonite", "pbkdf2_sha256$"},
			{"batman", "robin", "sha1$"},
			{"wonderwoman", "lasso", "md5$"},
			{"priam", "troie", ""},
			{"hector", "andromaque", "pbkdf2_sha1$"},
		} {
			u, _ := st.UserByName(ctx, tc.name)
			if !strings.HasPrefix(u.PasswordHash, tc.hasher) || strings.HasPrefix(u.PasswordHash, "$argon2id$") {
				t.Errorf("%s's hash before logging in: %q", tc.name, u.PasswordHash)
			}
			if r := post(t, base, "/troie/post/", "test", tc.name+":not-"+tc.password, "plop"); r.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s with a wrong password: %d", tc.name, r.StatusCode)
			}
			if r := post(t, base, "/troie/post/", "test", tc.name+":"+tc.password, "plop"); r.StatusCode != 200 {
				t.Errorf("%s with the old password: %d", tc.name, r.StatusCode)
			}
			u, _ = st.UserByName(ctx, tc.name)
			if !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
				t.Errorf("%s's hash after logging in: %q", tc.name, u.PasswordHash)
			}
			if r := post(t, base, "/troie/post/", "test", tc.name+":"+tc.password, "plop"); r.StatusCode != 200 {
				t.Errorf("%s logging in again: %d", tc.name, r.StatusCode)
			}
		}
		if r := post(t, base, "/troie/post/", "test", "cassandre:", "plop"); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("an account without a password logged in: %d", r.StatusCode)
		}
		stop()
		// The URL archive: the messages' own URLs, and the old archive's.
		driver := "sqlite"
		if store.IsPostgres(tr.dsn) {
			driver = "pgx"
		}
		db, err := sql.Open(driver, tr.dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM urls WHERE url IN ('http://example.com/troie', 'http://old-parser.example/only-in-the-archive')`).Scan(&n); err != nil || n != 2 {
			t.Errorf("URL archive: %d rows, %v", n, err)
		}
		// Again: the ids are taken; with -renumber the messages come again
		// under new ids (and the old archive's rows refer to them), while
		// the accounts, whose names are taken now, are not imported twice.
		tr.fails(1, []string{"object 15: message id 1 is taken"}, "", "import", "-from", "djangotribune", "testdata/djangotribune.json")
		out = tr.ok("", "import", "-renumber", "-from", "djangotribune", "testdata/djangotribune.json")
		if !strings.Contains(out, "imported 33 message(s)") || !strings.Contains(out, "imported 0 account(s)") ||
			!strings.Contains(out, `not imported: account "superman" (pk 2): an account of the same name`) {
			t.Errorf("import -renumber of the same dump:\n%s", out)
		}
		if n, _ := tr.store().CountMessages(ctx, tr.channel("troie").ID); n != 46+10 {
			t.Errorf("troie: %d messages after the second import, want 56 (23 twice, 10 posts)", n)
		}
	})
}

func TestImportDjangotribuneRefusesBadDumps(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate")
		user := `{"model": "auth.user", "pk": 1, "fields": {"username": "a1", "password": "", "is_superuser": false, "is_staff": false}}`
		msg := `{"model": "djangotribune.message", "pk": 1, "fields": {"channel": null, "author": null, "created": "2012-03-17T16:15:27", "user_agent": "x", "raw": "plop"}}`
		for _, tc := range []struct {
			name, dump string
			want       []string
		}{
			{"empty", "", []string{"not a dumpdata JSON", "truncated"}},
			{"object", `{"model": "auth.user"}`, []string{"must be an array"}},
			{"truncated", `[` + user + `, {"model": "djangotribune.mess`, []string{"object 2", "truncated"}},
			{"unknown model", `[{"model": "sessions.session", "pk": "x", "fields": {}}]`, []string{"object 1", `model "sessions.session" is not one this import reads`}},
			{"string pk", `[{"model": "auth.user", "pk": "x", "fields": {"username": "a1"}}]`, []string{"object 1", `pk "x" is not a number`}},
			{"unknown model with pk", `[{"model": "blog.post", "pk": 1, "fields": {}}]`, []string{"object 1", `model "blog.post" is not one this import reads`}},
			{"wrong type", `[{"model": "djangotribune.message", "pk": 1, "fields": {"channel": "troie", "raw": "x", "created": "2012-03-17T16:15:27"}}]`, []string{"object 1", `"channel" should be a number, not a JSON string`}},
			{"bad time", `[{"model": "djangotribune.message", "pk": 1, "fields": {"channel": null, "raw": "x", "created": "hier"}}]`, []string{"object 1", "not a date and time"}},
			{"unknown author", `[` + msg[:len(msg)-1-len(`"author": null, "created": "2012-03-17T16:15:27", "user_agent": "x", "raw": "plop"}}`)] + `"author": 7, "created": "2012-03-17T16:15:27", "user_agent": "x", "raw": "plop"}}]`, []string{"author 7 is not in the dump before it"}},
			{"unknown channel", `[{"model": "djangotribune.message", "pk": 1, "fields": {"channel": 3, "created": "2012-03-17T16:15:27", "raw": "x"}}]`, []string{"channel 3 is not in the dump before it"}},
			{"reserved slug", `[{"model": "djangotribune.channel", "pk": 1, "fields": {"slug": "remote", "title": "Remote"}}]`, []string{`object 1 (djangotribune.channel 1): channel "remote"`, "used by the tribune"}},
			{"trailing", `[` + msg + `] []`, []string{"more than one JSON value"}},
			{"huge object", `[` + user + `, {"model": "djangotribune.message", "pk": 2, "fields": {"raw": "` + strings.Repeat("x", 3<<20) + `"}}]`, []string{"object 2", "longer than"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tr.fails(1, append(tc.want, "nothing was imported"), tc.dump, "import", "-from", "djangotribune", "-")
				if _, err := tr.store().UserByName(ctx, "a1"); err == nil {
					t.Errorf("an account of a refused dump was imported")
				}
			})
		}
	})
}
