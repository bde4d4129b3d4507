package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// formBody encodes field/value pairs as a form.
func formBody(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v.Encode()
}

// pendingOn posts n messages to a manually moderated channel and returns
// their submission ids, oldest first.
func pendingOn(t *testing.T, tr *tribune, slug string, n int) []int64 {
	t.Helper()
	poster := tr.client("poster/1.0")
	var ids []int64
	for i := range n {
		w := poster.post("/"+slug+"/post/", "content", fmt.Sprintf("%s attend %d http://example.org/x?y=%d", slug, i, i))
		if w.Code != http.StatusAccepted {
			t.Fatalf("post %d: %d %s", i, w.Code, w.Body)
		}
	}
	subs, _, err := tr.st.PendingPage(t.Context(), store.QueuePage{Limit: 10000, ByChannel: true, Channel: slug})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs {
		ids = append(ids, s.ID)
	}
	return ids
}

func moderatedChannels(t *testing.T, tr *tribune, slugs ...string) {
	t.Helper()
	for _, slug := range slugs {
		if _, err := tr.board.CreateChannel(t.Context(), slug, strings.ToUpper(slug)); err != nil {
			t.Fatal(err)
		}
		if err := tr.st.SetModeration(t.Context(), slug, "manual", nil, ""); err != nil {
			t.Fatal(err)
		}
	}
}

// A batch decision accepts or rejects the selection with one reason, each
// record on its own: one decided meanwhile is reported, the others go on.
func TestBatchModeration(t *testing.T) {
	tr := sqliteTribune(t, nil)
	moderatedChannels(t, tr, "mod")
	ids := pendingOn(t, tr, "mod", 5)
	tr.createUser(t, "modo", model.RoleModerator)
	modo := tr.client("Mozilla/5.0 modo")
	modo.login(t, "modo")
	// Another moderator was faster on the first one.
	if w := modo.post(fmt.Sprintf("/moderation/%d/accept", ids[0])); w.Code != http.StatusSeeOther && w.Code != http.StatusOK {
		t.Fatalf("single accept: %d %s", w.Code, w.Body)
	}
	form := []string{"decision", "reject", "reason", "hors sujet", "ids", fmt.Sprint(ids[0]), "ids", fmt.Sprint(ids[1]), "ids", fmt.Sprint(ids[2])}
	w := modo.do("POST", "/moderation/batch", formBody(form...), "Accept", "application/json")
	if w.Code != http.StatusOK {
		t.Fatalf("batch: %d %s", w.Code, w.Body)
	}
	var out struct {
		Decided int
		Pending int
		Results []struct {
			ID     int64
			Status string
			Error  string
		}
	}
	decodeJSONInto(t, w, &out)
	if out.Decided != 2 || out.Pending != 2 || len(out.Results) != 3 || out.Results[0].Status != "error" ||
		out.Results[1].Status != "rejected" || out.Results[2].Status != "rejected" {
		t.Fatalf("batch answer %+v", out)
	}
	for _, id := range ids[1:3] {
		sub, _ := tr.st.Submission(t.Context(), id)
		if sub.Status != model.StatusRejected || sub.Reason != "hors sujet" || sub.DecidedBy != "modo" {
			t.Errorf("submission %d: %+v", id, sub)
		}
	}
	// A browser's form comes back to the page it named, with what was done.
	w = modo.post("/moderation/batch", "decision", "accept", "ids", fmt.Sprint(ids[3]), "next", "/moderation/?channel=mod")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/moderation/?channel=mod" {
		t.Fatalf("browser batch: %d %v", w.Code, w.Header())
	}
	if body := modo.get("/moderation/?channel=mod").Body.String(); !strings.Contains(body, "Accepted: 1.") {
		t.Error("the page does not say what the batch did")
	}
	if sub, _ := tr.st.Submission(t.Context(), ids[3]); sub.Status != model.StatusAccepted {
		t.Errorf("submission %d not accepted: %s", ids[3], sub.Status)
	}

	// Hostile input: a clear 400, nothing decided.
	for _, bad := range [][]string{
		{"decision", "publish", "ids", fmt.Sprint(ids[4])},
		{"decision", "accept"},
		{"decision", "accept", "ids", "4; DROP TABLE submissions"},
		{"decision", "accept", "ids", "-1"},
		{"decision", "accept", "ids", "99999999999999999999999"},
		append([]string{"decision", "accept"}, strings.Split(strings.Repeat("ids,1,", 101), ",")[:202]...),
	} {
		if w := modo.do("POST", "/moderation/batch", formBody(bad...), "Accept", "application/json"); w.Code != http.StatusBadRequest {
			t.Errorf("batch %v: %d %s", bad[:min(len(bad), 4)], w.Code, w.Body)
		}
	}
	if sub, _ := tr.st.Submission(t.Context(), ids[4]); sub.Status != model.StatusPending {
		t.Errorf("a refused batch decided %d", ids[4])
	}
	// Not a moderator: refused; a cross-site form: refused.
	user := tr.loggedIn(t, "lambda")
	if w := user.do("POST", "/moderation/batch", formBody("decision", "accept", "ids", fmt.Sprint(ids[4])), "Accept", "application/json"); w.Code != http.StatusForbidden {
		t.Errorf("a user's batch: %d", w.Code)
	}
	if w := tr.client("anon").do("POST", "/moderation/batch", formBody("decision", "accept", "ids", fmt.Sprint(ids[4]))); w.Code != http.StatusUnauthorized {
		t.Errorf("an anonymous batch: %d", w.Code)
	}
	w = modo.do("POST", "/moderation/batch", formBody("decision", "accept", "ids", fmt.Sprint(ids[4])),
		"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if w.Code != http.StatusForbidden {
		t.Errorf("a cross-site batch: %d", w.Code)
	}
	if sub, _ := tr.st.Submission(t.Context(), ids[4]); sub.Status != model.StatusPending {
		t.Errorf("a refused batch decided %d", ids[4])
	}
}

