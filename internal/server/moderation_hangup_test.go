package server

import (
	"encoding/json"
	"errors"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// slowModerator is a classifier that takes its time: it answers after
// delay the rating of rate (a JSON value), or gives up when the tribune
// hangs up on it.
func slowModerator(t *testing.T, delay time.Duration, rate func(content string) string) *httptest.Server {
	t.Helper()
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ Content string }
		json.NewDecoder(r.Body).Decode(&body)
		if strings.Contains(body.Content, "slow") || strings.Contains(body.Content, "buy now") {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Write([]byte(rate(body.Content)))
	}))
	t.Cleanup(hook.Close)
	return hook
}

// liveTribune serves tr over real HTTP, so that a client can hang up. The
// channel it returns receives a value each time a request's handler is
// done, whatever became of its client.
func liveTribune(t *testing.T, tr *tribune) (*httptest.Server, <-chan struct{}) {
	t.Helper()
	done := make(chan struct{}, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { done <- struct{}{} }()
		tr.srv.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, done
}

// postAndHangUp posts content to path on srv like `curl -m 0.3`: the
// client gives up after 300ms. It waits until the tribune is done with the
// request.
func postAndHangUp(t *testing.T, srv *httptest.Server, done <-chan struct{}, path, content string) {
	t.Helper()
	c := &http.Client{Timeout: 300 * time.Millisecond}
	resp, err := c.PostForm(srv.URL+path, url.Values{"content": {content}})
	if err == nil {
		resp.Body.Close()
		t.Fatalf("the post of %q was answered (%s) before the client gave up", content, resp.Status)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("post %q: %v, want the client's timeout", content, err)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the tribune is still handling the post after 10s")
	}
}

// liveSay posts content to path on srv and fails unless it is published.
func liveSay(t *testing.T, srv *httptest.Server, done <-chan struct{}, path, content string) {
	t.Helper()
	resp, err := http.PostForm(srv.URL+path, url.Values{"content": {content}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	<-done
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Post-Id") == "" {
		t.Fatalf("post %q: %s %v", content, resp.Status, resp.Header)
	}
}

// checkUnpublished fails if any backend of the channel at path, or the
// store, holds more than want messages.
func checkUnpublished(t *testing.T, tr *tribune, path string, want int) {
	t.Helper()
	reader := tr.client("Reader/1.0")
	// An empty selection is answered 304, as in djangotribune.
	if w := reader.get(path + "remote/json/"); want == 0 && w.Code != http.StatusNotModified ||
		want > 0 && (w.Code != http.StatusOK || len(decodeJSON(t, w)) != want) {
		t.Errorf("JSON backend: %d %s, want %d messages", w.Code, w.Body, want)
	}
	for _, b := range []string{"remote/", "remote/tsv/", "remote/xml/"} {
		w := reader.get(path + b)
		if w.Code != http.StatusOK && w.Code != http.StatusNotModified {
			t.Errorf("%s: %d", b, w.Code)
		}
		if body := w.Body.String(); strings.Contains(body, "buy now") || strings.Contains(body, "slow") {
			t.Errorf("%s serves the message:\n%s", b, body)
		}
	}
	c, err := tr.st.Channel(t.Context(), strings.Trim(path, "/"))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := tr.st.CountMessages(t.Context(), c.ID); err != nil || n != want {
		t.Errorf("store: %d messages (%v), want %d", n, err, want)
	}
}

// moderatedRecord returns the newest decision of the moderation API.
func moderatedRecord(t *testing.T, tr *tribune) submissionJSON {
	t.Helper()
	modo := tr.client("Moderator's browser")
	modo.login(t, "modo")
	var q pendingList
	decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
	if len(q.Recent) == 0 {
		t.Fatalf("no decision recorded: %+v", q)
	}
	return q.Recent[0]
}

// TestModerationSurvivesHangUp is the attack of the issue: a webhook that
// rejects after 1s, a channel whose fallback publishes, and a poster who
// gives up after 300ms (curl -m 0.3). The poster's hanging up must not
// make the webhook fail and the fallback publish the message: the
// webhook's rejection stands and is recorded.
func TestModerationSurvivesHangUp(t *testing.T) {
	hook := slowModerator(t, time.Second, func(string) string { return `{"rating": 0, "reason": "spam, says the classifier"}` })
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		if _, err := tr.st.CreateChannel(t.Context(), "mod", "Moderated"); err != nil {
			t.Fatal(err)
		}
		if err := tr.st.SetModeration(t.Context(), "mod", "auto", []string{"webhook:" + hook.URL}, "accept"); err != nil {
			t.Fatal(err)
		}
		tr.createUser(t, "modo", model.RoleModerator)
		srv, done := liveTribune(t, tr)

		postAndHangUp(t, srv, done, "/mod/post/", "buy now")

		checkUnpublished(t, tr, "/mod/", 0)
		rec := moderatedRecord(t, tr)
		if rec.Content != "buy now" || rec.Status != model.StatusRejected || rec.Reason != "spam, says the classifier" ||
			rec.DecidedBy != "" {
			t.Fatalf("record %+v, want rejected by the webhook", rec)
		}
		checkSaid(t, rec.Moderators, said{"webhook:" + hook.URL, "0", "spam, says the classifier", ""})
	})
}

