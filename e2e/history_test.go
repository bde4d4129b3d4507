package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Scrolling up on the board loads older messages, page by page, down to
// the first one; the older pages stay when new messages arrive, and a
// norloge to a message that is not loaded goes to its permalink.
func TestScrollBackOnBoard(t *testing.T) {
	s := newServer(t, nil)
	s.post("", "coincoin/3.1", "le tout premier message")
	for i := 2; i <= 120; i++ {
		s.post("", "coincoin/3.1", fmt.Sprintf("message numéro %d", i))
	}
	u := newTab(t, "reader", 1200, 800)
	u.openBoard(s.URL + "/")
	count := `document.querySelectorAll("#messages li.message[data-id]").length`
	if n := u.str(count); n != "50" {
		t.Fatalf("%s messages on the board, want 50", n)
	}
	if !u.truth(`document.getElementById("older-link")?.getAttribute("href").includes("?before=")`) {
		t.Fatal("no link to older messages")
	}

	// Up to the top: the next page comes in above, and what was at the top
	// stays in view.
	u.str(`(window.scrollTo(0, 0), "ok")`)
	u.waitFor("a second page loaded", count+` === 100`, waitTimeout, count)
	if u.truth(`window.scrollY < 100`) {
		t.Error("the view jumped to the new rows instead of staying on what was read")
	}
	// And once more with the control itself, down to the first message.
	u.click("#older-link")
	u.waitFor("the last page loaded", count+` === 120`, waitTimeout, count)
	u.waitFor("the control gone: nothing older", `!document.getElementById("older")`, waitTimeout,
		`document.getElementById("older")?.outerHTML`)
	if !u.truth(liWith("le tout premier message")) {
		t.Fatal("the first message is not on the board")
	}
	ids := `[...document.querySelectorAll("#messages li.message[data-id]")].map(l => +l.dataset.id)`
	if !u.truth(ids + `.every((id, i, a) => i === 0 || a[i-1] < id)`) {
		t.Errorf("rows out of order or repeated: %s", u.peek(ids+`.join(",")`))
	}
	// Every row offers its permalink, live ones too.
	live := s.post("", "coincoin/3.1", "un message en direct")
	u.waitFor("the live message", liWith("un message en direct"), waitTimeout, count)
	if got := u.str(fmt.Sprintf(`document.querySelector("#m%d a.permalink")?.getAttribute("href") || ""`, live.ID)); got != fmt.Sprintf("/message/%d/", live.ID) {
		t.Errorf("the live row's permalink: %q", got)
	}
	if n := u.str(count); n != "121" {
		t.Errorf("%s messages after a live one, want 121 (older pages trimmed?)", n)
	}
	// The permalink takes no room: the row is as high with it as a row
	// without one.
	if u.truth(fmt.Sprintf(`document.querySelector("#m%d").getBoundingClientRect().height > 40`, live.ID)) {
		t.Errorf("a row grew with its permalink: %s", u.peek(fmt.Sprintf(`document.querySelector("#m%d").getBoundingClientRect().height`, live.ID)))
	}
	// The row menu copies the permalink, and its button and the "#" lie
	// side by side, neither over the other.
	apart := fmt.Sprintf(`(() => {
		const li = document.querySelector("#m%d");
		const b = li.querySelector(":scope > button.row-menu");
		if (!b) return "no row menu";
		const x = li.querySelector(":scope > a.permalink").getBoundingClientRect(), y = b.getBoundingClientRect();
		return x.right <= y.left || x.left >= y.right ? "apart" : "overlap";
	})()`, live.ID)
	if got := u.str(apart); got != "apart" {
		t.Errorf("the permalink and the row menu: %s", got)
	}
	u.truth(fmt.Sprintf(`document.querySelector("#m%d > button.row-menu").click() === undefined`, live.ID))
	u.waitFor("the row menu's copy link", `[...document.querySelectorAll(".row-menu-panel button")].some(b => b.textContent === "Copy link")`, waitTimeout,
		`document.querySelector(".row-menu-panel")?.outerHTML`)
}

// A norloge to a message older than the loaded page resolves through the
// clock finder: a click goes to that message's permalink.
func TestNorlogeBeforeTheLoadedPage(t *testing.T) {
	s := newServer(t, nil)
	first := s.post("", "coincoin/3.1", "au commencement")
	ref := s.ref(first.ID)
	time.Sleep(1100 * time.Millisecond) // another second: the norloge names only the first
	for i := 2; i <= 60; i++ {
		s.post("", "coincoin/3.1", fmt.Sprintf("bavardage %d", i))
	}
	answer := s.post("", "olcc/2", ref+" on y revient")
	u := newTab(t, "reader", 1200, 800)
	u.openBoard(s.URL + "/")
	if u.truth(fmt.Sprintf(`document.getElementById("m%d")`, first.ID)) {
		t.Fatal("the first message should be out of the loaded page")
	}
	// As a reader does: the pointer rests on the norloge (its preview
	// comes from the clock finder), then clicks.
	u.hover("the norloge", fmt.Sprintf(`document.querySelector("#m%d span.pointer")`, answer.ID))
	u.waitFor("the preview", `document.getElementById("preview")?.textContent.includes("au commencement")`, waitTimeout,
		`document.getElementById("preview")?.outerHTML`)
	u.click(fmt.Sprintf("#m%d span.pointer", answer.ID))
	u.waitFor("the first message's permalink", fmt.Sprintf(`location.pathname === "/message/%d/"`, first.ID), waitTimeout,
		`location.href`)
}

