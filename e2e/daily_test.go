package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/model"
)

// A channel's board is named by its title, in the heading and the tab.
func TestChannelTitleInHeadingAndTab(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		if _, err := st.CreateChannel(ctx, "troie", "La guerre de Troie"); err != nil {
			t.Fatal(err)
		}
	})
	u := newTab(t, "reader", 1200, 800)
	u.openBoard(s.URL + "/troie/")
	if got := u.str(`document.getElementById("board-title").textContent`); got != "La guerre de Troie" {
		t.Errorf("the heading reads %q", got)
	}
	if got := u.str(`document.title`); got != "La guerre de Troie — 127.0.0.1" {
		t.Errorf("the tab reads %q", got)
	}
	if u.truth(`document.querySelector(".tagline")`) {
		t.Error("a channel's board shows a tagline")
	}
	u.openBoard(s.URL + "/")
	if u.str(`document.querySelector(".tagline")?.textContent || ""`) == "" {
		t.Error("the default channel shows no tagline")
	}
}

// Without JavaScript, posting comes back to the new message, seen above
// the form on a phone, and anonymous visitors have a link to their
// preferences.
func TestNoScriptPostReturnsToMessage(t *testing.T) {
	s := newServer(t, nil)
	for i := range 80 {
		s.post("", "coincoin/3.1", fmt.Sprintf("message numéro %d, assez long pour prendre de la place sur un téléphone", i))
	}
	u := newTab(t, "phone", 390, 700)
	u.disableJS()
	u.navigate(s.URL + "/")
	if got := u.str(`document.querySelector('header.site a[href="/profile"]')?.textContent`); got != "Preferences" {
		t.Errorf("the anonymous visitor's link to preferences reads %q", got)
	}
	u.typeIn("#content", "me voilà\r")
	u.waitFor("the board after posting", liWith("me voilà"), waitTimeout, `location.href`)
	if !strings.HasPrefix(u.str(`location.hash`), "#m") {
		t.Errorf("the post came back to %s", u.str(`location.href`))
	}
	box := u.str(`JSON.stringify(`+liWith("me voilà")+`.getBoundingClientRect())`) + " in " + u.str(`innerHeight`)
	if !u.truth(`(r => r.top >= 0 && r.bottom <= document.getElementById("post-form").getBoundingClientRect().top + 1)(` + liWith("me voilà") + `.getBoundingClientRect())`) {
		t.Errorf("the new message is not in sight above the form: %s, scrolled to %s", box, u.str(`scrollY`))
	}
}

// Clicking the clock of a message that shares its second with a message
// the viewer hides (a BaK filter) inserts the clock with its index: indices
// are the channel's, whatever the viewer hides.
func TestClockIndexKeptWhenSiblingHidden(t *testing.T) {
	s := newServer(t, nil)
	var first, second posted
	for try := 0; ; try++ {
		now := time.Now()
		time.Sleep(now.Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(now))
		first = s.post("", "coincoin/3.1", fmt.Sprintf("visible %d", try))
		second = s.post("", "trollbot/1.0", fmt.Sprintf("caché %d", try))
		if strings.HasSuffix(s.ref(second.ID), "²") {
			break
		}
		if try == 2 {
			t.Fatal("could not post two messages in the same second")
		}
	}
	u := newTab(t, "filtering", 1200, 800)
	u.openBoard(s.URL + "/")
	if status := evalJS[int](u, `fetch("/prefs/filters", {method: "POST", body: new URLSearchParams({op: "add", target: "ua", kind: "*=", pattern: "trollbot"}),
		headers: {Accept: "application/json"}}).then(r => r.status)`); status != 200 {
		t.Fatalf("adding the filter: %d", status)
	}
	u.openBoard(s.URL + "/")
	if u.truth(fmt.Sprintf(`document.getElementById("m%d")`, second.ID)) {
		t.Fatal("the filtered message is still shown")
	}
	clock := u.str(fmt.Sprintf(`document.getElementById("m%d").dataset.clock`, first.ID))
	u.click(fmt.Sprintf("#m%d button.clock", first.ID))
	if got := strings.TrimSpace(u.str(`document.getElementById("content").value`)); got != clock+"¹" {
		t.Errorf("clicking the clock inserts %q, want %q", got, clock+"¹")
	}
	if got := u.str(fmt.Sprintf(`document.querySelector("#m%d button.clock").textContent`, first.ID)); got != clock+"¹" {
		t.Errorf("the clock shows %q, want %q", got, clock+"¹")
	}
}