// TestFloodCountsAfterHangUp: flood asks the store, which must answer
// even though the poster hung up while an earlier moderator of the chain
// (a slow classifier with no opinion) was thinking.
func TestFloodCountsAfterHangUp(t *testing.T) {
	hook := slowModerator(t, time.Second, func(string) string { return `{"rating": null}` })
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		if _, err := tr.st.CreateChannel(t.Context(), "mod", "Moderated"); err != nil {
			t.Fatal(err)
		}
		if err := tr.st.SetModeration(t.Context(), "mod", "auto", []string{"webhook:" + hook.URL, "flood:1/1h"}, "accept"); err != nil {
			t.Fatal(err)
		}
		tr.createUser(t, "modo", model.RoleModerator)
		srv, done := liveTribune(t, tr)

		liveSay(t, srv, done, "/mod/post/", "first, and welcome")
		postAndHangUp(t, srv, done, "/mod/post/", "slow second")

		checkUnpublished(t, tr, "/mod/", 1)
		rec := moderatedRecord(t, tr)
		if rec.Content != "slow second" || rec.Status != model.StatusRejected || rec.Reason != "flood" {
			t.Fatalf("record %+v, want rejected by flood", rec)
		}
		checkSaid(t, rec.Moderators, said{"webhook:" + hook.URL, "", "", ""}, said{"flood:1/1h", "0", "flood", ""})
	})
}

// said is what a moderator result must hold: its spec, its rating ("" for
// none), reason and failure kind.
type said struct{ spec, rating, reason, failure string }

func checkSaid(t *testing.T, got []model.ModeratorResult, want ...said) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("moderators %+v, want %+v", got, want)
	}
	for i, g := range got {
		rating := ""
		if g.Rating != nil {
			rating = strconv.FormatFloat(*g.Rating, 'g', -1, 64)
		}
		if w := want[i]; g.Spec != w.spec || rating != w.rating || g.Reason != w.reason || g.Failure != w.failure ||
			(g.Failure != "") != (g.Detail != "") {
			t.Errorf("moderator %d: %+v (rating %q), want %+v", i, g, rating, w)
		}
	}
}

// TestClassifierOutageShows: a classifier that times out or answers
// nonsense leaves the decision to the fallback; the moderation API and
// page say so next to the message, in English and French, with the
// webhook's password masked. Authors see none of it.
func TestClassifierOutageShows(t *testing.T) {
	hook := slowModerator(t, time.Second, func(content string) string {
		if strings.Contains(content, "broken") {
			return `{"rating": "high"}`
		}
		return `{"rating": 0}`
	})
	secret := strings.Replace(hook.URL, "http://", "http://bot:s3cret@", 1)
	masked := "webhook:" + strings.Replace(hook.URL, "http://", "http://bot:xxxxx@", 1)
	eachTribune(t, func(c *config.Config) { c.ModerationWebhookTimeout = 100 * time.Millisecond }, func(t *testing.T, tr *tribune) {
		for slug, fallback := range map[string]string{"open": "accept", "held": "pending"} {
			if _, err := tr.st.CreateChannel(t.Context(), slug, slug); err != nil {
				t.Fatal(err)
			}
			if err := tr.st.SetModeration(t.Context(), slug, "auto", []string{"webhook:" + secret, "links:2"}, fallback); err != nil {
				t.Fatal(err)
			}
		}
		tr.createUser(t, "modo", model.RoleModerator)
		poster := tr.client("Poster/1.0")
		// The classifier is too slow: moderation is off on "open", and the
		// post's answer is what it always was.
		start := time.Now()
		poster.say("/open/", "buy now")
		if elapsed := time.Since(start); elapsed > 900*time.Millisecond {
			t.Errorf("the post took %v, want about the webhook's 100ms", elapsed)
		}
		if w := poster.post("/held/post/", "content", "buy now"); w.Code != http.StatusAccepted {
			t.Fatalf("held: %d %s", w.Code, w.Body)
		}
		if w := poster.post("/held/post/", "content", "broken record"); w.Code != http.StatusAccepted {
			t.Fatalf("held: %d %s", w.Code, w.Body)
		}

		modo := tr.client("Moderator's browser")
		modo.login(t, "modo")
		var q pendingList
		decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
		if len(q.Submissions) != 2 || len(q.Recent) != 1 || q.Recent[0].Status != model.StatusAccepted {
			t.Fatalf("queue %+v", q)
		}
		checkSaid(t, q.Recent[0].Moderators, said{masked, "", "", "timeout"}, said{"links:2", "", "", ""})
		checkSaid(t, q.Submissions[0].Moderators, said{masked, "", "", "timeout"}, said{"links:2", "", "", ""})
		checkSaid(t, q.Submissions[1].Moderators, said{masked, "", "", "bad_answer"}, said{"links:2", "", "", ""})
		if d := q.Recent[0].Moderators[0].Detail; !strings.HasPrefix(d, "no answer after 1") {
			t.Errorf("detail %q, want how long the tribune waited", d)
		}
		if raw := modo.get("/moderation/pending.json").Body.String(); strings.Contains(raw, "s3cret") ||
			!strings.Contains(raw, `"failure":"timeout"`) || !strings.Contains(raw, `"spec":"links:2"}`) {
			t.Errorf("pending.json shows the password or lacks the failure:\n%s", raw)
		}

		for lang, words := range map[string][]string{
			"en": {"— timeout (no answer after 1", "— bad answer (malformed answer: rating", "<code>links:2</code> — no opinion"},
			"fr": {"— délai dépassé (no answer after 1", "— réponse illisible (malformed answer", "<code>links:2</code> — sans avis"},
		} {
			page := modo.get("/moderation/", "Accept-Language", lang)
			body := html.UnescapeString(page.Body.String())
			if page.Code != http.StatusOK || strings.Contains(body, "s3cret") || strings.Count(body, "<code>"+masked+"</code>") != 3 {
				t.Errorf("%s page: %d, want the masked spec three times:\n%s", lang, page.Code, body)
			}
			for _, w := range words {
				if !strings.Contains(body, w) {
					t.Errorf("%s page lacks %q", lang, w)
				}
			}
		}

		// The author sees the fate of the messages, not the chain.
		mine := poster.get("/my/messages.json")
		if mine.Code != http.StatusOK || strings.Contains(mine.Body.String(), "moderators") || strings.Contains(mine.Body.String(), "webhook") {
			t.Errorf("my/messages.json: %d %s", mine.Code, mine.Body)
		}
	})
}