// A permalink's page highlights its message, and its links work: to what
// it answers, to its answers, to its day.
func TestPermalinkPage(t *testing.T) {
	s := newServer(t, nil)
	a := s.post("", "coincoin/3.1", "qui veut du thé ?")
	s.post("", "coincoin/3.1", "autre chose")
	b := s.post("", "olcc/2", s.ref(a.ID)+" moi !")
	u := newTab(t, "reader", 1200, 800)
	u.navigate(fmt.Sprintf("%s/message/%d/", s.URL, b.ID))
	u.waitFor("the page", `document.getElementById("messages")`, waitTimeout)
	if got := u.str(`[...document.querySelectorAll("li.message.selected")].map(l => l.id).join(",")`); got != fmt.Sprintf("m%d", b.ID) {
		t.Fatalf("highlighted: %q, want m%d", got, b.ID)
	}
	if !u.truth(fmt.Sprintf(`document.querySelector("#m%d").getAttribute("aria-current") === "true"`, b.ID)) {
		t.Error("the message is not marked aria-current")
	}
	// Norloges work as on the board.
	u.waitFor("board.js started", `document.documentElement.classList.contains("js-board")`, waitTimeout)
	u.hover("the norloge", fmt.Sprintf(`document.querySelector("#m%d span.pointer")`, b.ID))
	u.waitFor("its target highlighted", fmt.Sprintf(`document.getElementById("m%d").classList.contains("highlighted")`, a.ID), waitTimeout)

	u.click(".answers a")
	u.waitFor("what it answers", fmt.Sprintf(`location.pathname === "/message/%d/"`, a.ID), waitTimeout, `location.href`)
	u.waitFor("selected there", fmt.Sprintf(`document.querySelector("#m%d.selected")`, a.ID), waitTimeout)
	u.click(".replies a")
	u.waitFor("back to its answer", fmt.Sprintf(`location.pathname === "/message/%d/"`, b.ID), waitTimeout, `location.href`)
	u.click("a.day-link")
	u.waitFor("the day's archive", `location.pathname.startsWith("/archives/20")`, waitTimeout, `location.href`)
	u.waitFor("the message flashed on its day", fmt.Sprintf(`document.querySelector("#m%d.target")`, b.ID), waitTimeout,
		`document.body.innerHTML.slice(0, 300)`)
}

// On a day's archive, hovering a norloge highlights its target, and a click
// jumps to it.
func TestDayArchiveNorloges(t *testing.T) {
	s := newServer(t, nil)
	a := s.post("", "coincoin/3.1", "il pleut")
	for i := range 40 {
		s.post("", "coincoin/3.1", fmt.Sprintf("et puis %d", i))
	}
	b := s.post("", "olcc/2", s.ref(a.ID)+" encore ?")
	u := newTab(t, "reader", 1200, 600)
	day := time.Now().In(paris(t)).Format(time.DateOnly)
	u.navigate(s.URL + "/archives/" + day + "/")
	u.waitFor("board.js started", `document.documentElement.classList.contains("js-board")`, waitTimeout)
	if n := u.str(`document.querySelectorAll("#messages li.message[data-id]").length`); n != "42" {
		t.Fatalf("%s messages on the day's page, want 42", n)
	}
	pointer := fmt.Sprintf(`document.querySelector("#m%d span.pointer")`, b.ID)
	u.str(`(` + pointer + `.scrollIntoView(), "ok")`)
	u.hover("the norloge", pointer)
	u.waitFor("its target highlighted", fmt.Sprintf(`document.getElementById("m%d").classList.contains("highlighted")`, a.ID), waitTimeout,
		`[...document.querySelectorAll(".highlighted")].map(e => e.id).join(",")`)
	u.click(fmt.Sprintf("#m%d span.pointer", b.ID))
	u.waitFor("a jump to it", fmt.Sprintf(`document.getElementById("m%d").classList.contains("target")`, a.ID), waitTimeout)
	top := u.str(fmt.Sprintf(`String(Math.round(document.getElementById("m%d").getBoundingClientRect().top))`, a.ID))
	if !u.truth(fmt.Sprintf(`(() => { const r = document.getElementById("m%d").getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`, a.ID)) {
		t.Errorf("the target is not in view after the jump (top %s)", top)
	}
	if strings.Contains(u.str(`document.body.textContent`), "post-form") {
		t.Error("a day's archive offers to post")
	}
}

func paris(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
