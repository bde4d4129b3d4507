package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/store/storetest"
	"github.com/tribune-go/tribune/internal/version"
)

// lockedBuffer is a child's standard error, read while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records are the JSON log lines of a child.
func (b *lockedBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, rec)
	}
	return out
}

// serveProcess runs "tribune serve" with args in a child process whose
// log (JSON) is kept; env adds to the test's environment, and a name with
// an empty value removes it.
func serveProcess(t *testing.T, env []string, args ...string) (addr string, cmd *exec.Cmd, log *lockedBuffer) {
	t.Helper()
	addr = freeAddr(t)
	cmd = exec.Command(os.Args[0], append([]string{"serve", "-addr", addr, "-log-format", "json"}, args...)...)
	for _, kv := range append(os.Environ(), "TRIBUNE_TEST_RUN_MAIN=1") {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, e := range env {
			drop = drop || strings.HasPrefix(e, name+"=")
		}
		if !drop {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for _, e := range env {
		if !strings.HasSuffix(e, "=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	log = &lockedBuffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("server log:\n%s", log)
		}
	})
	for range 100 {
		if r, err := http.Get("http://" + addr + "/healthz"); err == nil {
			r.Body.Close()
			return addr, cmd, log
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the server did not start:\n%s", log)
	return "", nil, nil
}

// The complaint: with a board open, SIGTERM took the whole 5 s
// shutdown timeout and cut the streams. Ten boards hold a live stream; on
// SIGTERM each stream ends cleanly (the chunked body is terminated, which
// Go's client tells from a cut one: io.ErrUnexpectedEOF), and the process
// exits well under a second.
func TestShutdownEndsStreamsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			// Cheap password hashes: the board hashes one at start (so
			// that a first log-in costs what the others do), which a
			// race-detector build takes seconds over on a busy machine.
			// And a race-detector build sleeps a second before it exits
			// (GORACE's atexit_sleep_ms), which a real binary does not.
			gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
			addr, cmd, _ := serveProcess(t, []string{"GORACE=" + gorace}, "-db", b.DSN, "-password-memory-kib", "64")
			const streams = 10
			type end struct {
				err  error
				body string
			}
			ends := make(chan end, streams)
			opened := make(chan error, streams)
			client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
			for range streams {
				go func() {
					r, err := client.Get("http://" + addr + "/remote/stream/")
					if err != nil {
						opened <- err
						return
					}
					defer r.Body.Close()
					br := bufio.NewReader(r.Body)
					first, err := br.ReadString('\n')
					opened <- err
					rest, err := io.ReadAll(br)
					ends <- end{err, first + string(rest)}
				}()
			}
			for range streams {
				if err := <-opened; err != nil {
					t.Fatalf("opening a stream: %v", err)
				}
			}
			exited := make(chan error, 1)
			start := time.Now()
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			go func() { exited <- cmd.Wait() }()
			var took time.Duration
			select {
			case err := <-exited:
				took = time.Since(start)
				if err != nil {
					t.Errorf("exit: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the server did not exit")
			}
			for range streams {
				select {
				case e := <-ends:
					if e.err != nil {
						t.Errorf("a stream was cut: %v (read %q)", e.err, e.body)
					}
				case <-time.After(5 * time.Second):
					t.Fatal("a stream did not end")
				}
			}
			if took > time.Second {
				t.Errorf("the server took %v to stop with %d streams open", took, streams)
			}
			t.Logf("SIGTERM with %d streams open: exited in %v, every stream ended cleanly", streams, took.Round(time.Millisecond))
		})
	}
}

