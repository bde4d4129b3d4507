// Command streams measures the live path of running tribunes: it opens N
// live streams (remote/stream/), spread over one or more servers and over
// many loopback source addresses, so that the per-address cap does not
// interfere, then posts M messages to the first server, one every -every,
// and prints how many reached each stream (delivered/expected), the
// post-to-stream times (from the moment a post is sent to its arrival on
// a stream: p50, p99, max) and the servers' resident memory per open
// stream (VmRSS of /proc/PID/status before and after the streams open).
//
//	go run ./bench/streams -urls http://127.0.0.1:28470 -pids 1234 -n 10000 -m 50
//	go run ./bench/streams -urls http://127.0.0.1:28470,http://127.0.0.1:28471 -n 6800
//
// -burst D then posts as fast as 16 clients can for D, with the streams
// still open, and prints the acknowledged posts per second.
//
// Each stream is a raw HTTP/1.1 connection from 127.1.X.Y (-per streams
// per address); the tool needs as many open files as streams (raise
// ulimit -n). It only talks to loopback addresses.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	var (
		urls    = flag.String("urls", "http://127.0.0.1:28470", "tribunes to open streams on, comma-separated (posts go to the first)")
		pids    = flag.String("pids", "", "their process ids, comma-separated, to read their memory")
		n       = flag.Int("n", 1000, "streams to open, spread evenly over the tribunes")
		m       = flag.Int("m", 50, "messages to post")
		every   = flag.Duration("every", 200*time.Millisecond, "interval between posts")
		per     = flag.Int("per", 20, "streams per loopback source address")
		wait    = flag.Duration("wait", 20*time.Second, "how long to wait for the last deliveries")
		burst   = flag.Duration("burst", 0, "then post with 16 clients for this long, streams open, and print the rate")
		settle  = flag.Duration("settle", 3*time.Second, "pause after the streams open, before reading memory")
		timeout = flag.Duration("timeout", 5*time.Minute, "give up after this long in all")
	)
	flag.Parse()
	raiseFiles()
	targets := strings.Split(*urls, ",")
	for _, t := range targets {
		u, err := url.Parse(t)
		if err != nil || !loopback(u.Hostname()) {
			fail("%s: only loopback tribunes are measured", t)
		}
	}
	var procs []int
	for p := range strings.SplitSeq(*pids, ",") {
		if id, err := strconv.Atoi(strings.TrimSpace(p)); err == nil {
			procs = append(procs, id)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	go func() {
		if <-ctx.Done(); ctx.Err() == context.DeadlineExceeded {
			fail("timed out after %s", *timeout)
		}
	}()

	before, goBefore := rssAll(procs), goMemAll(targets)
	r := &run{sent: make([]atomic.Int64, *m), marker: fmt.Sprintf("st%x-", time.Now().UnixNano()&0xffffff)}
	r.lat = make([][]time.Duration, *n)
	openStart := time.Now()
	var opened sync.WaitGroup
	var openErrs atomic.Int64
	sem := make(chan struct{}, 256)
	for i := range *n {
		opened.Add(1)
		sem <- struct{}{}
		go func() {
			src := netip4(i / *per)
			r.stream(ctx, i, targets[i%len(targets)], src, sync.OnceFunc(func() { opened.Done(); <-sem }), &openErrs)
		}()
	}
	opened.Wait()
	open := int64(*n) - openErrs.Load()
	fmt.Printf("%d streams open (%d refused or failed) over %d tribune(s) in %s\n", open, openErrs.Load(), len(targets), time.Since(openStart).Round(time.Millisecond))
	time.Sleep(*settle)
	after, goAfter := rssAll(procs), goMemAll(targets)
	for i := range procs {
		fmt.Printf("tribune pid %d: VmRSS %.1f MB before, %.1f MB with the streams open: %.1f KiB per stream\n",
			procs[i], mb(before[i]), mb(after[i]), float64(after[i]-before[i])/1024/float64(max(1, open/int64(len(procs)))))
	}
	for i, t := range targets {
		b, a := goBefore[i], goAfter[i]
		fmt.Printf("tribune %s: Go heap in use and stacks %.1f MB before, %.1f MB with %d streams open: %.1f KiB per stream; goroutines %d -> %d\n",
			t, mb(b.mem), mb(a.mem), a.streams, float64(a.mem-b.mem)/1024/float64(max(1, a.streams-b.streams)), b.goroutines, a.goroutines)
	}

	cpu0, self0 := cpuAll(procs), selfCPU()
	post := targets[0] + "/post/xml/"
	client := &http.Client{Timeout: 10 * time.Second}
	for k := range *m {
		t := time.Now()
		r.sent[k].Store(t.UnixNano())
		go func() {
			resp, err := client.PostForm(post, url.Values{"content": {fmt.Sprintf("%s%d- live path load", r.marker, k)}})
			if err != nil {
				fmt.Fprintln(os.Stderr, "post:", err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				fmt.Fprintln(os.Stderr, "post:", resp.Status)
			}
		}()
		time.Sleep(time.Until(t.Add(*every)))
	}
	expected := open * int64(*m)
	deadline := time.Now().Add(*wait)
	for r.delivered.Load() < expected && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cpu1, self1 := cpuAll(procs), selfCPU()
	var spent time.Duration
	for i := range procs {
		spent += cpu1[i] - cpu0[i]
	}
	fmt.Printf("CPU while posting: tribunes %s, this tool %s (%.2f ms per message and 1,000 streams in the tribunes)\n",
		spent.Round(time.Millisecond), (self1 - self0).Round(time.Millisecond),
		float64(spent.Microseconds())/1000/float64(*m)/(float64(open)/1000))
	var all []time.Duration
	r.mu.Lock()
	for _, l := range r.lat {
		all = append(all, l...)
	}
	r.mu.Unlock()
	slices.Sort(all)
	fmt.Printf("delivered %d/%d, streams ended early: %d; post-to-stream p50 %s p99 %s max %s\n",
		len(all), expected, r.ended.Load(), pct(all, 50), pct(all, 99), pct(all, 100))
	if *burst > 0 {
		r.burst(ctx, post, *burst)
	}
	during := rssAll(procs)
	for i := range procs {
		fmt.Printf("tribune pid %d: VmRSS %.1f MB at the end: %.1f KiB per stream\n", procs[i], mb(during[i]),
			float64(during[i]-before[i])/1024/float64(max(1, open/int64(len(procs)))))
	}
}

type run struct {
	marker    string
	sent      []atomic.Int64 // send time of each post, Unix ns
	mu        sync.Mutex
	lat       [][]time.Duration // per stream
	delivered atomic.Int64
	ended     atomic.Int64
	others    atomic.Int64 // other messages delivered (the burst's)
}

// stream opens one stream from src and records the arrival of every post.
// opened is called once the stream is open or has failed.
func (r *run) stream(ctx context.Context, i int, target string, src net.IP, opened func(), errs *atomic.Int64) {
	u, _ := url.Parse(target)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: src}, Timeout: 10 * time.Second}
	var c net.Conn
	var err error
	for try := 0; try < 5; try++ {
		if c, err = d.DialContext(ctx, "tcp", u.Host); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	defer opened()
	if err != nil {
		errs.Add(1)
		fmt.Fprintln(os.Stderr, "dial:", err)
		return
	}
	defer c.Close()
	fmt.Fprintf(c, "GET %s/remote/stream/ HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n\r\n", u.Path, u.Host)
	br := bufio.NewReaderSize(c, 1024)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, " 200 ") {
		errs.Add(1)
		fmt.Fprintf(os.Stderr, "stream %d: %q %v\n", i, status, err)
		return
	}
	var lat []time.Duration
	defer func() {
		r.mu.Lock()
		r.lat[i] = lat
		r.mu.Unlock()
	}()
	marker := []byte(r.marker)
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			if err == bufio.ErrBufferFull {
				continue // a long line: its start was looked at
			}
			r.ended.Add(1)
			return
		}
		if bytes.HasPrefix(line, []byte("retry:")) {
			opened()
			continue
		}
		if !bytes.HasPrefix(line, []byte("data: ")) {
			continue
		}
		j := bytes.Index(line, marker)
		if j < 0 {
			r.others.Add(1)
			continue
		}
		rest := line[j+len(marker):]
		end := bytes.IndexByte(rest, '-')
		k, err := strconv.Atoi(string(rest[:max(end, 0)]))
		if err != nil || k >= len(r.sent) {
			continue
		}
		if t := r.sent[k].Load(); t != 0 {
			lat = append(lat, time.Duration(time.Now().UnixNano()-t))
			r.delivered.Add(1)
		}
		if len(lat) == len(r.sent) {
			r.mu.Lock()
			r.lat[i] = lat
			r.mu.Unlock()
		}
	}
}

