package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune"
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
	box := u.str(`JSON.stringify(` + liWith("me voilà") + `.getBoundingClientRect())`) + " in " + u.str(`innerHeight`)
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
	u.str(`fetch("/prefs/filters", {method: "POST", body: new URLSearchParams({op: "add", target: "ua", kind: "*=", pattern: "trollbot"}),
		headers: {Accept: "application/json"}}).then(r => r.status)`)
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
