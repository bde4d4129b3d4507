package server

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
)

// Text outside messages is cleaned like messages: a channel title with
// control characters and NUL (from the admin page) is stored clean, and
// its discovery file stays valid XML; a filter pattern from the filters
// form is cleaned and bounded.
func TestUncleanTextOutsideMessages(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.createUser(t, "chief", model.RoleAdmin)
		chief := tr.browser("x")
		chief.login(t, "chief")
		if w := chief.post("/admin/channels", "op", "create", "slug", "troie", "title", "La\vguerre\x00 de\x1b Troie\u2028 "); w.Code != 303 {
			t.Fatalf("create: %d %s", w.Code, w.Body)
		}
		c, err := tr.st.Channel(t.Context(), "troie")
		if err != nil || c.Title != "La guerre de Troie" {
			t.Fatalf("stored title %q: %v", c.Title, err)
		}
		if w := chief.post("/admin/channels", "op", "rename", "slug", "troie", "title", "\x00\x01\x02"); w.Code != 303 {
			t.Fatalf("rename: %d", w.Code)
		}
		if c, _ := tr.st.Channel(t.Context(), "troie"); c.Title != "La guerre de Troie" {
			t.Fatalf("a title of control characters only was stored: %q", c.Title)
		}
		w := tr.client("x").get("/troie/discovery.config")
		d := xml.NewDecoder(bytes.NewReader(w.Body.Bytes()))
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("discovery: %v\n%s", err, w.Body)
			}
		}

		// A moderator's reason.
		if err := tr.st.SetModeration(t.Context(), "troie", "manual", nil, ""); err != nil {
			t.Fatal(err)
		}
		tr.client("poster").post("/troie/post/", "content", "please")
		var q pendingList
		decodeJSONInto(t, chief.get("/moderation/pending.json"), &q)
		if len(q.Submissions) != 1 {
			t.Fatalf("queue: %+v", q)
		}
		w = tr.client("chief").do("POST", fmt.Sprintf("/moderation/%d/reject", q.Submissions[0].ID),
			"reason=%00off%0Btopic%1b", "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("chief:chief-password")))
		if w.Code != http.StatusOK {
			t.Fatalf("reject: %d %s", w.Code, w.Body)
		}
		if sub, err := tr.st.Submission(t.Context(), q.Submissions[0].ID); err != nil || sub.Reason != "off topic" {
			t.Fatalf("stored reason %q: %v", sub.Reason, err)
		}

		// Filters.
		b := tr.browser("x")
		if w := b.post("/prefs/filters", "op", "add", "target", "ua", "kind", "*=", "pattern", "\x00tr\voll\x1b", "next", "/profile"); w.Code != 303 {
			t.Fatalf("filter: %d", w.Code)
		}
		var p prefsJSON
		decodeJSONInto(t, b.get("/prefs.json"), &p)
		if len(p.Filters.Rules) != 1 || p.Filters.Rules[0].Pattern != "tr oll" {
			t.Fatalf("stored rules %+v", p.Filters.Rules)
		}
		long := strings.Repeat("é", tr.cfg.PostMaxLength+1)
		if w := tr.client("script").do("POST", "/prefs/filters", "op=add&target=ua&kind=*%3D&pattern="+long); w.Code != http.StatusBadRequest ||
			!strings.Contains(w.Body.String(), "too long") {
			t.Fatalf("long pattern: %d %s", w.Code, w.Body)
		}
	})
}
