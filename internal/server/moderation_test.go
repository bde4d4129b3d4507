package server

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// fakeModerator is an external classifier behind the webhook moderator:
// it rates by keywords of the content and records what it was sent.
type fakeModerator struct {
	mu   sync.Mutex
	seen []map[string]any
}

func (f *fakeModerator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	json.NewDecoder(r.Body).Decode(&body)
	f.mu.Lock()
	f.seen = append(f.seen, body)
	f.mu.Unlock()
	content, _ := body["content"].(string)
	switch {
	case strings.Contains(content, "spam"):
		fmt.Fprint(w, `{"rating": 0, "reason": "looks like spam"}`)
	case strings.Contains(content, "padded"):
		fmt.Fprint(w, `{"rating": 0, "reason": "  padded reason\t"}`)
	case strings.Contains(content, "blank"):
		fmt.Fprint(w, `{"rating": 0, "reason": " "}`)
	case strings.Contains(content, "lovely"):
		fmt.Fprint(w, `{"rating": true}`)
	case strings.Contains(content, "meh"):
		fmt.Fprint(w, `{"rating": 30, "reason": "rather dull"}`)
	case strings.Contains(content, "broken"):
		fmt.Fprint(w, `{"rating": "not a number"`)
	default:
		fmt.Fprint(w, `{"rating": null}`)
	}
}

func (f *fakeModerator) requests() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.seen)
}

func decodeJSONInto(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("JSON: %v\n%s", err, w.Body)
	}
}

type pendingList struct {
	Pending     int              `json:"pending"`
	Submissions []submissionJSON `json:"submissions"`
	Recent      []submissionJSON `json:"recent"`
}

