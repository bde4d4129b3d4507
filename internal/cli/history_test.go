package cli_test

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tribunelib "github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// another is a tribune on a fresh database of the same kind as tr's.
func (tr *tribune) another(t *testing.T) *tribune {
	dsn := filepath.Join(t.TempDir(), "other.db")
	if store.IsPostgres(tr.dsn) {
		dsn = storetest.PostgresSchema(t, os.Getenv(storetest.PostgresEnv))
	}
	env := map[string]string{}
	for k, v := range tr.env {
		env[k] = v
	}
	env["TRIBUNE_DB"] = dsn
	return &tribune{t: t, dsn: dsn, env: env}
}

// serve runs a server on tr's database, as tribune serve would, until the
// test calls the returned stop (or ends).
func (tr *tribune) serve(t *testing.T) (base string, stop func()) {
	t.Helper()
	cfg, err := config.Register(flag.NewFlagSet("serve", flag.ContinueOnError)).Load(func(k string) (string, bool) {
		v, ok := tr.env[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.RemoteAnonymousPost = true
	cfg.Logger = slog.New(slog.DiscardHandler)
	cfg.PostRateLimit = config.Rate{}
	st, err := tribunelib.OpenStore(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	tt, err := tribunelib.New(cfg, st)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	srv := httptest.NewServer(tt)
	done := false
	stop = func() {
		if !done {
			done = true
			srv.Close()
			tt.Close()
			st.Close()
		}
	}
	t.Cleanup(stop)
	return srv.URL, stop
}

func post(t *testing.T, base, path, ua, basic, text string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(url.Values{"content": {text}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", ua)
	if basic != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(basic)))
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r
}

func get(t *testing.T, base, path string) string {
	t.Helper()
	r, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, r.StatusCode, b)
	}
	return strings.ReplaceAll(string(b), base, "SITE")
}

// TestExportImportRoundTrip: an export imported into an empty database
// gives a tribune whose backends answer byte for byte what the first one
// answers.
func TestExportImportRoundTrip(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate")
		tr.ok("", "channel", "create", "dev", "Développement")
		tr.ok("alice-password\n", "user", "create", "alice")
		base, stop := tr.serve(t)
		texts := []string{
			"plop <b>gras</b> et <i>penché</i> [:totoz]",
			"élève, café, œuf: https://example.com/a?b=c&d=e",
			"moules<",
			"second link http://linuxfr.org/ and again https://example.com/a?b=c&d=e",
			"<code>12:00:00</code> <s>barré</s> <u>souligné</u> <tt>tt</tt>",
		}
		for i, text := range texts {
			post(t, base, "/post/", "Mozilla/5.0 coin", "", text)
			post(t, base, "/dev/post/", "olcc", "alice:alice-password", fmt.Sprintf("dev %d %s", i, text))
		}
		// Norloges to the messages above, some in the same second.
		var rows []struct {
			Clock string `json:"clock"`
		}
		if err := json.Unmarshal([]byte(get(t, base, "/remote/json/")), &rows); err != nil || len(rows) == 0 {
			t.Fatalf("json backend: %v", err)
		}
		for _, r := range rows[:3] {
			clock := r.Clock
			post(t, base, "/post/", "coward-ua", "", clock+" moi aussi")
			post(t, base, "/post/", "coward-ua", "", clock+"¹ plop")
		}
		paths := []string{"/remote/", "/remote/xml/", "/remote/json/", "/remote/tsv/", "/remote/xml/?limit=3",
			"/dev/remote/", "/dev/remote/xml/", "/dev/remote/json/", "/dev/remote/tsv/", "/crap/remote.xml"}
		want := map[string]string{}
		for _, p := range paths {
			want[p] = get(t, base, p)
		}
		clock := rows[0].Clock
		want["clock"] = get(t, base, "/clock/"+clock+"/")
		stop()

		export := tr.ok("", "export")
		lines := strings.Split(strings.TrimSpace(export), "\n")
		if len(lines) != 2*len(texts)+6 {
			t.Fatalf("export: %d lines, want %d:\n%s", len(lines), 2*len(texts)+6, export)
		}
		var first map[string]any
		if err := json.Unmarshal([]byte(lines[1]), &first); err != nil {
			t.Fatal(err)
		}
		if first["channel"] != "dev" || first["login"] != "alice" || first["info"] != "olcc" ||
			!strings.HasPrefix(first["message"].(string), "dev 0 plop <b>gras</b>") {
			t.Errorf("second line: %v", first)
		}
		if c, _ := first["created"].(string); !strings.Contains(c, ".") || !(strings.HasSuffix(c, "+01:00") || strings.HasSuffix(c, "+02:00")) {
			t.Errorf("created %q: want microseconds and the zone's offset", first["created"])
		}
		if got := tr.ok("", "export", "-channel", "dev"); strings.Count(got, "\n") != len(texts) {
			t.Errorf("export -channel dev: %q", got)
		}
		if got := tr.ok("", "export", "-channel", ""); strings.Count(got, "\n") != len(texts)+6 {
			t.Errorf("export -channel '': %q", got)
		}
		if got := tr.ok("", "export", "-since", time.Now().AddDate(0, 0, 1).Format("2006-01-02")); got != "" {
			t.Errorf("export -since tomorrow: %q", got)
		}
		tr.fails(2, []string{"-since"}, "", "export", "-since", "yesterday")
		tr.fails(1, []string{`no channel "nope"`}, "", "export", "-channel", "nope")

		other := tr.another(t)
		other.fails(1, []string{"no tribune"}, export, "import", "-")
		other.ok("", "migrate")
		out := other.ok(export, "import", "-")
		if !strings.Contains(out, fmt.Sprintf("imported %d message(s)", len(lines))) || !strings.Contains(out, "created channel(s): dev") {
			t.Errorf("import: %q", out)
		}
		if again := other.ok("", "export"); again != export {
			t.Errorf("export of the import differs:\n%s\nwant\n%s", again, export)
		}
		base2, _ := other.serve(t)
		for _, p := range paths {
			if got := get(t, base2, p); got != want[p] {
				t.Errorf("%s differs after the round trip:\n%s\nwant\n%s", p, got, want[p])
			}
		}
		if got := get(t, base2, "/clock/"+clock+"/"); got != want["clock"] {
			t.Errorf("clock finder differs:\n%s\nwant\n%s", got, want["clock"])
		}
		// New posts go on after the imported ids.
		if r := post(t, base2, "/post/", "after", "", "après l'import"); r.Header.Get("X-Post-Id") != fmt.Sprint(len(lines)+1) {
			t.Errorf("first post after the import: id %q, want %d", r.Header.Get("X-Post-Id"), len(lines)+1)
		}
	})
}

