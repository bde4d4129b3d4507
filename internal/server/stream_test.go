package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// sseEvent is one server-sent event.
type sseEvent struct {
	name, id, data string
	comment        bool
}

// sseClient reads a live stream over real HTTP.
type sseClient struct {
	t      *testing.T
	events chan sseEvent
	cancel context.CancelFunc
	status int
}

func openStream(t *testing.T, srv *httptest.Server, path string, cookies map[string]*http.Cookie, headers ...string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	c := &sseClient{t: t, events: make(chan sseEvent, 100), cancel: cancel, status: resp.StatusCode}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	if resp.StatusCode != 200 {
		return c
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("stream content type %q", ct)
	}
	go func() {
		defer close(c.events)
		sc := bufio.NewScanner(resp.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e != (sseEvent{}) {
					c.events <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, ":"):
				select { // keep-alives of a stream nobody reads are dropped
				case c.events <- sseEvent{comment: true}:
				default:
				}
			case strings.HasPrefix(line, "event: "):
				e.name = line[7:]
			case strings.HasPrefix(line, "id: "):
				e.id = line[4:]
			case strings.HasPrefix(line, "data: "):
				e.data = line[6:]
			}
		}
	}()
	return c
}

// next returns the next event that is not a comment or a retry line.
func (c *sseClient) next(name string) sseEvent {
	c.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case e, ok := <-c.events:
			if !ok {
				c.t.Fatalf("stream closed while waiting for %s", name)
			}
			if e.comment || e.name == "" {
				continue
			}
			if e.name != name {
				c.t.Fatalf("got event %s %s, want %s", e.name, e.data, name)
			}
			return e
		case <-timeout:
			c.t.Fatalf("no %s event", name)
		}
	}
}

func TestLiveStream(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.StreamKeepAlive = time.Second }, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close) // after the streams' own clean-ups
		poster := tr.client("Poster")
		first := poster.say("/", "before the stream")

		// The poster's own stream marks its messages as owned; another
		// viewer's does not.
		mine := openStream(t, srv, "/remote/stream/", poster.cookies)
		theirs := openStream(t, srv, "/remote/stream/", nil)
		id := poster.say("/", "12:00:00 live <b>now</b>")
		for _, s := range []*sseClient{mine, theirs} {
			e := s.next("message")
			var row jsonRow
			json.Unmarshal([]byte(e.data), &row)
			if e.id != fmt.Sprint(id) || row.ID != id || row.WebRender != `<span class="pointer">12:00:00</span> live <b>now</b>` ||
				row.Owned != (s == mine) {
				t.Fatalf("event %+v, row %+v", e, row)
			}
		}
		// Keep-alive comments arrive while nothing happens.
		select {
		case e := <-theirs.events:
			if !e.comment {
				t.Fatalf("unexpected %+v", e)
			}
		case <-time.After(3 * time.Second):
			t.Fatal("no keep-alive")
		}

		// A reconnecting client gets what it missed (Last-Event-ID), then
		// live events, each once.
		missed := poster.say("/", "missed")
		resumed := openStream(t, srv, "/remote/stream/", nil, "Last-Event-ID", fmt.Sprint(id))
		if e := resumed.next("message"); e.id != fmt.Sprint(missed) {
			t.Fatalf("backlog: %+v", e)
		}
		after := poster.say("/", "after")
		if e := resumed.next("message"); e.id != fmt.Sprint(after) {
			t.Fatalf("live after backlog: %+v", e)
		}
		// ?last_id= works too.
		fromStart := openStream(t, srv, fmt.Sprintf("/remote/stream/?last_id=%d", first), nil)
		for _, want := range []int64{id, missed, after} {
			if e := fromStart.next("message"); e.id != fmt.Sprint(want) {
				t.Fatalf("from start: %+v, want %d", e, want)
			}
		}

		// BaK filters apply to the stream.
		filtered := tr.client("Reader")
		filtered.post("/post/", "content", "/bak add ua Poster")
		fs := openStream(t, srv, "/remote/stream/", filtered.cookies)
		poster.say("/", "hidden from the reader")
		tr.client("Someone").say("/", "shown to the reader")
		if e := fs.next("message"); !strings.Contains(e.data, "shown to the reader") {
			t.Fatalf("filtered stream: %+v", e)
		}

		// A removal is announced.
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("modo")
		modo.login(t, "modo")
		modo.post(fmt.Sprintf("/moderation/%d/remove", after))
		var seen []string
		deadline := time.After(5 * time.Second)
		for {
			var e sseEvent
			select {
			case ev, ok := <-theirs.events:
				if !ok {
					t.Fatal("the stream closed before the removal event")
				}
				e = ev
			case <-deadline:
				t.Fatal("no removal event")
			}
			if e.name == "message" {
				seen = append(seen, e.id)
				continue
			}
			if e.name == "removed" {
				if e.data != fmt.Sprintf(`{"id":%d}`, after) {
					t.Fatalf("removed: %+v", e)
				}
				break
			}
		}
		// The unfiltered stream saw every message since the first event.
		if len(seen) != 4 {
			t.Fatalf("messages before the removal: %v", seen)
		}
	})
}

