package cli_test

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
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