// The queue pages beyond 500, filters by channel, and shows link targets
// in full.
func TestQueuePagesAndFilter(t *testing.T) {
	tr := sqliteTribune(t, nil)
	moderatedChannels(t, tr, "gros", "petit")
	big := pendingOn(t, tr, "gros", 520)
	small := pendingOn(t, tr, "petit", 3)
	tr.createUser(t, "modo", model.RoleModerator)
	modo := tr.client("Mozilla/5.0 modo")
	modo.login(t, "modo")
	seen := map[string]bool{}
	next := "/moderation/?channel=gros&limit=500"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("the queue does not end")
		}
		body := modo.get(next).Body.String()
		for _, id := range big {
			if strings.Contains(body, fmt.Sprintf(`id="s%d"`, id)) {
				seen[fmt.Sprint(id)] = true
			}
		}
		if strings.Contains(body, fmt.Sprintf(`id="s%d"`, small[0])) {
			t.Fatal("the channel filter shows another channel's message")
		}
		next = ""
		if i := strings.Index(body, `rel="next"`); i >= 0 {
			start := strings.LastIndex(body[:i], `href="`) + len(`href="`)
			next = strings.ReplaceAll(body[start:strings.Index(body[start:], `"`)+start], "&amp;", "&")
		}
	}
	if len(seen) != 520 {
		t.Errorf("paging showed %d of 520", len(seen))
	}
	body := modo.get("/moderation/?channel=petit").Body.String()
	if !strings.Contains(body, "Messages waiting: 523") || !strings.Contains(body, "<code>http://example.org/x?y=2</code>") {
		t.Error("the filtered page lacks the count or the link target in full")
	}
	// The API pages the same way.
	var page struct {
		Pending     int
		More        bool
		Submissions []struct{ ID int64 }
	}
	decodeJSONInto(t, modo.get("/moderation/pending.json?channel=gros&limit=2"), &page)
	if page.Pending != 520 || !page.More || len(page.Submissions) != 2 || page.Submissions[0].ID != big[0] {
		t.Errorf("pending.json page: %+v", page)
	}
	decodeJSONInto(t, modo.get(fmt.Sprintf("/moderation/pending.json?channel=gros&after=%d", big[518])), &page)
	if page.More || len(page.Submissions) != 1 || page.Submissions[0].ID != big[519] {
		t.Errorf("pending.json last page: %+v", page)
	}
	for _, bad := range []string{"?after=abc", "?after=-3", "?limit=0", "?limit=501", "?channel=nope"} {
		if w := modo.get("/moderation/" + bad); w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
}