func TestImportCollisionsAndRenumber(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate")
		file := `{"id": 5, "channel": "", "created": "2026-12-07T12:34:56.000001+01:00", "info": "a", "login": "", "message": "un"}
{"id": 7, "channel": "jeux", "created": "2026-12-07T12:34:56.5+01:00", "info": "b", "login": "", "message": "deux"}
{"id": 9, "channel": "", "created": "2026-12-07T12:34:56.9+01:00", "info": "c", "login": "", "message": "12:34:56¹ trois"}
`
		tr.ok(file, "import", "-")
		// Again: the ids are taken, and nothing of the second try stays.
		tr.fails(1, []string{"nothing was imported", "line 1", "message id 5 is taken", "-renumber"}, file, "import", "-")
		if n, _ := tr.store().CountMessages(ctx, tr.channel("").ID); n != 2 {
			t.Errorf("default channel: %d messages after the refused import, want 2", n)
		}
		out := tr.ok(file, "import", "-renumber", "-")
		if !strings.Contains(out, "imported 3 message(s)") {
			t.Errorf("import -renumber: %q", out)
		}
		ms, err := tr.store().Page(ctx, tr.channel("").ID, 0, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range ms {
			got = append(got, fmt.Sprintf("%d:%d:%s", m.ID, m.ClockIndex, m.Raw))
		}
		// Renumbered after the newest id (10, 11 in jeux, 12); the same
		// second: indices 1 to 4 in id order.
		want := "12:4:12:34:56¹ trois 10:3:un 9:2:12:34:56¹ trois 5:1:un"
		if strings.Join(got, " ") != want {
			t.Errorf("default channel after -renumber: %s, want %s", strings.Join(got, " "), want)
		}
		if !strings.Contains(ms[0].Web, `class="clock"`) && !strings.Contains(ms[0].Web, "12:34:56") {
			t.Errorf("the norloge is not rendered: %s", ms[0].Web)
		}
		// Ids below the newest: the channel's clock indices are computed
		// again in id order.
		tr.ok(`{"id": 6, "channel": "", "created": "2026-12-07T12:34:56.2+01:00", "info": "d", "login": "", "message": "entre"}`, "import", "-")
		ms, _ = tr.store().Page(ctx, tr.channel("").ID, 0, 0, 10)
		got = got[:0]
		for _, m := range ms {
			got = append(got, fmt.Sprintf("%d:%d", m.ID, m.ClockIndex))
		}
		if strings.Join(got, " ") != "12:5 10:4 9:3 6:2 5:1" {
			t.Errorf("indices after an import below the newest id: %s", strings.Join(got, " "))
		}
	})
}

