package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/model"
)

// Faster moderation: select several pending messages and reject them at
// once with one reason, in place; keyboard shortcuts; link targets in full;
// the channel filter; paging.
func TestFastModeration(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "modo", model.RoleModerator)
		for _, slug := range []string{"troie", "ithaque"} {
			if _, err := st.CreateChannel(ctx, slug, strings.ToUpper(slug)); err != nil {
				t.Fatal(err)
			}
			if err := st.SetModeration(ctx, slug, "manual", nil, ""); err != nil {
				t.Fatal(err)
			}
		}
	})
	for i := range 5 {
		s.post("troie", "coincoin/3.1", fmt.Sprintf("à Troie %d <a href=\"https://example.org/cadeau\">un cheval</a>", i))
	}
	s.post("troie", "spammeur/1.0", "https://pub.example/achetez-maintenant ACHETEZ")
	s.post("ithaque", "olcc/1.4", "à Ithaque")

	m := newTab(t, "moderator", 1200, 900)
	m.login(s.URL, "modo", "/moderation/")
	rows := `document.querySelectorAll("table.queue tbody tr[data-id]").length`
	// The page may still be loading when the log-in's redirect lands.
	m.waitFor("the queue's seven messages", rows+` === 7`, waitTimeout, rows)
	if !m.truth(`[...document.querySelectorAll("table.queue ul.links code")].some(c => c.textContent === "https://pub.example/achetez-maintenant")`) {
		t.Error("a link target is not shown in full")
	}
	loads := `performance.getEntriesByType("navigation").length + ":" + (window.__mark = window.__mark || Math.random())`
	before := m.str(loads)

	// Select two and reject them with one reason.
	m.click(`table.queue tbody tr:nth-child(1) input[name=ids]`)
	m.click(`table.queue tbody tr:nth-child(2) input[name=ids]`)
	if got := m.str(`document.getElementById("batch-count").textContent`); got != "(2)" {
		t.Errorf("the selection count reads %q", got)
	}
	m.typeIn("#batch-reason", "hors sujet")
	if dir := artifactsDir(t); dir != "" {
		m.screenshot(filepath.Join(dir, "moderation-selection.png"))
	}
	first := m.str(`document.querySelector("table.queue tbody tr:nth-child(1)").dataset.id`)
	m.click(`#batch-form button[value=reject]`)
	m.waitFor("two rows gone in place", rows+` === 5`, waitTimeout, `document.getElementById("queue-status").textContent`)
	if got := m.str(loads); got != before {
		t.Errorf("the page was reloaded (%s, then %s)", before, got)
	}
	sub := mySubmission(t, s, first)
	if sub != "rejected: hors sujet" {
		t.Errorf("the first selected message is %q", sub)
	}

	// Keyboard: j goes to the first row, j to the second, a accepts it.
	m.str(`document.activeElement.blur(), ""`)
	m.key("j", "j")
	m.key("j", "j")
	second := m.str(`document.querySelector("table.queue tbody tr.current").dataset.id`)
	m.key("a", "a")
	m.waitFor("the accepted row gone", `!document.getElementById("s`+second+`")`, waitTimeout, `document.getElementById("queue-status").textContent`)
	if got := m.str(rows); got != "4" {
		t.Errorf("after a, %s rows", got)
	}
	if !m.truth(`document.querySelector("table.queue tbody tr.current")`) {
		t.Error("the keyboard's place is lost after a decision")
	}
	// r rejects the current row with the reason above.
	third := m.str(`document.querySelector("table.queue tbody tr.current").dataset.id`)
	m.key("r", "r")
	m.waitFor("the rejected row gone", `!document.getElementById("s`+third+`")`, waitTimeout)
	if got := mySubmission(t, s, third); got != "rejected: hors sujet" {
		t.Errorf("r gave %q", got)
	}

	// The channel filter, and paging.
	m.navigate(s.URL + "/moderation/?channel=ithaque")
	if got := m.str(rows); got != "1" {
		t.Errorf("filtered on ithaque: %s rows", got)
	}
	m.navigate(s.URL + "/moderation/?limit=2")
	ids := m.str(`[...document.querySelectorAll("table.queue tbody tr[data-id]")].map(r => r.dataset.id).join(",")`)
	m.click(`.queue-pages a[rel=next]`)
	m.waitFor("the next page", `location.search.includes("after=") && document.readyState === "complete" && document.querySelector("table.queue tbody tr[data-id]")`, waitTimeout)
	next := m.str(`[...document.querySelectorAll("table.queue tbody tr[data-id]")].map(r => r.dataset.id).join(",")`)
	if next == "" || next == ids {
		t.Errorf("paging: first page %s, next page %s", ids, next)
	}
}

// mySubmission reads a moderation record's fate through the API.
func mySubmission(t *testing.T, s *server, id string) string {
	t.Helper()
	var n int64
	fmt.Sscan(id, &n)
	sub, err := s.st.Submission(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if sub.Reason != "" {
		return sub.Status + ": " + sub.Reason
	}
	return sub.Status
}
