package server

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// A poll that ends in 304 (nothing since If-Modified-Since, nothing after
// the last id) is answered from memory, without reading the session the
// client sends: with the store closed it still works.
func TestPollsAnsweredWithoutTheStore(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("Mozilla/5.0")
	tr.clock.set(t, "2013-03-10 15:30:12")
	id := c.say("/", "hello")
	// A session row to read: a BaK filter.
	if w := c.post("/post/", "content", "/bak add ua Demokos"); w.Code != 200 || c.cookies["sessionid"] == nil {
		t.Fatalf("bak: %d %s", w.Code, w.Body)
	}
	tr.clock.set(t, "2013-03-10 15:30:14") // the second is over
	w := c.get("/remote/xml/")
	lm := w.Header().Get("Last-Modified")
	if lm != "Sun, 10 Mar 2013 14:30:12 GMT" {
		t.Fatalf("Last-Modified %q", lm)
	}
	tag, clockTag := w.Header().Get("ETag"), c.get("/clock/15:30:12/").Header().Get("ETag")
	tr.st.Close()

	for _, tc := range []struct{ path, name, value string }{
		{"/remote/xml/", "If-Modified-Since", lm},
		{"/remote/json/", "If-Modified-Since", lm},
		{"/clock/15:30:12/", "If-Modified-Since", lm},
		{fmt.Sprintf("/remote/tsv/?last_id=%d", id), "", ""},
		{"/remote/xml/", "If-None-Match", tag},
		{"/remote/xml/", "If-None-Match", `"other", W/` + tag},
		{"/remote/json/", "If-None-Match", "*"},
		{"/clock/15:30:12/", "If-None-Match", clockTag},
	} {
		w := c.get(tc.path, tc.name, tc.value)
		if w.Code != http.StatusNotModified {
			t.Errorf("%s (%s %q) with the store closed: %d %s", tc.path, tc.name, tc.value, w.Code, w.Body)
		}
	}
	// Anything else reads the session, and fails without the store.
	if w := c.get("/remote/xml/"); w.Code != http.StatusInternalServerError {
		t.Fatalf("a full read with the store closed: %d", w.Code)
	}
}

// A burst of posts never pushes the channel's stamp ahead of the clock:
// Last-Modified never runs ahead of Date, and a client sending it back
// never misses a message.
func TestLastModifiedNeverAfterDate(t *testing.T) {
	tr := sqliteTribune(t, nil)
	srv := httptest.NewServer(tr.srv)
	defer srv.Close()
	ims := ""
	for i := range 30 {
		r, err := http.PostForm(srv.URL+"/post/", url.Values{"content": {fmt.Sprint("burst ", i)}})
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		id := r.Header.Get("X-Post-Id")
		req, _ := http.NewRequest("GET", srv.URL+"/remote/tsv/?direction=desc", nil)
		if ims != "" {
			req.Header.Set("If-Modified-Since", ims)
		}
		r, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || !strings.HasPrefix(string(body), id+"\t") {
			t.Fatalf("post %d (id %s) after If-Modified-Since %q: %d %.40q", i, id, ims, r.StatusCode, body)
		}
		lm, err1 := http.ParseTime(r.Header.Get("Last-Modified"))
		date, err2 := http.ParseTime(r.Header.Get("Date"))
		if err1 != nil || err2 != nil || lm.After(date) {
			t.Fatalf("post %d: Last-Modified %q, Date %q", i, r.Header.Get("Last-Modified"), r.Header.Get("Date"))
		}
		ims = r.Header.Get("Last-Modified")
	}
	def, _ := tr.st.Channel(t.Context(), model.DefaultSlug)
	if ms, err := tr.st.Page(t.Context(), def.ID, 0, 0, 1); err != nil || ms[0].Modified.After(time.Now()) {
		t.Fatalf("the stamp ran ahead of the clock: %v %v", ms[0].Modified, err)
	}
}

// A removal is a change: a client polling with If-Modified-Since gets the
// channel without the message, even when it was removed in the second of
// the poll, and the next post, in the second of the next poll, is not
// hidden either.
func TestRemovalSeenWithIfModifiedSince(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("x")
		modo.login(t, "modo")
		c := tr.client("Mozilla/5.0")
		tr.clock.set(t, "2013-03-10 15:30:12") // everything in one second
		first := c.say("/", "first")
		second := c.say("/", "second")
		w := c.get("/remote/json/")
		lm := w.Header().Get("Last-Modified")
		if w.Code != 200 || lm == "" {
			t.Fatalf("read: %d %q", w.Code, lm)
		}
		clockLM := c.get("/clock/15:30:12/").Header().Get("Last-Modified")
		if w := modo.post(fmt.Sprintf("/moderation/%d/remove", second), "reason", "spam"); w.Code != 200 {
			t.Fatalf("remove: %d %s", w.Code, w.Body)
		}
		w = c.get("/remote/json/", "If-Modified-Since", lm)
		if w.Code != 200 || !slices.Equal(ids(decodeJSON(t, w)), []int64{first}) {
			t.Fatalf("after the removal: %d %s", w.Code, w.Body)
		}
		lm2 := w.Header().Get("Last-Modified")
		if w := c.get("/clock/15:30:12/", "If-Modified-Since", clockLM); w.Code != 200 || !slices.Equal(ids(decodeJSON(t, w)), []int64{first}) {
			t.Fatalf("clock finder after the removal: %d %s", w.Code, w.Body)
		}
		// Two seconds later, the second of the removal is over.
		tr.clock.set(t, "2013-03-10 15:30:14")
		if w := c.get("/remote/json/", "If-Modified-Since", lm2); w.Code != 200 || !slices.Equal(ids(decodeJSON(t, w)), []int64{first}) {
			t.Fatalf("after the removal, two seconds later: %d %s", w.Code, w.Body)
		} else {
			lm2 = w.Header().Get("Last-Modified")
		}
		if w := c.get("/remote/json/", "If-Modified-Since", lm2); w.Code != http.StatusNotModified {
			t.Fatalf("nothing new since the removal: %d", w.Code)
		}
		third := c.say("/", "third") // in the second of the poll
		if w := c.get("/remote/json/", "If-Modified-Since", lm2); w.Code != 200 || !slices.Equal(ids(decodeJSON(t, w)), []int64{first, third}) {
			t.Fatalf("a post after the removal: %d %s", w.Code, w.Body)
		}
	})
}

// On PostgreSQL a removal made through one process shows in the others'
// answers to If-Modified-Since.
func TestRemovalSeenByOtherProcesses(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	shared := storetest.Backend{Name: "postgres", DSN: storetest.PostgresSchema(t, pg)}
	a, b := newTribune(t, shared, nil), newTribune(t, shared, nil)
	a.createUser(t, "modo", model.RoleModerator)
	modo := a.client("x")
	modo.login(t, "modo")
	first := a.client("x").say("/", "first")
	second := a.client("x").say("/", "second")
	cb := b.client("on B")
	var lm string
	waitFor(t, func() bool {
		w := cb.get("/remote/json/")
		lm = w.Header().Get("Last-Modified")
		return w.Code == 200 && slices.Equal(ids(decodeJSON(t, w)), []int64{first, second})
	})
	if w := modo.post(fmt.Sprintf("/moderation/%d/remove", second)); w.Code != 200 {
		t.Fatalf("remove: %d %s", w.Code, w.Body)
	}
	waitFor(t, func() bool {
		w := cb.get("/remote/json/", "If-Modified-Since", lm)
		return w.Code == 200 && slices.Equal(ids(decodeJSON(t, w)), []int64{first})
	})
}