func TestModerationFlow(t *testing.T) {
	fake := &fakeModerator{}
	hook := httptest.NewServer(fake)
	defer hook.Close()
	var notices []map[string]any
	var nmu sync.Mutex
	queueHook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e map[string]any
		json.NewDecoder(r.Body).Decode(&e)
		nmu.Lock()
		notices = append(notices, e)
		nmu.Unlock()
	}))
	defer queueHook.Close()

	eachTribune(t, func(c *config.Config) { c.ModerationWebhook = queueHook.URL }, func(t *testing.T, tr *tribune) {
		nmu.Lock()
		notices = nil
		nmu.Unlock()
		if _, err := tr.st.CreateChannel(t.Context(), "mod", "Moderated"); err != nil {
			t.Fatal(err)
		}
		if err := tr.st.SetModeration(t.Context(), "mod", "auto", []string{"webhook:" + hook.URL, "links:1#too many links"}, ""); err != nil {
			t.Fatal(err)
		}
		tr.createUser(t, "modo", model.RoleModerator)
		modo := tr.client("Moderator's browser")
		modo.login(t, "modo")
		poster := tr.client("Poster/1.0")
		reader := tr.client("Reader/1.0")
		tr.clock.set(t, "2024-07-14 10:00:00") // summer time: +02:00

		// Something published before, and served to a polling client.
		before := poster.say("/mod/", "a lovely day")
		served := ids(decodeJSON(t, reader.get("/mod/remote/json/")))
		if !slices.Equal(served, []int64{before}) {
			t.Fatalf("served %v", served)
		}
		// Also on the default (open) channel, later ids.
		other := poster.say("/", "on the open channel")

		// Neutral ratings: the site's fallback (pending) holds it.
		w := poster.post("/mod/post/xml/", "content", "hello moderators")
		if w.Code != http.StatusAccepted || w.Header().Get("X-Moderation") != "pending" || w.Header().Get("X-Post-Id") != "" ||
			w.Body.String() != "Your message awaits moderation." || w.Header().Get("X-Submission-Id") == "" {
			t.Fatalf("pending post: %d %v %q", w.Code, w.Header(), w.Body)
		}
		// The webhook got the contract's JSON.
		reqs := fake.requests()
		last := reqs[len(reqs)-1]
		if last["channel"] != "mod" || last["content"] != "hello moderators" || last["info"] != "Poster/1.0" ||
			last["login"] != nil || last["address"] != "192.0.2.1" {
			t.Fatalf("webhook request: %v", last)
		}
		// Not in any backend, live list or clock finder.
		if w := reader.get(fmt.Sprintf("/mod/remote/json/?last_id=%d", before)); w.Code != http.StatusNotModified {
			t.Fatalf("pending message served: %d %s", w.Code, w.Body)
		}
		// The moderators' queue has it, and the team was told.
		var q pendingList
		decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
		if q.Pending != 1 || len(q.Submissions) != 1 || q.Submissions[0].Content != "hello moderators" ||
			q.Submissions[0].Channel != "mod" || q.Submissions[0].Status != "pending" || q.Submissions[0].Address != "192.0.2.1" {
			t.Fatalf("queue: %+v", q)
		}
		waitFor(t, func() bool { nmu.Lock(); defer nmu.Unlock(); return len(notices) == 1 })
		nmu.Lock()
		// "submitted" is in the tribune's zone, as in the API.
		if n := notices[0]; n["event"] != "pending" || n["channel"] != "mod" || n["content"] != "hello moderators" ||
			n["submitted"] != "2024-07-14T10:00:00+02:00" || !strings.HasSuffix(n["queue_url"].(string), "/moderation/") {
			t.Fatalf("queue notification: %v", n)
		}
		nmu.Unlock()
		pendingID := q.Submissions[0].ID

		// More traffic is served meanwhile.
		more := poster.say("/mod/", "a lovely evening")
		served = ids(decodeJSON(t, reader.get(fmt.Sprintf("/mod/remote/json/?last_id=%d", before))))
		if !slices.Equal(served, []int64{more}) {
			t.Fatalf("served %v", served)
		}

		// A moderator accepts: the message gets an id above everything
		// served before, and a polling client receives it.
		tr.clock.set(t, "2024-07-14 10:05:00")
		w = modo.post(fmt.Sprintf("/moderation/%d/accept", pendingID))
		var accepted submissionJSON
		decodeJSONInto(t, w, &accepted)
		if w.Code != 200 || accepted.Status != "accepted" || accepted.DecidedBy != "modo" || accepted.DecidedAt != "2024-07-14T10:05:00+02:00" ||
			accepted.Submitted != "2024-07-14T10:00:00+02:00" || accepted.MessageID <= more || accepted.MessageID <= other {
			t.Fatalf("accept: %d %+v", w.Code, accepted)
		}
		rows := decodeJSON(t, reader.get(fmt.Sprintf("/mod/remote/json/?last_id=%d", more)))
		if len(rows) != 1 || rows[0].ID != accepted.MessageID || rows[0].WebRender != "hello moderators" {
			t.Fatalf("polling after the acceptance: %+v", rows)
		}
		if w := modo.post(fmt.Sprintf("/moderation/%d/accept", pendingID)); w.Code != http.StatusConflict {
			t.Fatalf("second decision: %d", w.Code)
		}

		// A firm rejection by the webhook, with its reason.
		w = poster.post("/mod/post/", "content", "buy spam now")
		if w.Code != http.StatusForbidden || w.Body.String() != "Rejected: looks like spam" || w.Header().Get("X-Moderation") != "rejected" {
			t.Fatalf("rejected post: %d %v %q", w.Code, w.Header(), w.Body)
		}
		// The answer is the remote protocol's, in English whatever the
		// client's language; the reason is trimmed for display only.
		fr := tr.client("Poster/1.0")
		fr.header.Set("Accept-Language", "fr")
		for _, tc := range []struct{ content, body, reason string }{
			{"more spam", "Rejected: looks like spam", "looks like spam"},
			{"padded", "Rejected: padded reason", "  padded reason\t"},
			{"blank", "Rejected", " "},
		} {
			w := fr.post("/mod/post/", "content", tc.content)
			if w.Code != http.StatusForbidden || w.Body.String() != tc.body || w.Header().Get("X-Moderation") != "rejected" {
				t.Errorf("%q in French: %d %v %q", tc.content, w.Code, w.Header(), w.Body)
			}
			var mine []submissionJSON
			decodeJSONInto(t, fr.get("/my/messages.json"), &mine)
			if len(mine) == 0 || mine[0].Content != tc.content || mine[0].Reason != tc.reason {
				t.Errorf("%q recorded as %+v, want the reason %q", tc.content, mine, tc.reason)
			}
		}
		// The chain stops at the first firm verdict: links is not asked
		// about a rejected message, but rejects one with two links.
		w = poster.post("/mod/post/", "content", "see http://a.example and http://b.example")
		if w.Code != http.StatusForbidden || w.Body.String() != "Rejected: too many links" {
			t.Fatalf("links: %d %q", w.Code, w.Body)
		}
		// An averaged rejection: 30 alone is below 50.
		w = poster.post("/mod/post/", "content", "meh")
		if w.Code != http.StatusForbidden || w.Body.String() != "Rejected: rather dull" {
			t.Fatalf("averaged: %d %q", w.Code, w.Body)
		}
		// A malformed answer is neutral: pending again.
		if w := poster.post("/mod/post/", "content", "broken answer"); w.Code != http.StatusAccepted {
			t.Fatalf("malformed webhook answer: %d %q", w.Code, w.Body)
		}
		decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
		if q.Pending != 1 {
			t.Fatalf("queue: %+v", q)
		}
		// A moderator rejects it, with a reason.
		tr.clock.set(t, "2024-07-14 10:06:00")
		w = modo.post(fmt.Sprintf("/moderation/%d/reject", q.Submissions[0].ID), "reason", "  off topic  ")
		var rejected submissionJSON
		decodeJSONInto(t, w, &rejected)
		if rejected.Status != "rejected" || rejected.Reason != "off topic" || rejected.DecidedBy != "modo" ||
			rejected.DecidedAt != "2024-07-14T10:06:00+02:00" {
			t.Fatalf("reject: %+v", rejected)
		}
		// The author finds the outcomes and reasons in its messages.
		var mine []submissionJSON
		decodeJSONInto(t, poster.get("/my/messages.json"), &mine)
		statuses := map[string]string{}
		for _, m := range mine {
			statuses[m.Content] = m.Status + ":" + m.Reason
		}
		if statuses["broken answer"] != "rejected:off topic" || statuses["buy spam now"] != "rejected:looks like spam" ||
			statuses["hello moderators"] != "accepted:" || mine[0].Address != "" {
			t.Fatalf("my messages: %v", statuses)
		}
		// Automatic decisions record no moderator, and when.
		automatic := map[string]string{
			"a lovely day": "2024-07-14T10:00:00+02:00", "a lovely evening": "2024-07-14T10:00:00+02:00",
			"buy spam now": "2024-07-14T10:05:00+02:00", "meh": "2024-07-14T10:05:00+02:00",
		}
		for _, m := range mine {
			if at, ok := automatic[m.Content]; ok {
				if m.DecidedBy != "" || m.DecidedAt != at {
					t.Errorf("automatic decision on %q: by %q at %q, want none at %s", m.Content, m.DecidedBy, m.DecidedAt, at)
				}
				delete(automatic, m.Content)
			}
		}
		if len(automatic) != 0 {
			t.Errorf("automatic decisions missing from my messages: %v", automatic)
		}
		// Nobody else sees them.
		var theirs []submissionJSON
		decodeJSONInto(t, reader.get("/my/messages.json"), &theirs)
		if len(theirs) != 0 {
			t.Fatalf("a stranger's messages: %+v", theirs)
		}

		// A moderator removes a published message: gone from every
		// backend, its id never given again.
		if w := modo.post(fmt.Sprintf("/moderation/%d/remove", more), "reason", "duplicate"); w.Code != 200 {
			t.Fatalf("remove: %d %s", w.Code, w.Body)
		}
		for _, path := range []string{"/mod/remote/json/", "/mod/remote/xml/", "/mod/remote/tsv/"} {
			if strings.Contains(reader.get(path).Body.String(), "a lovely evening") {
				t.Fatalf("%s still shows the removed message", path)
			}
		}
		if w := modo.post(fmt.Sprintf("/moderation/%d/remove", more)); w.Code != http.StatusNotFound {
			t.Fatalf("second removal: %d", w.Code)
		}
		next := poster.say("/mod/", "a lovely night")
		if next <= accepted.MessageID {
			t.Fatalf("id %d after %d", next, accepted.MessageID)
		}
	})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestModerationModesAndFallbacks(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		ctx := t.Context()
		for _, slug := range []string{"manual", "auto", "acc", "rej"} {
			if _, err := tr.st.CreateChannel(ctx, slug, slug); err != nil {
				t.Fatal(err)
			}
		}
		tr.st.SetModeration(ctx, "manual", "manual", nil, "")
		tr.st.SetModeration(ctx, "auto", "auto", nil, "")      // no moderator: the site default, pending
		tr.st.SetModeration(ctx, "acc", "auto", nil, "accept") // channel override
		tr.st.SetModeration(ctx, "rej", "auto", nil, "reject") // fallback rejection: empty reason
		c := tr.client("Poster")
		cases := []struct {
			path   string
			status int
			body   string
		}{
			{"/post/", 200, ""},
			{"/manual/post/", 202, "Your message awaits moderation."},
			{"/auto/post/", 202, "Your message awaits moderation."},
			{"/acc/post/", 200, ""},
			{"/rej/post/", 403, "Rejected"},
		}
		for _, tc := range cases {
			w := c.post(tc.path, "content", "hello")
			if w.Code != tc.status || tc.body != "" && w.Body.String() != tc.body {
				t.Errorf("%s: %d %q", tc.path, w.Code, w.Body)
			}
			if (w.Header().Get("X-Post-Id") != "") != (tc.status == 200) {
				t.Errorf("%s: X-Post-Id %q", tc.path, w.Header().Get("X-Post-Id"))
			}
		}
		// French.
		fr := tr.client("Poster")
		fr.header.Set("Accept-Language", "fr")
		if w := fr.post("/manual/post/", "content", "bonjour"); w.Body.String() != "Votre message attend la modération." {
			t.Errorf("French: %q", w.Body)
		}
		// A rejection's body is English: X-Moderation and this body are
		// the remote protocol.
		if w := fr.post("/rej/post/", "content", "bonjour"); w.Code != 403 || w.Body.String() != "Rejected" {
			t.Errorf("French rejection: %d %q", w.Code, w.Body)
		}
		// Commands still run on a moderated channel: they post nothing.
		if w := c.post("/manual/post/", "content", "/bak on"); w.Code != 200 {
			t.Errorf("command on a moderated channel: %d", w.Code)
		}
	})
}