// burst posts with 16 clients for d and prints the acknowledged rate.
func (r *run) burst(ctx context.Context, post string, d time.Duration) {
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var ok, bad atomic.Int64
	open := int64(len(r.lat)) - r.ended.Load()
	ended0, others0 := r.ended.Load(), r.others.Load()
	end := time.Now().Add(d)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil {
				resp, err := client.PostForm(post, url.Values{"content": {"burst of posts while the streams are open"}})
				if err != nil {
					bad.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					ok.Add(1)
				} else {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	fmt.Printf("burst: %d acknowledged posts in %s, %.0f posts/s (failed: %d)\n", ok.Load(), d, float64(ok.Load())/d.Seconds(), bad.Load())
	// The streams must keep up: one that lags too far is ended by the
	// tribune, and fewer streams would make posting look cheaper.
	time.Sleep(2 * time.Second)
	fmt.Printf("burst: delivered %d/%d to the %d open streams, %d streams ended during the burst\n",
		r.others.Load()-others0, ok.Load()*open, open, r.ended.Load()-ended0)
}

// netip4 is the i-th source address: 127.1.0.1, 127.1.0.2…
func netip4(i int) net.IP {
	i++
	return net.IPv4(127, byte(1+i>>16), byte(i>>8), byte(i))
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

// raiseFiles lifts the soft open-file limit to the hard one: one file per
// stream.
func raiseFiles() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil && l.Cur < l.Max {
		l.Cur = l.Max
		syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

func rssAll(pids []int) []int64 {
	out := make([]int64, len(pids))
	for i, p := range pids {
		out[i] = rss(p)
	}
	return out
}

// rss is VmRSS of /proc/PID/status, in bytes (0 if unreadable).
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpu is the CPU time (user and system) of process pid.
func cpu(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name (in parentheses): utime and
	// stime are the 12th and 13th, in clock ticks (100 per second).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * 10 * time.Millisecond
}

func cpuAll(pids []int) []time.Duration {
	out := make([]time.Duration, len(pids))
	for i, p := range pids {
		out[i] = cpu(p)
	}
	return out
}

func selfCPU() time.Duration { return cpu(os.Getpid()) }

// goMem is what a tribune's /metrics tells of its memory.
type goMem struct{ mem, goroutines, streams int64 }

// goMemAll reads the Go heap in use and the goroutines' stacks of each
// target, from the Go runtime's figures on /metrics.
func goMemAll(targets []string) []goMem {
	out := make([]goMem, len(targets))
	for i, t := range targets {
		resp, err := http.Get(t + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for line := range strings.SplitSeq(string(b), "\n") {
			name, v, ok := strings.Cut(line, " ")
			if !ok {
				continue
			}
			f, _ := strconv.ParseFloat(v, 64)
			switch name {
			case "go_memstats_heap_inuse_bytes", "go_memstats_stack_inuse_bytes":
				out[i].mem += int64(f)
			case "go_goroutines":
				out[i].goroutines = int64(f)
			case "tribune_streams_open":
				out[i].streams = int64(f)
			}
		}
	}
	return out
}

func mb(b int64) float64 { return float64(b) / 1e6 }

// pct is the p-th percentile of sorted ds (100: the maximum).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := min(len(ds)-1, len(ds)*p/100)
	return ds[i].Round(time.Millisecond / 10)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "streams: "+format+"\n", args...)
	os.Exit(1)
}
