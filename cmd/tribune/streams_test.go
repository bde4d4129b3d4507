//go:build linux

package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// The server child of TestStreamsLeaveRoomAtTheFileLimit runs with a
// small open-file limit, soft and hard, as under an init system's
// LimitNOFILE=1024 (the Go runtime raises the soft limit to the hard one,
// so both are set). It runs before TestMain hands the binary to main.
func init() {
	if n, err := strconv.ParseUint(os.Getenv("TRIBUNE_TEST_NOFILE"), 10, 64); err == nil {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: n, Max: n}); err != nil {
			panic(err)
		}
	}
}

// The attack of the issue, on a real server process at 1,024 open files:
// 36 addresses open 30 live streams each (1,080 connections). The server
// takes half its limit in streams (512), answers the others 503, and still
// answers a backend read and a post. Before the global cap, the streams
// took every file and the server could accept no connection ("too many
// open files"). Every connection is on loopback (127.0.0.2 to
// 127.0.0.37), bounded in number and time.
func TestStreamsLeaveRoomAtTheFileLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes and opens a thousand connections")
	}
	const addresses, perAddress, nofile = 36, 30, 1024
	if limit.OpenFiles() < 2*addresses*perAddress {
		t.Skipf("the test itself needs %d open files, has %d", 2*addresses*perAddress, limit.OpenFiles())
	}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			addr := freeAddr(t)
			cmd := exec.Command(os.Args[0], "serve", "-addr", addr, "-db", b.DSN, "-post-rate-limit", "0", "-log-level", "error")
			cmd.Env = append(os.Environ(), "TRIBUNE_TEST_RUN_MAIN=1", "TRIBUNE_TEST_NOFILE="+strconv.Itoa(nofile))
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
			client := &http.Client{Timeout: 5 * time.Second}
			waitUp(t, client, addr)
			rssBefore := rss(t, cmd.Process.Pid)

			// The attack: every address opens its streams, 32 at a time.
			var (
				mu     sync.Mutex
				conns  []net.Conn
				status = map[int]int{}
				failed []error
				wg     sync.WaitGroup
				slots  = make(chan struct{}, 32)
			)
			t.Cleanup(func() {
				for _, c := range conns {
					c.Close()
				}
			})
			start := time.Now()
			for a := range addresses {
				local := fmt.Sprintf("127.0.0.%d", a+2)
				for range perAddress {
					wg.Go(func() {
						slots <- struct{}{}
						defer func() { <-slots }()
						c, code, err := openRawStream(local, addr)
						mu.Lock()
						defer mu.Unlock()
						if err != nil {
							failed = append(failed, err)
							return
						}
						status[code]++
						if code == http.StatusOK {
							conns = append(conns, c)
						}
					})
				}
			}
			wg.Wait()
			took := time.Since(start)
			// The tribune is still reachable: a post, a backend read (before
			// the cap, the post waited for a file in vain).
			start2 := time.Now()
			resp, err := client.PostForm("http://"+addr+"/post/", url.Values{"content": {"still there"}})
			if err != nil {
				t.Fatalf("a post with the streams full: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("a post with the streams full: %d", resp.StatusCode)
			}
			resp, err = client.Get("http://" + addr + "/remote/xml/")
			if err != nil {
				t.Fatalf("a backend read with the streams full: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "still there") {
				t.Fatalf("a backend read with the streams full: %d %s", resp.StatusCode, body)
			}
			if len(failed) > 0 {
				t.Fatalf("%d of %d stream requests got no answer; the first: %v", len(failed), addresses*perAddress, failed[0])
			}
			if status[200] != nofile/2 || status[503] != addresses*perAddress-nofile/2 {
				t.Fatalf("answers to %d streams: %v, want %d streams open and the others 503", addresses*perAddress, status, nofile/2)
			}
			t.Logf("%d stream requests in %v: %v; a post and a read at capacity in %v; resident memory %d KiB, then %d KiB",
				addresses*perAddress, took.Round(time.Millisecond), status, time.Since(start2).Round(time.Millisecond),
				rssBefore, rss(t, cmd.Process.Pid))
		})
	}
}

func waitUp(t *testing.T, client *http.Client, addr string) {
	t.Helper()
	for range 100 {
		if r, err := client.Get("http://" + addr + "/discovery.config"); err == nil {
			r.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the server did not start")
}

// openRawStream asks for the live stream from the local address and reads
// the answer's head; the connection stays open when the stream does.
func openRawStream(local, addr string) (net.Conn, int, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, 0, err
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET /remote/stream/ HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		c.Close()
		return nil, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		c.Close()
	}
	return c, resp.StatusCode, nil
}

// rss is the resident memory of a process, in KiB.
func rss(t *testing.T, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