func TestSiteFallback(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.AutoModerateAs = "accept" })
	tr.st.CreateChannel(t.Context(), "auto", "auto")
	tr.st.SetModeration(t.Context(), "auto", "auto", []string{"anonymous:50"}, "")
	// anonymous:50 alone averages to 50: accepted.
	if w := tr.client("x").post("/auto/post/", "content", "hello"); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	// A registered user gets a neutral rating: the site's accept decides.
	tr.createUser(t, "member", model.RoleUser)
	c := tr.client("x")
	c.login(t, "member")
	if w := c.post("/auto/post/", "content", "hello"); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}

func TestFloodAndDuplicateAcrossRequests(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.st.CreateChannel(t.Context(), "calm", "Calm")
		tr.st.SetModeration(t.Context(), "calm", "auto", []string{"duplicate:1m", "flood:3/1m", "anonymous:100"}, "")
		c := tr.client("x")
		for i := range 3 {
			if w := c.post("/calm/post/", "content", fmt.Sprint("message ", i)); w.Code != 200 {
				t.Fatalf("post %d: %d %s", i, w.Code, w.Body)
			}
		}
		if w := c.post("/calm/post/", "content", "message 0"); w.Code != 403 || !strings.Contains(w.Body.String(), "uplicate") {
			t.Fatalf("duplicate: %d %q", w.Code, w.Body)
		}
		if w := c.post("/calm/post/", "content", "a fifth one"); w.Code != 403 {
			t.Fatalf("flood: %d %q", w.Code, w.Body)
		}
	})
}

