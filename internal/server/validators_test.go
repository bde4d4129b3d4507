package server

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// A burst of 50 posts does not keep If-Modified-Since clients on full
// answers: from two seconds after it, a poll with the Last-Modified it was
// given gets 304 (the stamps used to run ahead of the clock by a second a
// post, and Last-Modified to say "now" until they had caught up).
func TestBurstThenNotModified(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		var wg sync.WaitGroup
		for i := range 50 {
			c := tr.client(fmt.Sprint("burst/", i))
			wg.Go(func() { c.say("/", fmt.Sprint("burst ", i)) })
		}
		wg.Wait()
		end := time.Now()
		c := tr.client("quteqoin")
		if w := c.get("/remote/xml/"); w.Code != 200 {
			t.Fatalf("during the burst: %d", w.Code)
		}
		time.Sleep(time.Until(end.Add(2 * time.Second)))
		w := c.get("/remote/xml/?limit=100")
		lm := w.Header().Get("Last-Modified")
		if w.Code != 200 || len(postIDs(decodeXML(t, w))) != 50 {
			t.Fatalf("after the burst: %d", w.Code)
		}
		if w := c.get("/remote/xml/?limit=100", "If-Modified-Since", lm); w.Code != http.StatusNotModified {
			t.Fatalf("2 s after a burst of 50 posts, If-Modified-Since %q: %d", lm, w.Code)
		}
		if at, err := http.ParseTime(lm); err != nil || at.After(end) {
			t.Fatalf("Last-Modified %q after the end of the burst (%v)", lm, end)
		}
	})
}

