// Command logins measures what a flood of wrong passwords costs a tribune:
// N attackers send wrong log-ins (or, with -mode basic, posts with wrong
// and right HTTP Basic credentials) at once, while a legitimate user logs
// in from another address. It prints the attackers' answer times and
// statuses, the legitimate log-in's time, and the server's resident memory
// above its idle size.
//
//	go run ./bench/logins                       # starts a tribune of its own
//	go run ./bench/logins -n 100 -sources 100   # 100 attackers, 100 addresses
//	go run ./bench/logins -mode basic -rounds 5
//	go run ./bench/logins -url http://127.0.0.1:8080 -pid 1234   # a running one
//
// Attackers come from loopback addresses 127.0.1.1, 127.0.1.2… (-sources of
// them), the bot's right credentials (-mode basic) from 127.0.3.1…, the
// legitimate user from 127.0.2.1: the tribune counts failures per address,
// so these are different clients to it.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// The accounts of a tribune the tool starts: the attacked one, the
// legitimate user's, and a bot posting with HTTP Basic (-mode basic).
const (
	victim, victimPassword = "bob", "bob-password-1"
	legit, legitPassword   = "alice", "alice-password-1"
	bot, botPassword       = "bot", "bot-password-1"
)

func main() {
	var (
		bin     = flag.String("bin", "", "tribune binary to start (default: build ./cmd/tribune)")
		target  = flag.String("url", "", "a running tribune to target instead of starting one (it must have the accounts bob, alice and bot, with the passwords of this tool)")
		pid     = flag.Int("pid", 0, "with -url: the process whose memory to read")
		mode    = flag.String("mode", "login", "login: wrong POST /login; basic: POST /post/ with wrong (half) and right (half) HTTP Basic credentials")
		n       = flag.Int("n", 100, "concurrent attackers")
		sources = flag.Int("sources", 1, "loopback addresses the attackers come from (1 to 250)")
		rounds  = flag.Int("rounds", 1, "requests each attacker sends, one after the other")
		memory  = flag.Int("memory", 65536, "TRIBUNE_PASSWORD_MEMORY_KIB of a tribune the tool starts")
		env     = flag.String("env", "", "extra settings of a tribune the tool starts: KEY=value,KEY=value")
	)
	flag.Parse()
	if *mode != "login" && *mode != "basic" || *n < 1 || *sources < 1 || *sources > 250 || *rounds < 1 {
		flag.Usage()
		os.Exit(2)
	}
	base, serverPID := *target, *pid
	if base == "" {
		var stop func()
		var err error
		base, serverPID, stop, err = start(*bin, *memory, *env)
		if err != nil {
			fmt.Fprintln(os.Stderr, "logins:", err)
			os.Exit(1)
		}
		defer stop()
	}
	base = strings.TrimRight(base, "/")

	var mem *sampler
	if serverPID > 0 {
		time.Sleep(2 * time.Second) // let the start-up's garbage go
		mem = sample(serverPID)
	}
	res := attack(base, *mode, *n, *sources, *rounds)
	if mem != nil {
		mem.stop()
	}

	fmt.Printf("mode %s: %d attackers from %d address(es), %d request(s) each", *mode, *n, *sources, *rounds)
	if *target == "" {
		fmt.Printf(", argon2id %d KiB", *memory)
	}
	fmt.Println()
	fmt.Printf("answers: p50 %s, p99 %s, max %s\n", pct(res.times, 50), pct(res.times, 99), pct(res.times, 100))
	fmt.Printf("statuses: %s\n", res.statuses())
	fmt.Printf("legitimate log-in: %s\n", res.legit)
	if mem != nil {
		fmt.Printf("server RSS: idle %.1f MB, peak %.1f MB, %.1f MB above idle\n", mb(mem.idle), mb(mem.peak), mb(mem.peak-mem.idle))
	}
}

