package server

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Posts that arrive together, from many posters, reach every stream once
// each, in id order, with nothing missing: events written together are
// still every one of them.
func TestStreamsGetBurstsInOrder(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close)
		var streams []*sseClient
		for range 12 {
			streams = append(streams, openStream(t, srv, "/remote/stream/", nil))
		}
		var mu sync.Mutex
		var ids []int64
		var wg sync.WaitGroup
		for g := range 8 {
			c := tr.client(fmt.Sprintf("poster %d", g))
			wg.Go(func() {
				for i := range 15 {
					id := c.say("/", fmt.Sprintf("burst %d-%d", g, i))
					mu.Lock()
					ids = append(ids, id)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(ids)
		for i, s := range streams {
			for _, want := range ids {
				e := s.next("message")
				if id, _ := strconv.ParseInt(e.id, 10, 64); id != want {
					t.Fatalf("stream %d: message %d, want %d", i, id, want)
				}
			}
		}
	})
}

// A client that stops reading is ended once it lags too far; the others
// get every message meanwhile, and its place is given back.
func TestStreamThatStopsReadingEndsAlone(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.srv.maxPending = 16 << 10
	srv := httptest.NewServer(tr.srv)
	t.Cleanup(srv.Close)
	reader := openStream(t, srv, "/remote/stream/", nil)
	// A connection that reads its answer's head, then nothing, with a
	// small receive buffer.
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return nil
	}}
	conn, err := d.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /remote/stream/ HTTP/1.1\r\nHost: x\r\n\r\n")
	if status, err := bufio.NewReader(conn).ReadString('\n'); err != nil || !strings.Contains(status, " 200 ") {
		t.Fatalf("the stalled stream: %q %v", status, err)
	}
	waitFor(t, func() bool { return tr.srv.streams.count() == 2 })
	var mu sync.Mutex
	var got []string
	go func() {
		for e := range reader.events {
			if e.name == "message" {
				mu.Lock()
				got = append(got, e.id)
				mu.Unlock()
			}
		}
	}()
	poster := tr.client("poster")
	long := strings.Repeat("a long message to fill the buffers ", 12)
	var posted []string
	for i := 0; tr.srv.streams.count() == 2; i++ {
		if i == 2000 {
			t.Fatal("the stream that reads nothing was never ended")
		}
		posted = append(posted, strconv.FormatInt(poster.say("/", fmt.Sprintf("%d %s", i, long)), 10))
	}
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= len(posted)
	})
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, posted) {
		t.Fatalf("the reading stream got %d messages, %d posted", len(got), len(posted))
	}
}

// Streams that stop reading end once all of them together lag more than
// the process allows, well before each reaches its own limit; a stream
// that reads gets every message, and the bytes held are all given back.
func TestStalledStreamsShareOneBudget(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.srv.maxPending = 4 << 20
	tr.srv.maxTotalPending = 64 << 10
	srv := httptest.NewServer(tr.srv)
	t.Cleanup(srv.Close)
	reader := openStream(t, srv, "/remote/stream/", nil)
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		return nil
	}}
	for range 3 {
		conn, err := d.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /remote/stream/ HTTP/1.1\r\nHost: x\r\n\r\n")
		if status, err := bufio.NewReader(conn).ReadString('\n'); err != nil || !strings.Contains(status, " 200 ") {
			t.Fatalf("a stalled stream: %q %v", status, err)
		}
	}
	waitFor(t, func() bool { return tr.srv.streams.count() == 4 })
	var mu sync.Mutex
	var got []string
	go func() {
		for e := range reader.events {
			if e.name == "message" {
				mu.Lock()
				got = append(got, e.id)
				mu.Unlock()
			}
		}
	}()
	poster := tr.client("poster")
	long := strings.Repeat("a long message to fill the buffers ", 12)
	var posted []string
	for i := 0; tr.srv.streams.count() > 1; i++ {
		// 4 MiB each would take some 10,000 posts of this size; the
		// budget, about 200.
		if i == 1000 {
			t.Fatalf("%d stalled streams still open", tr.srv.streams.count()-1)
		}
		posted = append(posted, strconv.FormatInt(poster.say("/", fmt.Sprintf("%d %s", i, long)), 10))
	}
	waitFor(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) >= len(posted)
	})
	mu.Lock()
	if !slices.Equal(got, posted) {
		t.Fatalf("the reading stream got %d messages, %d posted", len(got), len(posted))
	}
	mu.Unlock()
	waitFor(t, func() bool { return tr.srv.fan.pending.Load() == 0 })
}

// Where the connection cannot be taken over (HTTP/2), the handler writes
// the stream itself, with the same events: owned marks, order.
func TestStreamOverHTTP2(t *testing.T) {
	tr := sqliteTribune(t, nil)
	srv := httptest.NewUnstartedServer(tr.srv)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	client := srv.Client()
	poster := tr.client("poster")
	poster.get("/") // a session, to own what it posts
	req, _ := http.NewRequest("GET", srv.URL+"/remote/stream/", nil)
	for _, c := range poster.cookies {
		req.AddCookie(c)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.ProtoMajor != 2 || resp.StatusCode != 200 {
		t.Fatalf("%s %d", resp.Proto, resp.StatusCode)
	}
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	first := poster.say("/", "over HTTP/2")
	second := tr.client("another").say("/", "someone else's")
	want := []string{"id: " + strconv.FormatInt(first, 10), `"owned":true`, "id: " + strconv.FormatInt(second, 10), `"owned":false`}
	timeout := time.After(5 * time.Second)
	for len(want) > 0 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the stream ended")
			}
			if strings.Contains(l, want[0]) {
				want = want[1:]
			}
		case <-timeout:
			t.Fatalf("still waiting for %q", want[0])
		}
	}
	tr.srv.EndStreams() // and it ends at once on shutdown
	timeout = time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-lines:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the stream did not end with the server")
		}
	}
}

// A shard rests only in a flood: events that merely come while a pass runs
// (one post every 200 ms to streams that take nearly as long to write)
// are written at once, or the time to the streams would climb pass after
// pass; a flood makes each rest longer, up to maxRest.
func TestShardRestsOnlyInAFlood(t *testing.T) {
	rest := 0
	for range 10 {
		if rest = nextRest(rest, 1, true); rest != 0 {
			t.Fatalf("one event a pass, another queued: rest %d", rest)
		}
	}
	for i := 1; i <= maxRest+2; i++ {
		if rest = nextRest(rest, 50, true); rest != min(i, maxRest) {
			t.Fatalf("flood pass %d: rest %d", i, rest)
		}
	}
	if rest = nextRest(rest, 50, false); rest != 0 {
		t.Fatalf("a flood that ended: rest %d", rest)
	}
}