// The ETag names the answer: it changes with a new message, a removal (in
// the same second), a message a moderator accepts, and every option; it is
// the same for the same answer; If-None-Match with it ("*", a list, weak
// or strong) is 304 and wins over If-Modified-Since.
func TestETag(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		if _, err := tr.st.CreateChannel(t.Context(), "troie", "Troie"); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.st.CreateChannel(t.Context(), "manual", "Manual"); err != nil {
			t.Fatal(err)
		}
		if err := tr.st.SetModeration(t.Context(), "manual", "manual", nil, ""); err != nil {
			t.Fatal(err)
		}
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("x")
		modo.login(t, "modo")
		poster, c := tr.client("Poster/1.0"), tr.client("")
		tr.clock.set(t, "2013-03-10 12:00:00") // everything in one second
		posted := []int64{poster.say("/", "one"), poster.say("/", "two"), poster.say("/troie/", "three")}
		accept := func(text string) {
			t.Helper()
			pw := poster.post("/manual/post/", "content", text)
			if pw.Code != http.StatusAccepted {
				t.Fatalf("moderated post: %d", pw.Code)
			}
			if w := modo.post("/moderation/" + pw.Header().Get("X-Submission-Id") + "/accept"); w.Code != 200 {
				t.Fatalf("accept: %d %s", w.Code, w.Body)
			}
		}
		accept("before")
		tag := func(path string) string {
			t.Helper()
			w := c.get(path)
			if w.Code != 200 || len(w.Header().Get("ETag")) != 18 {
				t.Fatalf("%s: %d, ETag %q", path, w.Code, w.Header().Get("ETag"))
			}
			if h := c.do("HEAD", path, ""); h.Header().Get("ETag") != w.Header().Get("ETag") {
				t.Fatalf("%s: HEAD's ETag %q, GET's %q", path, h.Header().Get("ETag"), w.Header().Get("ETag"))
			}
			return w.Header().Get("ETag")
		}
		// Every backend answer has one, and each its own.
		paths := []string{"/remote/", "/remote/?table_width=60", "/remote/tsv/", "/remote/json/", "/remote/xml/",
			"/crap/remote.xml", "/remote/json/?limit=1", "/remote/json/?direction=desc",
			fmt.Sprintf("/remote/json/?last_id=%d", posted[0]), "/troie/remote/json/",
			"/clock/12:00:00/", "/clock/12:00:00/xml/", "/clock/12:00/", "/clock/12:00:00:2/"}
		tags := map[string]string{}
		for _, p := range paths {
			tg := tag(p)
			if other, ok := tags[tg]; ok {
				t.Errorf("%s and %s share ETag %s", p, other, tg)
			}
			tags[tg] = p
		}
		// The same answer asked otherwise has the same one.
		for p, same := range map[string]string{
			"/remote/json/?limit=50":          "/remote/json/",
			"/remote/json/?direction=asc":     "/remote/json/",
			"/remote/xml/?direction=desc":     "/remote/xml/",
			"/remote/json/?limit=x&last_id=0": "/remote/json/",
			"/remote/xml/crap/":               "/crap/remote.xml",
			"/clock/120000/":                  "/clock/12:00:00/",
			"/remote/":                        "/remote/?table_width=90",
		} {
			if tag(p) != tag(same) {
				t.Errorf("%s and %s differ", p, same)
			}
		}
		// If-None-Match.
		json := tag("/remote/json/")
		for _, inm := range []string{json, "W/" + json, `"nope", ` + json, "*", `"a,b", ` + json} {
			w := c.get("/remote/json/", "If-None-Match", inm)
			if w.Code != http.StatusNotModified || w.Body.Len() != 0 || w.Header().Get("ETag") != json || w.Header().Get("Last-Modified") == "" {
				t.Errorf("If-None-Match %s: %d %v", inm, w.Code, w.Header())
			}
		}
		for _, inm := range []string{`"nope"`, tag("/remote/xml/"), "garbage", `W/`} {
			// If-Modified-Since does not count beside If-None-Match.
			if w := c.get("/remote/json/", "If-None-Match", inm, "If-Modified-Since", "Sun, 10 Mar 2030 12:00:00 GMT"); w.Code != 200 {
				t.Errorf("If-None-Match %s: %d", inm, w.Code)
			}
		}
		// A removal, in the same second: a new tag, and the old one is 200.
		w := c.get("/remote/json/", "If-None-Match", json)
		if w.Code != 304 {
			t.Fatal(w.Code)
		}
		if w := modo.post(fmt.Sprintf("/moderation/%d/remove", posted[1])); w.Code != 200 {
			t.Fatalf("remove: %d %s", w.Code, w.Body)
		}
		w = c.get("/remote/json/", "If-None-Match", json)
		if w.Code != 200 || !slices.Equal(ids(decodeJSON(t, w)), []int64{posted[0]}) || w.Header().Get("ETag") == json {
			t.Fatalf("after a removal: %d %s", w.Code, w.Body)
		}
		afterRemoval := w.Header().Get("ETag")
		// A new message, in the same second.
		posted = append(posted, poster.say("/", "four"))
		w = c.get("/remote/json/", "If-None-Match", afterRemoval)
		if w.Code != 200 || !slices.Equal(ids(decodeJSON(t, w)), []int64{posted[0], posted[3]}) {
			t.Fatalf("after a post: %d %s", w.Code, w.Body)
		}
		// A message a moderator accepts.
		manual := tag("/manual/remote/json/")
		if w := poster.post("/manual/post/", "content", "pending"); w.Code != http.StatusAccepted {
			t.Fatalf("moderated post: %d", w.Code)
		}
		if w := c.get("/manual/remote/json/", "If-None-Match", manual); w.Code != 304 {
			t.Fatalf("a pending message changed the answer: %d", w.Code)
		}
		var q struct {
			Submissions []struct{ ID int64 } `json:"submissions"`
		}
		decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
		if len(q.Submissions) != 1 {
			t.Fatalf("pending: %+v", q)
		}
		if w := modo.post(fmt.Sprintf("/moderation/%d/accept", q.Submissions[0].ID)); w.Code != 200 {
			t.Fatalf("accept: %d %s", w.Code, w.Body)
		}
		if w := c.get("/manual/remote/json/", "If-None-Match", manual); w.Code != 200 || len(decodeJSON(t, w)) != 2 {
			t.Fatalf("after an acceptance: %d %s", w.Code, w.Body)
		}
	})
}