func TestImportRefusesBadInput(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate")
		good := `{"id": 1, "channel": "", "created": "2026-12-07T12:34:56+01:00", "info": "a", "login": "", "message": "un"}` + "\n"
		for _, tc := range []struct {
			name, file string
			want       []string
		}{
			{"not JSON", good + "plop\n", []string{"line 2", "not a JSON object"}},
			{"truncated", good + `{"id": 2, "channel": "", "crea`, []string{"line 2", "not a JSON object"}},
			{"string id", `{"id": "1", "channel": "", "created": "2026-12-07T12:34:56+01:00", "message": "x"}`, []string{"line 1", `"id" should be a number, not a JSON string`}},
			{"number message", `{"id": 1, "channel": "", "created": "2026-12-07T12:34:56+01:00", "message": 3}`, []string{"line 1", `"message" should be a string`}},
			{"no id", `{"channel": "", "created": "2026-12-07T12:34:56+01:00", "message": "x"}`, []string{"line 1", `no "id"`, "-renumber"}},
			{"no created", `{"id": 1, "channel": "", "message": "x"}`, []string{"line 1", `no "created"`}},
			{"naive time", `{"id": 1, "channel": "", "created": "2026-12-07 12:34:56", "message": "x"}`, []string{"line 1", "RFC 3339"}},
			{"bad slug", `{"id": 1, "channel": "a b", "created": "2026-12-07T12:34:56+01:00", "message": "x"}`, []string{"line 1", `channel "a b"`}},
			{"reserved slug", `{"id": 1, "channel": "remote", "created": "2026-12-07T12:34:56+01:00", "message": "x"}`, []string{"line 1", `channel "remote"`}},
			{"twice", good + good, []string{"listed twice"}},
			{"huge line", good + `{"id": 2, "message": "` + strings.Repeat("x", 2<<20) + `"}`, []string{"line 2", "longer than"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				tr.fails(1, append(tc.want, "nothing was imported"), tc.file, "import", "-")
				if n, _ := tr.store().CountMessages(ctx, tr.channel("").ID); n != 0 {
					t.Errorf("%d messages imported", n)
				}
			})
		}
		tr.fails(2, []string{"one file"}, "", "import")
		tr.fails(2, []string{"-from"}, "", "import", "-from", "jb3", "-")
		tr.fails(1, []string{"no such file"}, "", "import", filepath.Join(t.TempDir(), "nope.jsonl"))
	})
}

// TestImportWhileServing: on SQLite the import is refused while a server
// runs on the file; on PostgreSQL a running server shows what another
// process imported, and its validators change.
func TestImportWhileServing(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		tr.ok("", "migrate")
		base, _ := tr.serve(t)
		post(t, base, "/post/", "ua-ua", "", "avant")
		before := get(t, base, "/remote/xml/")
		r, _ := http.Get(base + "/remote/xml/")
		r.Body.Close()
		etag := r.Header.Get("ETag")
		file := `{"id": 100, "channel": "", "created": "2026-12-07T12:34:56+01:00", "info": "imp", "login": "", "message": "importé"}`
		if !store.IsPostgres(tr.dsn) {
			tr.fails(1, []string{"stop the server", "serves"}, file, "import", "-")
			return
		}
		tr.ok(file, "import", "-")
		deadline := time.Now().Add(5 * time.Second)
		for {
			got := get(t, base, "/remote/xml/")
			if got != before && strings.Contains(got, "importé") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the running server still answers without the import:\n%s", got)
			}
			time.Sleep(20 * time.Millisecond)
		}
		req, _ := http.NewRequest("GET", base+"/remote/xml/", nil)
		req.Header.Set("If-None-Match", etag)
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != 200 {
			t.Errorf("If-None-Match with the ETag from before the import: %d, want 200", r.StatusCode)
		}
	})
}