// TestModerationChainBounded: however many slow classifiers a chain has, a
// post waits at most TRIBUNE_MODERATION_TIMEOUT for them; the ones still
// thinking then time out, and the quick moderators after them still rate.
func TestModerationChainBounded(t *testing.T) {
	hook := slowModerator(t, time.Second, func(string) string { return `{"rating": 100}` })
	tr := sqliteTribune(t, func(c *config.Config) {
		c.ModerationTimeout = 500 * time.Millisecond
		c.ModerationWebhookTimeout = 450 * time.Millisecond
	})
	if _, err := tr.st.CreateChannel(t.Context(), "mod", "Moderated"); err != nil {
		t.Fatal(err)
	}
	specs := []string{"webhook:" + hook.URL + "/a", "webhook:" + hook.URL + "/b", "words:spam"}
	if err := tr.st.SetModeration(t.Context(), "mod", "auto", specs, "accept"); err != nil {
		t.Fatal(err)
	}
	tr.createUser(t, "modo", model.RoleModerator)
	start := time.Now()
	w := tr.client("Poster/1.0").post("/mod/post/", "content", "buy now, spam")
	// Two webhooks of 450ms each would take 900ms.
	if elapsed := time.Since(start); elapsed > 800*time.Millisecond {
		t.Errorf("the post took %v, want about the chain's 500ms", elapsed)
	}
	if w.Code != http.StatusForbidden || w.Body.String() != "Rejected: forbidden word" {
		t.Fatalf("post: %d %s, want the words moderator's rejection", w.Code, w.Body)
	}
	rec := moderatedRecord(t, tr)
	checkSaid(t, rec.Moderators, said{specs[0], "", "", "timeout"}, said{specs[1], "", "", "timeout"},
		said{"words:spam", "0", "forbidden word", ""})
}

// A classifier's reason holding what a database cannot store (NUL) or XML
// cannot carry loses no post: the rejection is recorded, the reason kept
// as decided but for those characters.
func TestUnstorableWebhookReason(t *testing.T) {
	hook := slowModerator(t, 0, func(string) string { return `{"rating": 0, "reason": " no\u0000pe\u0085\ufffe\t"}` })
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		if _, err := tr.st.CreateChannel(t.Context(), "mod", "Moderated"); err != nil {
			t.Fatal(err)
		}
		if err := tr.st.SetModeration(t.Context(), "mod", "auto", []string{"webhook:" + hook.URL}, "accept"); err != nil {
			t.Fatal(err)
		}
		tr.createUser(t, "modo", model.RoleModerator)
		if w := tr.client("x").post("/mod/post/", "content", "hello"); w.Code != http.StatusForbidden || w.Body.String() != "Rejected: nope" {
			t.Fatalf("post: %d %q", w.Code, w.Body)
		}
		rec := moderatedRecord(t, tr)
		if rec.Status != model.StatusRejected || rec.Reason != " nope\t" {
			t.Fatalf("record %+v", rec)
		}
	})
}