// Answers differ by who asks (BaK filters, "owned" marks): a request with
// a session cookie gets a tag of its own, checked from memory.
func TestETagPerViewer(t *testing.T) {
	tr := sqliteTribune(t, nil)
	author, reader, anon := tr.client("Demokos"), tr.client("Reader"), tr.client("")
	author.say("/", "mine")
	tr.client("Hector").say("/", "visible")
	expectCommand(t, reader, "/bak add ua Demokos")
	if author.cookies["sessionid"] == nil || reader.cookies["sessionid"] == nil {
		t.Fatal("no session cookies")
	}
	got := map[string]*http.Response{}
	for name, c := range map[string]*client{"author": author, "reader": reader, "anonymous": anon} {
		w := c.get("/remote/json/")
		got[name] = w.Result()
		if w.Code != 200 {
			t.Fatalf("%s: %d", name, w.Code)
		}
	}
	a, r, n := got["author"].Header.Get("ETag"), got["reader"].Header.Get("ETag"), got["anonymous"].Header.Get("ETag")
	if a == r || a == n || r == n {
		t.Fatalf("one tag for different answers: author %s, reader %s, anonymous %s", a, r, n)
	}
	// Each is current for its own viewer only.
	for _, tc := range []struct {
		c    *client
		tag  string
		want int
	}{
		{author, a, 304}, {reader, r, 304}, {anon, n, 304},
		{anon, a, 200}, {anon, r, 200}, {reader, a, 200}, {author, n, 200},
	} {
		if w := tc.c.get("/remote/json/", "If-None-Match", tc.tag); w.Code != tc.want {
			t.Errorf("%s with %s: %d, want %d", tc.c.ua, tc.tag, w.Code, tc.want)
		}
	}
	// Credentials make a viewer too.
	if w := anon.get("/remote/json/", "If-None-Match", n, "Authorization", "Basic eDp5"); w.Code != 200 {
		t.Errorf("anonymous tag with credentials: %d", w.Code)
	}
}

// A post's answer carries the validators of the backend answer it holds:
// polling the backend with them right after is 304.
func TestPostAnswerValidators(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("olcc")
		first := c.say("/", "first") // c now has its session cookie
		w := c.post(fmt.Sprintf("/post/json/?last_id=%d", first), "content", "second")
		tag, lm := w.Header().Get("ETag"), w.Header().Get("Last-Modified")
		if w.Code != 200 || tag == "" || lm == "" || len(decodeJSON(t, w)) != 1 {
			t.Fatalf("post: %d %v %s", w.Code, w.Header(), w.Body)
		}
		if w := c.get(fmt.Sprintf("/remote/json/?last_id=%d", first), "If-None-Match", tag); w.Code != http.StatusNotModified {
			t.Fatalf("poll with the post's ETag: %d", w.Code)
		}
		// No list, no validators.
		if w := c.post("/post/xml/", "content", "third"); w.Code != 200 || w.Header().Get("ETag") != "" || w.Header().Get("Last-Modified") != "" {
			t.Fatalf("post without a list: %d %v", w.Code, w.Header())
		}
	})
}