// TestLiveModerationEvents follows the live events of moderation. Moderation
// events are delivered by the hub after the commit, in commit order, to
// every stream at once: when a moderator's stream has the count of a
// decision, every stream open then has been sent that decision's events.
// The test waits for those counts rather than assuming an ordering.
func TestLiveModerationEvents(t *testing.T) {
	tr := sqliteTribune(t, nil)
	srv := httptest.NewServer(tr.srv)
	t.Cleanup(srv.Close) // after the streams' own clean-ups
	tr.st.CreateChannel(t.Context(), "mod", "mod")
	tr.st.SetModeration(t.Context(), "mod", "manual", nil, "")
	tr.createUser(t, "modo", model.RoleModerator)
	modo := tr.client("modo")
	modo.login(t, "modo")
	author := tr.client("Author")
	modStream := openStream(t, srv, "/remote/stream/", modo.cookies)
	pendingCount := func(want int) {
		t.Helper()
		if e := modStream.next("pending"); e.data != fmt.Sprintf(`{"pending":%d}`, want) {
			t.Fatalf("pending count: %+v, want %d", e, want)
		}
	}
	// A moderator's stream starts with the queue's size.
	pendingCount(0)
	// The author's first post gives it a session.
	if w := author.post("/mod/post/", "content", "first"); w.Code != 202 {
		t.Fatal(w.Code)
	}
	pendingCount(1)
	// The first post's events are out: these streams start after them.
	authorStream := openStream(t, srv, "/mod/remote/stream/", author.cookies)
	stranger := openStream(t, srv, "/mod/remote/stream/", nil)
	for i, text := range []string{"second", "third"} {
		if w := author.post("/mod/post/", "content", text); w.Code != 202 {
			t.Fatal(w.Code)
		}
		// The moderators' count follows the queue.
		pendingCount(i + 2)
	}
	// One that starts now is told of the three, which came before it
	// (and so are the others, again).
	if e := openStream(t, srv, "/remote/stream/", modo.cookies).next("pending"); e.data != `{"pending":3}` {
		t.Fatalf("a moderator's stream opened with 3 waiting starts with %+v", e)
	}
	pendingCount(3)
	var q pendingList
	decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
	if len(q.Submissions) != 3 {
		t.Fatalf("queue: %+v", q)
	}

	modo.post(fmt.Sprintf("/moderation/%d/reject", q.Submissions[0].ID), "reason", "no thanks")
	pendingCount(2)
	// The author is told why, live.
	e := authorStream.next("submission")
	var ev map[string]any
	json.Unmarshal([]byte(e.data), &ev)
	if ev["id"] != float64(q.Submissions[0].ID) || ev["status"] != "rejected" || ev["reason"] != "no thanks" || ev["text"] != "Rejected: no thanks" {
		t.Fatalf("rejection event: %+v", ev)
	}

	// Acceptances: the author learns them, and everybody gets the
	// messages. The stranger's next event after each decision is the
	// accepted message: nothing about the decisions before it (their
	// events went out before, as the moderators' counts show).
	for i, text := range []string{"second", "third"} {
		modo.post(fmt.Sprintf("/moderation/%d/accept", q.Submissions[i+1].ID))
		if e := stranger.next("message"); !strings.Contains(e.data, text) {
			t.Fatalf("accepted message: %+v", e)
		}
		msg := authorStream.next("message")
		if !strings.Contains(msg.data, text) || !strings.Contains(msg.data, `"owned":true`) {
			t.Fatalf("the author's accepted message %q: %s", text, msg.data)
		}
		e := authorStream.next("submission")
		if !strings.Contains(e.data, `"status":"accepted"`) || !strings.Contains(e.data, fmt.Sprintf(`"id":%d`, q.Submissions[i+1].ID)) {
			t.Fatalf("acceptance event: %+v", e)
		}
		pendingCount(1 - i)
	}
}

