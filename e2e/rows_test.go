package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/model"
)

// rowHeights is a JavaScript expression: the heights of the board's
// single-line messages (those whose content is one short word), joined.
const rowHeights = `[...document.querySelectorAll("#messages li.message[data-id]")]
	.filter(l => /^court\d$/.test(l.querySelector(".content").textContent.trim()))
	.map(l => l.getBoundingClientRect().height.toFixed(1)).join(",")`

// Staff rows are exactly as dense as everybody's: the height of a
// single-line row is the same for an anonymous visitor, a user, a
// moderator and an admin, at desktop and phone sizes.
func TestRowsAsDenseForStaff(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "lambda", model.RoleUser)
		createUser(t, ctx, st, "modo", model.RoleModerator)
		createUser(t, ctx, st, "chef", model.RoleAdmin)
	})
	for i := range 4 {
		s.post("", "coincoin/3.1", fmt.Sprintf("court%d", i))
	}
	sizes := []struct {
		name          string
		width, height int64
	}{{"desktop", 1200, 800}, {"phone", 390, 800}}
	for _, size := range sizes {
		heights := map[string]string{}
		for _, who := range []string{"", "lambda", "modo", "chef"} {
			name := who
			if name == "" {
				name = "anonymous"
			}
			tb := newTab(t, name+"-"+size.name, size.width, size.height)
			if who != "" {
				tb.login(s.URL, who, "/")
			}
			tb.openBoard(s.URL + "/")
			// Hover a row too: what shows on hover must not grow it.
			tb.hover("a row", `document.querySelector("#messages li.message[data-id]")`)
			h := tb.str(rowHeights)
			if strings.Count(h, ",") != 3 {
				t.Fatalf("%s at %s: the four short rows are not on the board: %q", name, size.name, h)
			}
			heights[name] = h
			// Everybody's row menu copies the permalink (history.js).
			if !tb.truth(`document.querySelector("#messages li.message[data-id] > button.row-menu")`) {
				t.Errorf("%s at %s: no row menu on the messages", name, size.name)
			}
		}
		for who, h := range heights {
			if h != heights["anonymous"] {
				t.Errorf("at %s, single-line rows are %s px high for %s, %s px for an anonymous visitor", size.name, h, who, heights["anonymous"])
			}
		}
		t.Logf("%s: single-line rows %s px", size.name, heights["anonymous"])
	}
}

// The moderators' remove action is in the row menu, reachable with the
// mouse and the keyboard, and it takes the message down.
func TestRowMenuRemove(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "modo", model.RoleModerator)
	})
	s.post("", "coincoin/3.1", "garde-moi")
	s.post("", "coincoin/3.1", "spam spam")
	m := newTab(t, "moderator", 1200, 800)
	m.login(s.URL, "modo", "/")
	m.openBoard(s.URL + "/")
	m.str(`(window.confirm = () => true, "")`)
	row := liWith("spam spam")
	m.hover("the spam row", row)
	if op := m.str(`getComputedStyle(` + row + `.querySelector("button.row-menu")).opacity`); op != "1" {
		t.Errorf("the row menu button of a hovered row has opacity %s", op)
	}
	m.hover("its menu button", row+`.querySelector("button.row-menu")`)
	m.clickEl("the row menu button", row+`.querySelector("button.row-menu")`)
	m.waitFor("the open menu, focused", `document.activeElement?.closest(".row-menu-panel[role=menu]")`, waitTimeout)
	if got := m.str(`document.activeElement.textContent`); got != "Remove this message (moderation)" {
		t.Errorf("the menu's first item reads %q", got)
	}
	m.key("Enter", "\r")
	m.waitFor("the message gone", `!`+row, waitTimeout)
	if !m.truth(liWith("garde-moi")) {
		t.Error("the other message went too")
	}
	for _, r := range s.rows() {
		if strings.Contains(r.Web, "spam spam") {
			t.Error("the message is still in the backend")
		}
	}
}

// clickEl clicks the middle of the element that the JavaScript expression
// el yields, with the mouse.
func (tb *tab) clickEl(what, el string) {
	tb.t.Helper()
	x, y := tb.center(what, el)
	tb.do("click "+what, chromedp.MouseClickXY(x, y))
}
