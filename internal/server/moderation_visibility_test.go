package server

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
)

// backendPaths are a channel's five remote backends: plain, TSV, XML, crap
// XML and JSON.
var backendPaths = []string{"remote/", "remote/tsv/", "remote/xml/", "remote/xml/crap/", "remote/json/"}

// checkBackends reads every backend of the channel at prefix ("/" or
// "/slug/") and fails unless each shows every text of shown and none of
// hidden. shown keeps the check from passing on an empty answer.
func checkBackends(t *testing.T, c *client, prefix string, shown, hidden []string) {
	t.Helper()
	for _, path := range backendPaths {
		w := c.get(prefix + path)
		body := w.Body.String()
		if w.Code != 200 {
			t.Errorf("%s%s: %d %s", prefix, path, w.Code, body)
			continue
		}
		for _, s := range shown {
			if !strings.Contains(body, s) {
				t.Errorf("%s%s lacks %q:\n%s", prefix, path, s, body)
			}
		}
		for _, s := range hidden {
			if strings.Contains(body, s) {
				t.Errorf("%s%s shows %q:\n%s", prefix, path, s, body)
			}
		}
	}
}

// clockIDs asks the clock finder of the channel at prefix for a clock.
func clockIDs(t *testing.T, c *client, prefix, clock string) []int64 {
	t.Helper()
	return ids(decodeJSON(t, c.get(prefix+"clock/"+clock+"/")))
}

// TestPendingIsInvisible checks that a waiting message is in no backend,
// clock finder or stranger's live stream until it is accepted, and then in
// all of them, at the time it was accepted.
func TestPendingIsInvisible(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close) // after the streams' own clean-ups
		tr.st.CreateChannel(t.Context(), "mod", "Moderated")
		// Anonymous messages are published, registered users' wait (their
		// rating is neutral: the site's fallback holds them).
		tr.st.SetModeration(t.Context(), "mod", "auto", []string{"anonymous:100"}, "")
		tr.createUser(t, "modo", model.RoleModerator)
		tr.createUser(t, "member", model.RoleUser)
		modo := tr.client("modo")
		modo.login(t, "modo")
		author := tr.client("Author")
		author.login(t, "member")
		anon := tr.client("Anonymous")
		reader := tr.client("Reader")
		stranger := openStream(t, srv, "/mod/remote/stream/", nil)

		tr.clock.set(t, "2024-03-10 12:00:00")
		if w := author.post("/mod/post/", "content", "secret pending"); w.Code != 202 {
			t.Fatalf("pending post: %d %s", w.Code, w.Body)
		}
		control := anon.say("/mod/", "public control")
		// Had the pending message made an event, it would come first.
		if e := stranger.next("message"); e.id != fmt.Sprint(control) {
			t.Fatalf("stranger's first event: %+v, want the message %d", e, control)
		}
		checkBackends(t, reader, "/mod/", []string{"public control"}, []string{"secret pending"})
		if got := clockIDs(t, reader, "/mod/", "12:00:00"); !slices.Equal(got, []int64{control}) {
			t.Fatalf("clock finder at the submission second: %v, want [%d]", got, control)
		}

		var q pendingList
		decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
		if len(q.Submissions) != 1 || q.Submissions[0].Content != "secret pending" {
			t.Fatalf("queue: %+v", q)
		}
		tr.clock.set(t, "2024-03-10 12:05:00")
		var accepted submissionJSON
		decodeJSONInto(t, modo.post(fmt.Sprintf("/moderation/%d/accept", q.Submissions[0].ID)), &accepted)
		if accepted.MessageID <= control || accepted.Submitted != "2024-03-10T12:00:00+01:00" || accepted.DecidedAt != "2024-03-10T12:05:00+01:00" {
			t.Fatalf("accepted: %+v", accepted)
		}
		if e := stranger.next("message"); e.id != fmt.Sprint(accepted.MessageID) || !strings.Contains(e.data, "secret pending") {
			t.Fatalf("stranger's event after the acceptance: %+v", e)
		}
		checkBackends(t, reader, "/mod/", []string{"public control", "secret pending"}, nil)
		if got := clockIDs(t, reader, "/mod/", "12:00:00"); !slices.Equal(got, []int64{control}) {
			t.Fatalf("clock finder at the submission second: %v, want [%d]", got, control)
		}
		if got := clockIDs(t, reader, "/mod/", "12:05:00"); !slices.Equal(got, []int64{accepted.MessageID}) {
			t.Fatalf("clock finder at the acceptance second: %v, want [%d]", got, accepted.MessageID)
		}
	})
}