func TestModerationAPIAccess(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.createUser(t, "simple", model.RoleUser)
	tr.createUser(t, "chief", model.RoleAdmin)
	anon := tr.client("x")
	if w := anon.get("/moderation/pending.json"); w.Code != 401 || w.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("anonymous: %d", w.Code)
	}
	user := tr.client("x")
	user.login(t, "simple")
	// Who asks is checked first, whatever the id or the form.
	for _, path := range []string{"/moderation/1/accept", "/moderation/1/reject", "/moderation/1/remove",
		"/moderation/x/accept", "/moderation/x/reject", "/moderation/x/remove", "/moderation/remove"} {
		if w := anon.post(path, "id", "x"); w.Code != 401 {
			t.Errorf("anonymous %s: %d", path, w.Code)
		}
		if w := user.post(path, "id", "x"); w.Code != 403 {
			t.Errorf("user %s: %d", path, w.Code)
		}
	}
	if w := user.get("/moderation/pending.json"); w.Code != 403 {
		t.Fatalf("user queue: %d", w.Code)
	}
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("chief:chief-password"))
	w := anon.do("GET", "/moderation/pending.json", "", "Authorization", basic)
	var q pendingList
	decodeJSONInto(t, w, &q)
	if w.Code != 200 || q.Pending != 0 || q.Submissions == nil {
		t.Fatalf("admin by Basic: %d %s", w.Code, w.Body)
	}
	for _, path := range []string{"/moderation/999/accept", "/moderation/999/reject", "/moderation/999/remove", "/moderation/x/accept"} {
		if w := anon.do("POST", path, "", "Authorization", basic); w.Code != 404 {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
	// A cross-site browser form is refused; tools (no Origin) are not.
	w = anon.do("POST", "/moderation/1/accept", "", "Authorization", basic, "Sec-Fetch-Site", "cross-site")
	if w.Code != 403 || !strings.Contains(w.Body.String(), "Cross-origin") {
		t.Fatalf("cross-site form: %d %q", w.Code, w.Body)
	}
	_ = io.Discard
}