// The start line names the version, the address, the database and the
// time zone by its IANA name; a boolean flag needs no value
// (-log-requests); an unknown TRIBUNE_ variable is reported.
func TestServeStartLine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	db := storetest.Backends(t)[0].DSN
	addr, _, log := serveProcess(t, []string{"TRIBUNE_TIMEZON=Europe/Paris"}, "-db", db, "-timezone", "Europe/Paris", "-log-requests")
	r, err := http.Get("http://" + addr + "/remote/xml/?last_id=7")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	var start, request, unknown map[string]any
	deadline := time.Now().Add(5 * time.Second)
	for request == nil && time.Now().Before(deadline) {
		for _, rec := range log.records(t) {
			switch {
			case rec["msg"] == "tribune serving":
				start = rec
			case rec["msg"] == "request":
				request = rec
			case rec["variable"] == "TRIBUNE_TIMEZON":
				unknown = rec
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := map[string]any{"version": version.String(), "addr": "http://" + addr + "/", "db": "sqlite " + db,
		"timezone": "Europe/Paris", "metrics": "http://" + addr + "/metrics"}
	for k, v := range want {
		if start[k] != v {
			t.Errorf("start line %s = %v, want %v", k, start[k], v)
		}
	}
	if request == nil || request["request"].(map[string]any)["query"] != "last_id=7" || request["request_id"] == nil {
		t.Errorf("request line: %v", request)
	}
	if unknown == nil || unknown["closest"] != "TRIBUNE_TIMEZONE" || unknown["level"] != "WARN" {
		t.Errorf("unknown variable: %v", unknown)
	}
	for _, rec := range log.records(t) {
		if strings.Contains(fmt.Sprint(rec["msg"]), "no time zone") {
			t.Errorf("a zone was chosen, yet: %v", rec)
		}
	}
}

// Without TRIBUNE_TIMEZONE nor TZ, on a machine whose zone is UTC (or
// none), serve says the clocks show UTC and how to choose a zone.
func TestServeSaysTheZoneIsUnset(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	noTZ := func(k string) (string, bool) {
		if k == "TZ" {
			return "", false
		}
		return os.LookupEnv(k)
	}
	cfg := config.Default()
	if !cfg.ZoneUnset(noTZ) {
		t.Skip("this machine has a zone of its own")
	}
	_, _, log := serveProcess(t, []string{"TZ=", "TRIBUNE_TIMEZONE="}, "-db", storetest.Backends(t)[0].DSN)
	// The warning follows the start line, which may come after the
	// server answers.
	var warned map[string]any
	for range 100 {
		for _, rec := range log.records(t) {
			if strings.Contains(fmt.Sprint(rec["msg"]), "no time zone is set") {
				warned = rec
			}
		}
		if warned != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if warned == nil || warned["level"] != "WARN" || !strings.Contains(warned["msg"].(string), "TRIBUNE_TIMEZONE (-timezone Europe/Paris)") {
		t.Errorf("no warning about the zone:\n%s", log)
	}
}

// /metrics is served on the tribune's address by default, on an address
// of its own with -metrics-addr (and not on the tribune's), or not at
// all; the health checks are on the tribune's address in every case.
func TestMetricsWhereServed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	get := func(url string) (int, string) {
		r, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	parses := func(body string) bool {
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(strings.NewReader(body))
		return err == nil && fams["tribune_http_requests_total"] != nil && fams["go_goroutines"] != nil
	}
	db := storetest.Backends(t)[0].DSN
	separate := freeAddr(t)
	for _, c := range []struct {
		name        string
		args        []string
		main, other int // /metrics on the tribune's address, on the other
	}{
		{"same address", nil, 200, 0},
		{"separate address", []string{"-metrics-addr", separate}, 404, 200},
		{"off", []string{"-metrics=false"}, 404, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr, _, _ := serveProcess(t, nil, append([]string{"-db", db}, c.args...)...)
			get("http://" + addr + "/remote/xml/")
			code, body := get("http://" + addr + "/metrics")
			if code != c.main || c.main == 200 && !parses(body) {
				t.Errorf("/metrics on the tribune's address: %d\n%.300s", code, body)
			}
			if c.other != 0 {
				code, body := get("http://" + separate + "/metrics")
				if code != c.other || !parses(body) || !strings.Contains(body, `route="/remote/xml/{$}"`) {
					t.Errorf("/metrics on %s: %d\n%.300s", separate, code, body)
				}
				for _, p := range []string{"/healthz", "/readyz"} {
					if code, _ := get("http://" + separate + p); code != 200 {
						t.Errorf("%s on the metrics address: %d", p, code)
					}
				}
			}
			for _, p := range []string{"/healthz", "/readyz"} {
				if code, _ := get("http://" + addr + p); code != 200 {
					t.Errorf("%s: %d", p, code)
				}
			}
		})
	}
}

// Every request the tribune's address receives is counted and logged,
// those the router answers before any route included: a path outside the
// prefix (404, under "/", the not-found) and a path to clean (redirected,
// under the route it goes to).
func TestUnroutedRequestsCounted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	db := storetest.Backends(t)[0].DSN
	addr, _, log := serveProcess(t, nil, "-db", db, "-prefix", "/tribune", "-log-requests")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]int{"/elsewhere": 404, "/tribune//x/../remote/xml/": 307, "/tribune/remote/xml/": 304} {
		r, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, r.StatusCode, want)
		}
	}
	r, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	counted := map[string]float64{}
	for _, m := range fams["tribune_http_requests_total"].GetMetric() {
		var route, code string
		for _, l := range m.GetLabel() {
			switch l.GetName() {
			case "route":
				route = l.GetValue()
			case "code", "status":
				code = l.GetValue()
			}
		}
		counted[route+" "+code] += m.GetCounter().GetValue()
	}
	if counted["/ 404"] != 1 || counted["/remote/xml/{$} 307"] != 1 {
		t.Errorf("unrouted requests counted: %v", counted)
	}
	logged := map[string]bool{}
	for _, rec := range log.records(t) {
		if req, ok := rec["request"].(map[string]any); ok && rec["msg"] == "request" {
			logged[fmt.Sprint(req["path"])] = true
		}
	}
	for _, p := range []string{"/elsewhere", "/tribune//x/../remote/xml/"} {
		if !logged[p] {
			t.Errorf("%s not logged: %v", p, logged)
		}
	}
}

// tribune version and tribune -version print the version from the build
// information.
func TestVersionCommand(t *testing.T) {
	want := fmt.Sprintf("tribune %s (%s %s/%s)\n", version.String(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, arg := range []string{"version", "-version"} {
		cmd := exec.Command(os.Args[0], arg)
		cmd.Env = append(os.Environ(), "TRIBUNE_TEST_RUN_MAIN=1")
		out, err := cmd.Output()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s: %v\n%s", arg, err, ee.Stderr)
		}
		if string(out) != want {
			t.Errorf("tribune %s: %q, want %q", arg, out, want)
		}
	}
}
