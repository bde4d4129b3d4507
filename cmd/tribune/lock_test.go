package main

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/tribune-go/tribune/internal/store/storetest"
)

// A second server on an SQLite file refuses to start, naming the process
// that serves it and PostgreSQL; the management commands work meanwhile;
// once the first server is killed (SIGKILL: no clean-up of its own), a new
// one starts.
func TestOneServerPerSQLiteFile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	dsn := filepath.Join(t.TempDir(), "tribune.db")
	env := []string{"TRIBUNE_DB=" + dsn}
	addr, first := startServer(t, dsn)

	_, stderr, code := tribuneCmd(t, "", env, "", "serve", "-addr", freeAddr(t))
	if code == 0 || !strings.Contains(stderr, fmt.Sprintf("pid %d on host ", first.Process.Pid)) ||
		!strings.Contains(stderr, "PostgreSQL") || !strings.Contains(stderr, dsn+".lock") {
		t.Fatalf("second serve: exit %d, %s", code, stderr)
	}

	if _, stderr, code := tribuneCmd(t, "", env, "", "channel", "create", "troie", "Troie"); code != 0 {
		t.Fatalf("channel create while a server runs: exit %d, %s", code, stderr)
	}
	if out, stderr, code := tribuneCmd(t, "", env, "", "channel", "list"); code != 0 || !strings.Contains(out, "troie") {
		t.Fatalf("channel list while a server runs: exit %d, %s%s", code, out, stderr)
	}
	if _, stderr, code := tribuneCmd(t, "", env, "a password\n", "user", "create", "nono", "-role", "admin"); code != 0 {
		t.Fatalf("user create while a server runs: exit %d, %s", code, stderr)
	}
	// The running server serves the channel the command made.
	r, err := http.PostForm("http://"+addr+"/troie/post/", url.Values{"content": {"plop"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("post to the new channel: %d", r.StatusCode)
	}

	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	addr, _ = startServer(t, dsn)
	r, err = http.PostForm("http://"+addr+"/troie/post/", url.Values{"content": {"after the kill"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK || r.Header.Get("X-Post-Id") != "2" {
		t.Fatalf("post after the restart: %d, id %q", r.StatusCode, r.Header.Get("X-Post-Id"))
	}
}

// Several servers share a PostgreSQL database: no lock there.
func TestServersSharePostgres(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if testing.Short() || pg == "" {
		t.Skip("starts server processes on PostgreSQL (" + storetest.PostgresEnv + ")")
	}
	dsn := storetest.PostgresSchema(t, pg)
	startServer(t, dsn)
	startServer(t, dsn)
}
