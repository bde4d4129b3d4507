package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// TestMain lets the test binary act as the tribune command, so the crash
// test can run a real server process and kill it.
func TestMain(m *testing.M) {
	if os.Getenv("TRIBUNE_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs "tribune serve" in a child process on dsn.
func startServer(t *testing.T, dsn string) (addr string, cmd *exec.Cmd) {
	t.Helper()
	addr = freeAddr(t)
	cmd = exec.Command(os.Args[0], "serve", "-addr", addr, "-db", dsn, "-post-rate-limit", "0", "-log-level", "error")
	cmd.Env = append(os.Environ(), "TRIBUNE_TEST_RUN_MAIN=1")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for range 100 {
		if r, err := http.Get("http://" + addr + "/discovery.config"); err == nil {
			r.Body.Close()
			return addr, cmd
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the server did not start")
	return "", nil
}

// An acknowledged post is on disk: kill the server with SIGKILL in the
// middle of a load of concurrent posts, restart it, and find every id it
// answered with, holding the text posted under that id.
func TestAcknowledgedPostsSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			addr, cmd := startServer(t, b.DSN)
			var mu sync.Mutex
			acked := map[int64]string{} // id -> text posted
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			client := &http.Client{Timeout: 5 * time.Second}
			for g := range 16 {
				wg.Go(func() {
					for i := 0; ctx.Err() == nil; i++ {
						text := fmt.Sprintf("client %d message %d", g, i)
						form := url.Values{"content": {text}}
						r, err := client.PostForm("http://"+addr+"/post/xml/", form)
						if err != nil {
							return // the server is gone
						}
						io.Copy(io.Discard, r.Body)
						r.Body.Close()
						if r.StatusCode == http.StatusOK {
							id, err := strconv.ParseInt(r.Header.Get("X-Post-Id"), 10, 64)
							if err != nil {
								t.Errorf("200 without a post id")
								return
							}
							mu.Lock()
							if prev, dup := acked[id]; dup {
								t.Errorf("id %d acknowledged twice (%q and %q)", id, prev, text)
							}
							acked[id] = text
							mu.Unlock()
						}
					}
				})
			}
			// Let the load run (a second, and enough posts to mean
			// something however loaded the machine), then kill the
			// server while it goes on.
			start := time.Now()
			for {
				time.Sleep(50 * time.Millisecond)
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= 200 && time.Since(start) > time.Second || time.Since(start) > 30*time.Second {
					break
				}
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			cancel()
			wg.Wait()
			if len(acked) < 100 {
				t.Fatalf("only %d posts acknowledged before the kill", len(acked))
			}

			// Restart on the same database; it must come up and still serve.
			addr, _ = startServer(t, b.DSN)
			st, err := store.Open(context.Background(), b.DSN, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			for id, text := range acked {
				m, err := st.Message(context.Background(), id)
				if err != nil {
					t.Fatalf("acknowledged message %d lost after SIGKILL: %v", id, err)
				}
				if m.Raw != text {
					t.Fatalf("message %d holds %q, %q was posted", id, m.Raw, text)
				}
			}
			r, err := client.PostForm("http://"+addr+"/post/xml/", url.Values{"content": {"after the crash"}})
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			after, _ := strconv.ParseInt(r.Header.Get("X-Post-Id"), 10, 64)
			for id := range acked {
				if after <= id {
					t.Fatalf("id %d given after the restart is not above acknowledged id %d", after, id)
				}
			}
			t.Logf("%d acknowledged posts, all found with their text after SIGKILL and restart", len(acked))
		})
	}
}
