package cli_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	root "github.com/tribune-go/tribune"
)

// serveDB serves a tribune over the test's database, as a running server
// beside the command line would.
func (tr *tribune) serveDB() http.Handler {
	tr.t.Helper()
	cfg := root.DefaultConfig()
	cfg.DB = tr.dsn
	cfg.PasswordHashMemoryKiB = 64
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		tr.t.Fatal(err)
	}
	cfg.Location = loc
	st, err := root.OpenStore(ctx, &cfg)
	if err != nil {
		tr.t.Fatal(err)
	}
	h, err := root.New(cfg, st)
	if err != nil {
		tr.t.Fatal(err)
	}
	tr.t.Cleanup(func() { h.Close(); st.Close() })
	return h
}

// request sends a request with a bearer token to h.
func request(h http.Handler, method, path, body, token string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("User-Agent", "dcoincoin")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestTokenCommands: the operator creates a token for a user, which a
// running tribune takes at once; lists the tokens with their last use;
// revokes one, which the tribune refuses at once.
func TestTokenCommands(t *testing.T) {
	each(t, func(t *testing.T, tr *tribune) {
		const pw = "correct horse battery\n"
		tr.ok("", "migrate")
		tr.ok(pw, "user", "create", "nono")
		tr.ok(pw, "user", "create", "modo", "-role", "moderator")
		h := tr.serveDB()

		r := tr.run("", "token", "create", "nono", "-name", "olcc at home")
		if r.err != nil {
			t.Fatalf("create: %v\n%s", r.err, r.stderr)
		}
		token := strings.TrimSuffix(r.stdout, "\n")
		if !strings.HasPrefix(token, "trb_") || strings.ContainsAny(token, " \n") {
			t.Fatalf("create printed %q: the token alone is wanted", r.stdout)
		}
		if !strings.Contains(r.stderr, "created token 1 (scope post) for nono: it is shown this once") ||
			!strings.Contains(r.stderr, "msg=audit event=token_created user=nono id=1") {
			t.Errorf("create's messages and audit line: %q", r.stderr)
		}
		w := request(h, "POST", "/post/", "content=from+the+command+line", token)
		if w.Code != http.StatusOK || w.Header().Get("X-Post-Id") == "" {
			t.Fatalf("the token posting: %d %s", w.Code, w.Body)
		}
		if w := request(h, "GET", "/remote/tsv/", "", ""); !strings.Contains(w.Body.String(), "\tnono\tfrom the command line") {
			t.Fatalf("the message is not nono's: %s", w.Body)
		}

		mod := strings.TrimSpace(tr.ok("", "token", "create", "modo", "-scope", "moderate"))
		if w := request(h, "GET", "/moderation/pending.json", "", mod); w.Code != http.StatusOK {
			t.Fatalf("a moderate token from the command line: %d %s", w.Code, w.Body)
		}
		rows := table(tr.ok("", "token", "list"))
		want := [][]string{
			{"ID", "USER", "NAME", "SCOPE", "CREATED", "LAST USED"},
			{"1", "nono", "olcc at home", "post"},
			{"2", "modo", "-", "moderate"},
		}
		if len(rows) != len(want) {
			t.Fatalf("list: %q", rows)
		}
		for i, row := range rows {
			if len(row) != 6 || !equalPrefix(row, want[i]) {
				t.Errorf("list row %d: %q, want %q…", i, row, want[i])
			}
		}
		if rows[1][5] == "never" || rows[2][5] == "never" {
			t.Errorf("the last uses are not listed: %q", rows)
		}

		r = tr.run("", "token", "revoke", "1")
		if r.err != nil || r.stdout != "revoked token 1 of nono\n" || !strings.Contains(r.stderr, "event=token_revoked user=nono id=1") {
			t.Fatalf("revoke: %v %q %q", r.err, r.stdout, r.stderr)
		}
		if w := request(h, "POST", "/post/", "content=after", token); w.Code != http.StatusUnauthorized {
			t.Fatalf("the revoked token: %d %s", w.Code, w.Body)
		}
		if rows := table(tr.ok("", "token", "list")); len(rows) != 2 || rows[1][0] != "2" {
			t.Errorf("list after the revocation: %q", rows)
		}

		failures := []struct {
			name string
			code int
			want []string
			args []string
		}{
			{"no action", 2, []string{"token needs an action"}, []string{"token"}},
			{"unknown action", 2, []string{`unknown token action "burn"`}, []string{"token", "burn"}},
			{"create without user", 2, []string{"token create takes 1 argument(s)"}, []string{"token", "create"}},
			{"unknown user", 1, []string{`no user "joker"`}, []string{"token", "create", "joker"}},
			{"unknown scope", 2, []string{`unknown scope "admin"`}, []string{"token", "create", "nono", "-scope", "admin"}},
			{"moderate for a user", 1, []string{"only moderators and admins"}, []string{"token", "create", "nono", "-scope", "moderate"}},
			{"long name", 1, []string{"at most 100 characters"}, []string{"token", "create", "nono", "-name", strings.Repeat("n", 101)}},
			{"revoke without id", 2, []string{"token revoke takes 1 argument(s)"}, []string{"token", "revoke"}},
			{"revoke a word", 2, []string{`"olcc" is not a token id`}, []string{"token", "revoke", "olcc"}},
			{"revoke unknown", 1, []string{"no such token"}, []string{"token", "revoke", "99"}},
			{"revoke twice", 1, []string{"no such token"}, []string{"token", "revoke", "1"}},
		}
		for _, tc := range failures {
			t.Run(tc.name, func(t *testing.T) {
				tr := &tribune{t: t, dsn: tr.dsn, env: tr.env}
				tr.fails(tc.code, tc.want, "", tc.args...)
			})
		}
		if rows := table(tr.ok("", "token", "list")); len(rows) != 2 {
			t.Errorf("refused commands created tokens: %q", rows)
		}
	})
}

func equalPrefix(row, want []string) bool {
	for i, w := range want {
		if row[i] != w {
			return false
		}
	}
	return true
}