func TestStreamLimitPerAddress(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.StreamMaxPerAddress = 2 })
	srv := httptest.NewServer(tr.srv)
	t.Cleanup(srv.Close) // after the streams' own clean-ups
	a := openStream(t, srv, "/remote/stream/", nil)
	b := openStream(t, srv, "/remote/stream/", nil)
	if c := openStream(t, srv, "/remote/stream/", nil); c.status != http.StatusTooManyRequests {
		t.Fatalf("third stream: %d", c.status)
	}
	a.cancel()
	time.Sleep(100 * time.Millisecond)
	waitFor(t, func() bool { return openStream(t, srv, "/remote/stream/", nil).status == 200 })
	_ = b
}

// A client that missed more than the backlog bound is told to reload its
// list (reset) instead of getting the oldest missed messages and losing
// the rest; the live events follow.
func TestStreamResetAfterLongAbsence(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.srv.backlog = 3 // before the server's goroutines start
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close)
		poster := tr.client("Poster")
		seen := poster.say("/", "the last one seen")
		var missed []int64
		for i := range 3 {
			missed = append(missed, poster.say("/", fmt.Sprintf("missed %d", i)))
		}
		// Exactly the bound: every missed message comes, no reset.
		s := openStream(t, srv, "/remote/stream/", nil, "Last-Event-ID", fmt.Sprint(seen))
		for _, id := range missed {
			if e := s.next("message"); e.id != fmt.Sprint(id) {
				t.Fatalf("backlog within the bound: %+v, want message %d", e, id)
			}
		}
		s.cancel()

		// One more: a reset, none of the backlog, then the live events.
		poster.say("/", "missed 3")
		for _, resume := range []string{"Last-Event-ID", "last_id"} {
			var s *sseClient
			if resume == "last_id" {
				s = openStream(t, srv, fmt.Sprintf("/remote/stream/?last_id=%d", seen), nil)
			} else {
				s = openStream(t, srv, "/remote/stream/", nil, "Last-Event-ID", fmt.Sprint(seen))
			}
			if e := s.next("reset"); e.data != `{"reason":"backlog"}` {
				t.Fatalf("%s: reset event %+v", resume, e)
			}
			live := poster.say("/", "live after the reset "+resume)
			if e := s.next("message"); e.id != fmt.Sprint(live) {
				t.Fatalf("%s: after the reset got %+v, want the live message %d", resume, e, live)
			}
			s.cancel()
		}
	})
}

// The open streams of a session apply its new BaK filters at once, and
// tell their pages to reload their lists; other sessions' streams are not
// touched.
func TestStreamFollowsFilterChanges(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close)
		poster := tr.client("Poster")
		other := tr.client("Someone")
		reader := tr.client("Reader")
		reader.get("/") // the board gives a session token
		if reader.cookies[tr.cfg.SessionCookieName] == nil {
			t.Fatal("the board page set no session cookie")
		}
		tabs := []*sseClient{
			openStream(t, srv, "/remote/stream/", reader.cookies),
			openStream(t, srv, "/remote/stream/", reader.cookies), // a second tab
		}
		stranger := openStream(t, srv, "/remote/stream/", nil)

		expect := func(s *sseClient, what string, want ...string) {
			t.Helper()
			for _, w := range want {
				if w == "reset" {
					if e := s.next("reset"); e.data != `{"reason":"filters"}` {
						t.Fatalf("%s: reset %+v", what, e)
					}
					continue
				}
				if e := s.next("message"); !strings.Contains(e.data, w) {
					t.Fatalf("%s: got message %s, want %q", what, e.data, w)
				}
			}
		}

		// A /bak command posted as a message, as a coincoin would.
		if w := reader.post("/post/", "content", "/bak add ua Poster"); w.Code != 200 {
			t.Fatalf("/bak add: %d %s", w.Code, w.Body)
		}
		poster.say("/", "hidden from the reader")
		other.say("/", "shown to the reader")
		for i, s := range tabs {
			expect(s, fmt.Sprintf("tab %d after /bak add", i), "reset", "shown to the reader")
		}
		expect(stranger, "stranger", "hidden from the reader", "shown to the reader")

		// The filters panel's route: turned off, the poster shows again.
		if w := reader.post("/prefs/filters", "op", "off"); w.Code >= 400 {
			t.Fatalf("filters off: %d %s", w.Code, w.Body)
		}
		poster.say("/", "shown again")
		for i, s := range tabs {
			expect(s, fmt.Sprintf("tab %d after the filters are off", i), "reset", "shown again")
		}
		expect(stranger, "stranger", "shown again")

		// A save that leaves the filters alone (the theme) resets nothing.
		if w := reader.post("/prefs", "theme", "dark"); w.Code >= 400 {
			t.Fatalf("theme: %d %s", w.Code, w.Body)
		}
		poster.say("/", "after the theme")
		for i, s := range tabs {
			expect(s, fmt.Sprintf("tab %d after a theme change", i), "after the theme")
		}
	})
}