// start builds (unless bin is given) and starts a tribune on a free
// loopback port over a new SQLite database with the tool's accounts.
func start(bin string, memory int, extra string) (base string, pid int, stop func(), err error) {
	dir, err := os.MkdirTemp("", "bench-logins")
	if err != nil {
		return "", 0, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	if bin == "" {
		bin = filepath.Join(dir, "tribune")
		build := exec.Command("go", "build", "-o", bin, "./cmd/tribune")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			cleanup()
			return "", 0, nil, fmt.Errorf("building the tribune (run from the repository's root): %w", err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cleanup()
		return "", 0, nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	environ := append(os.Environ(), "TRIBUNE_DB="+filepath.Join(dir, "tribune.db"), "TRIBUNE_ADDR="+addr,
		"TRIBUNE_TIMEZONE=UTC", "TRIBUNE_LOG_LEVEL=error", "TRIBUNE_PASSWORD_MEMORY_KIB="+strconv.Itoa(memory))
	for kv := range strings.SplitSeq(extra, ",") {
		if kv = strings.TrimSpace(kv); kv != "" {
			environ = append(environ, kv)
		}
	}
	run := func(stdin string, args ...string) error {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Stdin, cmd.Stderr = environ, strings.NewReader(stdin), os.Stderr
		return cmd.Run()
	}
	if err := run("", "migrate"); err != nil {
		cleanup()
		return "", 0, nil, err
	}
	for _, u := range [][2]string{{victim, victimPassword}, {legit, legitPassword}, {bot, botPassword}} {
		if err := run(u[1]+"\n", "user", "create", u[0]); err != nil {
			cleanup()
			return "", 0, nil, err
		}
	}
	srv := exec.Command(bin, "serve")
	srv.Env, srv.Stderr = environ, os.Stderr
	if err := srv.Start(); err != nil {
		cleanup()
		return "", 0, nil, err
	}
	stop = func() { srv.Process.Kill(); srv.Wait(); cleanup() }
	base = "http://" + addr
	for range 100 {
		if resp, err := http.Get(base + "/remote/"); err == nil {
			resp.Body.Close()
			return base, srv.Process.Pid, stop, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return "", 0, nil, errors.New("the tribune did not answer")
}

// from is an HTTP client whose connections come from a loopback address.
func from(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{
		Timeout:       90 * time.Second,
		Transport:     &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type result struct {
	mu     sync.Mutex
	times  []time.Duration
	counts map[string]int
	legit  string
}

func (r *result) add(d time.Duration, status string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.times = append(r.times, d)
	r.counts[status]++
}

func (r *result) statuses() string {
	var keys []string
	for k := range r.counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var s []string
	for _, k := range keys {
		s = append(s, fmt.Sprintf("%s ×%d", k, r.counts[k]))
	}
	return strings.Join(s, ", ")
}

// attack runs the attackers and, 100 ms into it, the legitimate log-in.
func attack(base, mode string, n, sources, rounds int) *result {
	res := &result{counts: map[string]int{}}
	clients := make([]*http.Client, sources)
	bots := make([]*http.Client, sources)
	for i := range clients {
		clients[i] = from(fmt.Sprintf("127.0.1.%d", i+1))
		bots[i] = from(fmt.Sprintf("127.0.3.%d", i+1))
	}
	var wg sync.WaitGroup
	var seq atomic.Int64
	for i := range n {
		c := clients[i%sources]
		if mode == "basic" && i%2 == 1 {
			c = bots[i%sources]
		}
		wg.Go(func() {
			for range rounds {
				req := attackRequest(base, mode, i, seq.Add(1))
				t0 := time.Now()
				status := send(c, req)
				res.add(time.Since(t0), status)
			}
		})
	}
	wg.Go(func() {
		time.Sleep(100 * time.Millisecond)
		res.legit = logIn(base)
	})
	wg.Wait()
	return res
}

// attackRequest is attacker i's k-th request: a wrong log-in for bob, or a
// post with HTTP Basic credentials, wrong for even attackers and right
// (the bot's) for odd ones.
func attackRequest(base, mode string, i int, k int64) *http.Request {
	if mode == "login" {
		form := url.Values{"username": {victim}, "password": {fmt.Sprintf("wrong-guess-%d", k)}}
		return formRequest(base+"/login", form)
	}
	req := formRequest(base+"/post/", url.Values{"content": {fmt.Sprintf("bench %d", k)}})
	name, pw := victim, fmt.Sprintf("wrong-guess-%d", k)
	if i%2 == 1 {
		name, pw = bot, botPassword
	}
	req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(name+":"+pw)))
	return req
}

func formRequest(target string, form url.Values) *http.Request {
	req, _ := http.NewRequestWithContext(context.Background(), "POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "bench/logins")
	return req
}

// send sends req and returns the answer's status, or what went wrong.
func send(c *http.Client, req *http.Request) string {
	resp, err := c.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return "timeout"
		}
		return "error"
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return strconv.Itoa(resp.StatusCode)
}

// logIn logs alice in from her own address, as a person would: after a 503
// or a 429 she waits as long as Retry-After says and tries again, up to 5
// times. It says how it went.
func logIn(base string) string {
	c := from("127.0.2.1")
	t0 := time.Now()
	var first string
	for try := 1; ; try++ {
		req := formRequest(base+"/login", url.Values{"username": {legit}, "password": {legitPassword}})
		resp, err := c.Do(req)
		if err != nil {
			return fmt.Sprintf("failed after %s: %v", time.Since(t0).Round(time.Millisecond), err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if first == "" {
			first = strconv.Itoa(resp.StatusCode)
		}
		retry, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		if (resp.StatusCode == 503 || resp.StatusCode == 429) && try < 5 {
			time.Sleep(time.Duration(max(retry, 1)) * time.Second)
			continue
		}
		return fmt.Sprintf("%d in %s (%d tr%s, first answer %s)", resp.StatusCode,
			time.Since(t0).Round(time.Millisecond), try, map[bool]string{true: "y", false: "ies"}[try == 1], first)
	}
}

// sampler reads a process's resident memory every 10 ms.
type sampler struct {
	idle, peak int64 // bytes
	done       chan struct{}
	wg         sync.WaitGroup
}

func sample(pid int) *sampler {
	s := &sampler{idle: rss(pid), done: make(chan struct{})}
	s.peak = s.idle
	s.wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.peak = max(s.peak, rss(pid))
			}
		}
	})
	return s
}

func (s *sampler) stop() { close(s.done); s.wg.Wait() }

// rss is VmRSS of /proc/PID/status, in bytes (0 if unreadable).
func rss(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func mb(b int64) float64 { return float64(b) / 1e6 }

// pct is the p-th percentile of ds (100: the maximum).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, (len(s)*p+99)/100-1)
	return s[max(i, 0)].Round(time.Millisecond)
}