// Two processes share PostgreSQL, B's clock a second behind A's. A post
// through B in the second A's last answer ended in is never hidden, whether
// the client polls A or B with what A gave it; and both give one ETag for
// one answer.
func TestSecondProcessClockBehind(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	shared := storetest.Backend{Name: "postgres", DSN: storetest.PostgresSchema(t, pg)}
	a, b := newTribune(t, shared, nil), newTribune(t, shared, nil)
	base := time.Date(2013, 3, 10, 11, 0, 0, 0, time.UTC)
	setClocks := func(d time.Duration) {
		a.clock.mu.Lock()
		a.clock.t = base.Add(d)
		a.clock.mu.Unlock()
		b.clock.mu.Lock()
		b.clock.t = base.Add(d - time.Second)
		b.clock.mu.Unlock()
	}
	select { // A hears B's commits
	case <-a.st.Listening():
	case <-time.After(10 * time.Second):
		t.Fatal("A never listens")
	}
	ca, cb := a.client(""), b.client("")
	setClocks(10*time.Second + 200*time.Millisecond)
	first := a.client("x").say("/", "on A at :10") // stamp :10
	waitFor(t, func() bool { return len(decodeJSON(t, cb.get("/remote/json/"))) == 1 })
	setClocks(11*time.Second + 500*time.Millisecond)
	w := ca.get("/remote/json/")
	lm, tag := w.Header().Get("Last-Modified"), w.Header().Get("ETag")
	if w.Code != 200 || lm == "" {
		t.Fatalf("A: %d %q", w.Code, lm)
	}
	if bw := cb.get("/remote/json/"); bw.Header().Get("ETag") != tag {
		t.Fatalf("ETag: %q on A, %q on B", tag, bw.Header().Get("ETag"))
	}
	// B, whose clock says :10.5, posts: its stamp is :10, the second of
	// A's newest message.
	second := b.client("x").say("/", "on B at :10 by its clock")
	for _, tc := range []struct {
		name string
		c    *client
	}{{"B", cb}, {"A", ca}} {
		for _, h := range [][]string{{"If-Modified-Since", lm}, {"If-None-Match", tag}} {
			waitFor(t, func() bool {
				w := tc.c.get("/remote/json/", h...)
				if w.Code == http.StatusNotModified && tc.name == "B" {
					t.Fatalf("B hides its own post from a client of A with %s %s", h[0], h[1])
				}
				return w.Code == 200 && slices.Equal(ids(decodeJSON(t, w)), []int64{first, second})
			})
		}
	}
	// Two seconds later by both clocks, both answer 304 to what they give.
	setClocks(13*time.Second + 500*time.Millisecond)
	for _, c := range []*client{ca, cb} {
		w := c.get("/remote/json/")
		if w := c.get("/remote/json/", "If-Modified-Since", w.Header().Get("Last-Modified")); w.Code != http.StatusNotModified {
			t.Errorf("If-Modified-Since: %d", w.Code)
		}
		if w := c.get("/remote/json/", "If-None-Match", w.Header().Get("ETag")); w.Code != http.StatusNotModified {
			t.Errorf("If-None-Match: %d", w.Code)
		}
	}
}

// A coincoin reading with its access token in the tribune_token cookie
// sees its own messages as owned: its tag is its own, not an anonymous
// reader's.
func TestETagOfATokenCookie(t *testing.T) {
	tr := sqliteTribune(t, nil)
	u := tr.createUser(t, "nono", model.RoleUser)
	nt, err := tr.board.CreateToken(t.Context(), &u, "nono", "olcc", model.ScopePost)
	if err != nil {
		t.Fatal(err)
	}
	coincoin, anon := tr.client("olcc"), tr.client("")
	coincoin.cookies["tribune_token"] = &http.Cookie{Name: "tribune_token", Value: nt.Secret}
	coincoin.say("/", "mine")
	c, a := coincoin.get("/remote/json/"), anon.get("/remote/json/")
	if c.Code != 200 || a.Code != 200 || c.Header().Get("ETag") == a.Header().Get("ETag") {
		t.Fatalf("tags: token %d %s, anonymous %d %s", c.Code, c.Header().Get("ETag"), a.Code, a.Header().Get("ETag"))
	}
	if w := anon.get("/remote/json/", "If-None-Match", c.Header().Get("ETag")); w.Code != 200 {
		t.Fatalf("the token's tag for an anonymous reader: %d", w.Code)
	}
	if w := coincoin.get("/remote/json/", "If-None-Match", c.Header().Get("ETag")); w.Code != 304 {
		t.Fatalf("the token's own tag: %d", w.Code)
	}
}
