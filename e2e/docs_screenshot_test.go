package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// The screenshots of docs/web-board.md (copied from artifactsDir to
// docs/images/ by hand): a moderator's board with the row menu open, two
// channels on one screen, the moderation queue with a selection, the totoz
// palette and the alerts panel.
func TestDocScreenshots(t *testing.T) {
	totoz, _ := totozServer(t)
	s := newServerWith(t, func(c *config.Config) { c.SmileysURL = totoz.URL + "/img/{name}" }, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "modo", model.RoleModerator)
		createUser(t, ctx, st, "nono", model.RoleUser)
		for slug, title := range map[string]string{"troie": "La guerre de Troie", "dev": "Développement", "attente": "Salle d'attente"} {
			if _, err := st.CreateChannel(ctx, slug, title); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.SetModeration(ctx, "attente", "manual", nil, ""); err != nil {
			t.Fatal(err)
		}
	})
	const (
		coincoin = "coincoin/3.1 (X11; Linux x86_64)"
		olcc     = "olcc/1.4 (Firefox 140)"
	)
	plop := s.post("", coincoin, "plop les moules")
	hail := s.postAs("", "wmcoincoin/2.6", "nono", "moules< quelqu'un a vu le dernier <b>Kaamelott</b> ?")
	s.post("", olcc, s.ref(hail.ID)+" ouais, c'est <i>pas faux</i> [:totoz]")
	s.post("", "gc2/2.0", s.ref(plop.ID)+" plop ! [:pika] [:coin]")
	s.post("", coincoin, "<m>Daft Punk - Around the World</m>")
	s.post("", olcc, "https://fr.wikipedia.org/wiki/Moule tiens, pour la culture")
	cheval := s.post("troie", coincoin, "le cheval est devant la porte, on le fait entrer ?")
	s.post("dev", olcc, "<code>go test -race ./...</code> passe chez moi")
	s.post("troie", "gc2/2.0", fmt.Sprintf("%s méfiance, ça sent le cadeau grec", clockOf(s, "troie", cheval.ID)))
	s.post("dev", coincoin, "qui relit la PR du multi ?")
	for i, text := range []string{"achetez des montres pas chères https://pub.example/montres", "bonjour, première visite ici !",
		"<a href=\"https://example.org/mon-blog\">mon blog</a>, venez voir", "est-ce que quelqu'un joue ce soir ?"} {
		s.post("attente", []string{"spambot/0.1", olcc, "Mozilla/5.0 (Android 15)", coincoin}[i], text)
	}
	dir := artifactsDir(t)

	// Staff view, with the row menu open.
	m := newTab(t, "modo", 1200, 700)
	m.colorScheme("light")
	m.login(s.URL, "modo", "/")
	m.openBoard(s.URL + "/")
	m.str(`document.fonts.ready.then(() => "")`)
	row := liWith("plop les moules")
	m.hover("a row", row)
	m.clickEl("the row menu", row+`.querySelector("button.row-menu")`)
	m.waitFor("the menu", `document.querySelector(".row-menu-panel")`, waitTimeout)
	m.screenshot(filepath.Join(dir, "doc-staff-view.png"))

	// The moderation queue with a selection.
	m.navigate(s.URL + "/moderation/")
	m.click(`table.queue tbody tr:nth-child(1) input[name=ids]`)
	m.click(`table.queue tbody tr:nth-child(3) input[name=ids]`)
	m.typeIn("#batch-reason", "publicité")
	m.mouseTo(1, 1)
	m.screenshot(filepath.Join(dir, "doc-moderation-queue.png"))

	// Two channels on one screen.
	u := newTab(t, "nono", 1200, 700)
	u.colorScheme("light")
	u.login(s.URL, "nono", "/")
	u.navigate(s.URL + "/multi/?c=troie:t,dev")
	u.waitFor("the multi view live", `document.getElementById("live-state")?.dataset.state === "live"`, waitTimeout)
	u.str(`(document.getElementById("post-channel").value = "dev", "")`)
	u.click(`#m` + itoa(cheval.ID) + ` button.clock`)
	u.typeIn("#content", "on en parle sur dev ?\r")
	u.waitFor("the answer", `document.querySelector("#messages li.owned")`, waitTimeout)
	u.typeIn("#content", "@t ")
	u.str(`document.fonts.ready.then(() => "")`)
	u.mouseTo(1, 1)
	u.screenshot(filepath.Join(dir, "doc-multi-channel.png"))

	// The totoz palette, and the alerts panel.
	u.openBoard(s.URL + "/")
	u.click("#totoz-inline")
	u.typeIn("#content", "trop bien [:")
	u.waitFor("the palette", `!document.getElementById("totoz-palette").hidden`, waitTimeout)
	u.screenshot(filepath.Join(dir, "doc-totoz-palette.png"))
	u.click("#totoz-inline")
	u.key("Escape", "\x1b")
	u.str(`(document.getElementById("content").value = "", "")`)
	u.click("#alerts-toggle")
	u.mouseTo(1, 1)
	u.screenshot(filepath.Join(dir, "doc-alerts-prompt.png"))
}

// clockOf is the norloge of message id on a channel's board.
func clockOf(s *server, channel string, id int64) string {
	s.t.Helper()
	for _, r := range channelRows(s, channel) {
		if r.ID == id {
			return r.Clock
		}
	}
	s.t.Fatalf("message %d not on %s", id, channel)
	return ""
}

// channelRows reads a channel's JSON backend.
func channelRows(s *server, channel string) []row {
	s.t.Helper()
	resp, err := http.Get(s.URL + "/" + channel + "/remote/json/?limit=200")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var rows []row
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil {
		s.t.Fatal(err)
	}
	return rows
}