// TestRemoval checks what a removal does: the message leaves every
// backend, the clock finder and the board; messages that point to it stay;
// its record says who removed it, when and why, to the author and to the
// moderators; the author's session is told live.
func TestRemoval(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close) // after the streams' own clean-ups
		tr.st.CreateChannel(t.Context(), "mod", "Moderated")
		tr.st.SetModeration(t.Context(), "mod", "manual", nil, "")
		tr.createUser(t, "modo", model.RoleModerator)
		tr.createUser(t, "member", model.RoleUser)
		modo := tr.client("modo")
		modo.login(t, "modo")
		author := tr.client("Author")
		author.login(t, "member")
		reader := tr.client("Reader")
		authorStream := openStream(t, srv, "/mod/remote/stream/", author.cookies)

		tr.clock.set(t, "2024-03-10 12:00:00")
		if w := author.post("/mod/post/", "content", "doomed words"); w.Code != 202 {
			t.Fatalf("pending post: %d %s", w.Code, w.Body)
		}
		var q pendingList
		decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
		tr.clock.set(t, "2024-03-10 12:01:00")
		var accepted submissionJSON
		decodeJSONInto(t, modo.post(fmt.Sprintf("/moderation/%d/accept", q.Submissions[0].ID)), &accepted)
		doomed := accepted.MessageID
		if doomed == 0 {
			t.Fatalf("accepted: %+v", accepted)
		}
		if e := authorStream.next("message"); e.id != fmt.Sprint(doomed) {
			t.Fatalf("author's stream: %+v", e)
		}
		authorStream.next("submission") // accepted: TestLiveModerationEvents

		// An answer to it, and another message, published by the moderator.
		tr.clock.set(t, "2024-03-10 12:02:00")
		answer := publish(t, tr, modo, "12:01:00 answer to the doomed one")
		other := publish(t, tr, modo, "unrelated message")
		for _, id := range []int64{answer, other} {
			if e := authorStream.next("message"); e.id != fmt.Sprint(id) {
				t.Fatalf("author's stream: %+v, want %d", e, id)
			}
		}
		if got := clockIDs(t, reader, "/mod/", "12:01:00"); !slices.Equal(got, []int64{doomed}) {
			t.Fatalf("clock finder before the removal: %v", got)
		}

		tr.clock.set(t, "2024-03-10 12:30:00")
		w := modo.post(fmt.Sprintf("/moderation/%d/remove", doomed), "reason", "  off topic ")
		if w.Code != 200 || w.Body.String() != fmt.Sprintf(`{"id":%d,"removed":true}`, doomed) {
			t.Fatalf("remove: %d %s", w.Code, w.Body)
		}

		// Gone from the five backends, the clock finder and the board; the
		// answer stays, its norloge pointing to nothing.
		checkBackends(t, reader, "/mod/", []string{"answer to the doomed one", "unrelated message"}, []string{"doomed words"})
		if got := clockIDs(t, reader, "/mod/", "12:01:00"); len(got) != 0 {
			t.Fatalf("clock finder after the removal: %v", got)
		}
		for _, c := range []*client{reader, author} {
			page := c.get("/mod/", "Accept", "text/html").Body.String()
			if !strings.Contains(page, fmt.Sprintf(`id="m%d"`, answer)) || !strings.Contains(page, "answer to the doomed one") {
				t.Fatalf("the board lacks the answer:\n%s", page)
			}
			for _, trace := range []string{"doomed words", fmt.Sprintf(`id="m%d"`, doomed), fmt.Sprintf(`data-id="%d"`, doomed)} {
				if strings.Contains(page, trace) {
					t.Errorf("the board still shows %q", trace)
				}
			}
		}

		// The author's session is told, live, after the removal itself.
		if e := authorStream.next("removed"); e.data != fmt.Sprintf(`{"id":%d}`, doomed) {
			t.Fatalf("removed event: %+v", e)
		}
		var ev map[string]any
		json.Unmarshal([]byte(authorStream.next("submission").data), &ev)
		if ev["id"] != float64(accepted.ID) || ev["status"] != "removed" || ev["reason"] != "off topic" ||
			ev["message_id"] != float64(doomed) || ev["text"] != "Your message was removed by a moderator: off topic" {
			t.Fatalf("removal event: %+v", ev)
		}

		// Who, when and why: in the author's messages, the moderation API's
		// latest decisions, and the moderation page.
		removed := submissionJSON{ID: accepted.ID, Channel: "mod", Submitted: "2024-03-10T12:00:00+01:00", Info: "Author",
			Login: ptr("member"), Content: "doomed words", WebRender: "doomed words", Status: "removed", Reason: "off topic",
			DecidedBy: "modo", DecidedAt: "2024-03-10T12:30:00+01:00", MessageID: doomed}
		var mine []submissionJSON
		decodeJSONInto(t, author.get("/my/messages.json"), &mine)
		if len(mine) != 1 || !sameSubmission(mine[0], removed) {
			t.Fatalf("author's messages: %+v, want %+v", mine, removed)
		}
		q = pendingList{} // decoding into used slices keeps omitted fields
		decodeJSONInto(t, modo.get("/moderation/pending.json"), &q)
		removed.Address = "192.0.2.1"
		if len(q.Recent) == 0 || !sameSubmission(q.Recent[0], removed) {
			t.Fatalf("latest decisions: %+v, want first %+v", q.Recent, removed)
		}
		checkPage(t, modo, "/moderation/", 200, "2024-03-10 12:30:00", "removed: off topic (modo)")

		// A message of an open channel has no record before: its removal
		// writes one, so its author sees it too.
		tr.clock.set(t, "2024-03-10 12:40:00")
		open := author.say("/", "open words")
		reader.say("/", "still there")
		if w := modo.post(fmt.Sprintf("/moderation/%d/remove", open)); w.Code != 200 {
			t.Fatalf("remove: %d %s", w.Code, w.Body)
		}
		checkBackends(t, reader, "/", []string{"still there"}, []string{"open words"})
		mine = nil
		decodeJSONInto(t, author.get("/my/messages.json"), &mine)
		if len(mine) != 2 || mine[0].Content != "open words" || mine[0].Status != "removed" || mine[0].Reason != "" ||
			mine[0].DecidedBy != "modo" || mine[0].DecidedAt != "2024-03-10T12:40:00+01:00" || mine[0].MessageID != open {
			t.Fatalf("author's messages after an open channel's removal: %+v", mine)
		}
	})
}

// publish has a moderator post on the manual channel "mod" and accept it
// at once.
func publish(t *testing.T, tr *tribune, modo *client, text string) int64 {
	t.Helper()
	w := modo.post("/mod/post/", "content", text)
	if w.Code != 202 {
		t.Fatalf("post %q: %d %s", text, w.Code, w.Body)
	}
	var sub submissionJSON
	decodeJSONInto(t, modo.post("/moderation/"+w.Header().Get("X-Submission-Id")+"/accept"), &sub)
	if sub.MessageID == 0 {
		t.Fatalf("accept %q: %+v", text, sub)
	}
	return sub.MessageID
}

func ptr[T any](v T) *T { return &v }

// sameSubmission compares records by value, pointers followed.
func sameSubmission(a, b submissionJSON) bool { return reflect.DeepEqual(a, b) }
