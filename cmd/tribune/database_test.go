package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/store/storetest"
)

// tribuneCmd runs the tribune command in dir (the test's directory when
// ""), with the TRIBUNE_ variables of env only, and returns its output and
// exit status.
func tribuneCmd(t *testing.T, dir string, env []string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRIBUNE_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TRIBUNE_TEST_RUN_MAIN=1", "TRIBUNE_PASSWORD_MEMORY_KIB=64", "TRIBUNE_LOG_LEVEL=error")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tribune %s did not finish: %s", strings.Join(args, " "), errOut.String())
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return out.String(), errOut.String(), cmd.ProcessState.ExitCode()
}

// The management commands create no database: on a missing SQLite file,
// whether the default one in the working directory or one in a missing
// directory, they fail with a message naming the path and TRIBUNE_DB, and
// leave nothing behind. migrate and serve create it.
func TestCommandsCreateNoDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	commands := [][]string{
		{"channel", "list"},
		{"channel", "create", "troie", "Troie"},
		{"user", "create", "nono", "-role", "admin"},
		{"user", "list"},
	}
	tests := []struct {
		name string
		env  []string // TRIBUNE_DB
		path string   // the file it names
	}{
		{"default path", nil, filepath.Join(dir, "tribune.db")},
		{"missing directory", []string{"TRIBUNE_DB=" + filepath.Join(dir, "srv", "tribune", "tribune.db")},
			filepath.Join(dir, "srv", "tribune", "tribune.db")},
		{"relative path", []string{"TRIBUNE_DB=data/t.db"}, filepath.Join(dir, "data", "t.db")},
	}
	for _, tc := range tests {
		for _, args := range commands {
			_, stderr, code := tribuneCmd(t, dir, tc.env, "a password\n", args...)
			if code != 1 || !strings.Contains(stderr, "no tribune database at "+tc.path) ||
				!strings.Contains(stderr, "TRIBUNE_DB") || !strings.Contains(stderr, "tribune migrate") {
				t.Errorf("%s: tribune %s: exit %d, %s", tc.name, strings.Join(args, " "), code, stderr)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Fatalf("%s: tribune %s left %v behind", tc.name, strings.Join(args, " "), left)
			}
		}
	}

	// migrate creates the database (and its directory); the commands then
	// work on it.
	env := []string{"TRIBUNE_DB=srv/tribune.db"}
	if out, stderr, code := tribuneCmd(t, dir, env, "", "migrate"); code != 0 || !strings.HasPrefix(out, "applied ") {
		t.Fatalf("migrate: exit %d, %s%s", code, out, stderr)
	}
	if _, stderr, code := tribuneCmd(t, dir, env, "", "channel", "create", "troie", "Troie"); code != 0 {
		t.Fatalf("channel create after migrate: exit %d, %s", code, stderr)
	}
	// serve creates one too.
	fresh := filepath.Join(dir, "other", "tribune.db")
	startServer(t, fresh)
	if _, stderr, code := tribuneCmd(t, dir, []string{"TRIBUNE_DB=" + fresh}, "", "channel", "list"); code != 0 {
		t.Fatalf("channel list on serve's database: exit %d, %s", code, stderr)
	}
}

// On PostgreSQL, a database (here a schema) without the tribune's tables
// is refused by the management commands, which create nothing in it, and
// made a tribune by migrate.
func TestCommandsRefuseAnEmptyPostgres(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if testing.Short() || pg == "" {
		t.Skip("needs PostgreSQL (" + storetest.PostgresEnv + ")")
	}
	dsn := storetest.PostgresSchema(t, pg)
	env := []string{"TRIBUNE_DB=" + dsn}
	tables := func() int {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, args := range [][]string{{"channel", "list"}, {"user", "create", "nono"}} {
		_, stderr, code := tribuneCmd(t, "", env, "a password\n", args...)
		if code != 1 || !strings.Contains(stderr, "holds no tribune") || !strings.Contains(stderr, "tribune migrate") ||
			!strings.Contains(stderr, "TRIBUNE_DB") {
			t.Errorf("tribune %s: exit %d, %s", strings.Join(args, " "), code, stderr)
		}
		if n := tables(); n != 0 {
			t.Fatalf("tribune %s left %d tables", strings.Join(args, " "), n)
		}
	}
	if _, stderr, code := tribuneCmd(t, "", env, "", "migrate"); code != 0 {
		t.Fatalf("migrate: exit %d, %s", code, stderr)
	}
	if _, stderr, code := tribuneCmd(t, "", env, "", "channel", "list"); code != 0 {
		t.Fatalf("channel list after migrate: exit %d, %s", code, stderr)
	}
}