// The small ones: one's own moules< is not a call; the "awaits moderation"
// notice goes when the decision comes; the polling interval hides while
// the board is live; the tools stay at hand on a long board; hovering a
// norloge lights the other norloges pointing at the same message.
func TestBoardSmallFixes(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "modo", model.RoleModerator)
		if _, err := st.CreateChannel(ctx, "troie", "Troie"); err != nil {
			t.Fatal(err)
		}
		if err := st.SetModeration(ctx, "troie", "manual", nil, ""); err != nil {
			t.Fatal(err)
		}
	})
	target := s.post("", "coincoin/3.1", "la cible")
	ref := s.ref(target.ID)
	s.post("", "olcc/1.4", ref+" première réponse")
	s.post("", "gc2/2.0", ref+" deuxième réponse")
	for i := range 60 {
		s.post("", "coincoin/3.1", fmt.Sprintf("remplissage %d", i))
	}
	u := newTab(t, "regular", 1200, 600)
	u.openBoard(s.URL + "/?limit=100")
	if !u.truth(`document.querySelector(".refresh-interval")?.hidden`) {
		t.Error("the polling interval shows while the board is live")
	}
	// The tools stay in sight, scrolled to the end of a long board.
	if y := u.str(`scrollY`); y == "0" {
		t.Fatal("the board is not long enough to scroll")
	}
	if !u.truth(`(r => r.top >= 0 && r.bottom <= 80)(document.getElementById("filters-toggle").getBoundingClientRect())`) {
		t.Errorf("the tools scrolled away: %s", u.str(`JSON.stringify(document.getElementById("filters-toggle").getBoundingClientRect())`))
	}
	// Hover the first answer's norloge: the second answer's norloge lights.
	first := liWith(ref+" première réponse") + `.querySelector("span.pointer")`
	second := liWith(ref+" deuxième réponse") + `.querySelector("span.pointer")`
	u.str(first + `.scrollIntoView({block: "center"}), ""`)
	u.hover("the first answer's norloge", first)
	if !u.truth(second + `.classList.contains("highlighted")`) {
		t.Error("the other norloge to the same message is not highlighted")
	}
	if !u.truth(liWith("la cible") + `.classList.contains("highlighted")`) {
		t.Error("the target is not highlighted")
	}
	u.mouseTo(1, 1)
	// One's own moules< is not a call.
	u.typeIn("#content", "moules< quelqu'un ?\r")
	u.waitFor("the own message", liWith("moules< quelqu'un ?")+`?.classList.contains("owned")`, waitTimeout)
	if u.truth(liWith("moules< quelqu'un ?") + `.classList.contains("hail")`) {
		t.Error("one's own moules< is marked as calling oneself")
	}
	s.post("", "olcc/1.4", "moules< et vous ?")
	u.waitFor("another's moules<, a call", liWith("moules< et vous ?")+`?.classList.contains("hail")`, waitTimeout)

	// The pending notice goes with the decision.
	u.openBoard(s.URL + "/troie/")
	u.typeIn("#content", "à modérer\r")
	u.waitFor("the pending notice", `document.getElementById("post-notice").textContent === "Your message awaits moderation."`, waitTimeout,
		`document.getElementById("post-notice").textContent`)
	sub := u.str(`document.querySelector("#messages li.pending").dataset.submission`)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/moderation/"+sub+"/accept", strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth("modo", password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("accept: %v %v", err, resp)
	}
	resp.Body.Close()
	u.waitFor("the notice gone after the decision", `document.getElementById("post-notice").textContent === "" && !document.querySelector("#messages li.pending")`, waitTimeout,
		`document.getElementById("post-notice").textContent`)
}

// Formatting buttons wrap the selection, keep the focus in the input, show
// their Alt shortcut, and are big enough to tap on a phone.
func TestFormattingButtons(t *testing.T) {
	s := newServer(t, nil)
	u := newTab(t, "phone", 390, 800)
	u.openBoard(s.URL + "/")
	if got := u.str(`[...document.querySelectorAll("#format-bar button")].map(b => b.dataset.tag).join(",")`); got != "b,i,u,s,tt,code,m" {
		t.Fatalf("the buttons are %q", got)
	}
	if got := u.str(`document.querySelector("#format-bar .format-b").title`); got != "Bold (Alt+B)" {
		t.Errorf("the bold button's title is %q", got)
	}
	if !u.truth(`[...document.querySelectorAll("#format-bar button")].every(b => { const r = b.getBoundingClientRect(); return r.width >= 32 && r.height >= 30 && r.right <= innerWidth })`) {
		t.Error("a formatting button is too small to tap, or off screen")
	}
	u.typeIn("#content", "un mot fort")
	u.str(`(document.getElementById("content").setSelectionRange(7, 11), "")`)
	u.clickEl("the bold button", `document.querySelector("#format-bar .format-b")`)
	if got := u.str(`document.getElementById("content").value`); got != "un mot <b>fort</b>" {
		t.Errorf("bold gives %q", got)
	}
	if !u.truth(`document.activeElement === document.getElementById("content")`) {
		t.Error("the focus left the input")
	}
	u.clickEl("the moment button", `document.querySelector("#format-bar .format-m")`)
	u.typeIn("#content", "Daft Punk")
	if got := u.str(`document.getElementById("content").value`); got != "un mot <b>fort</b><m>Daft Punk</m>" {
		t.Errorf("moment gives %q", got)
	}
	u.typeIn("#content", "\r")
	u.waitFor("the formatted message", `document.querySelector("#messages li.message.owned .content b")?.textContent === "fort"`, waitTimeout)
}
