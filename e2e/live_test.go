package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/model"
)

// moderatedServer is a tribune with a moderator, modo, and a channel whose
// messages wait for a moderator, /troie/.
func moderatedServer(t *testing.T) *server {
	t.Helper()
	return newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "modo", model.RoleModerator)
		if _, err := st.CreateChannel(ctx, "troie", "Troie"); err != nil {
			t.Fatal(err)
		}
		if err := st.SetModeration(ctx, "troie", "manual", nil, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// A rejected message stays in its author's list, struck out, with the
// moderator's reason, without a reload.
func TestRejectedWithReason(t *testing.T) {
	s := moderatedServer(t)
	author := newTab(t, "author", 1200, 800)
	author.openBoard(s.URL + "/troie/")
	author.str(`window.e2eMarker = "no reload"`)
	author.typeIn("#content", "un message hors sujet\r")
	pending := `document.querySelector("#messages li.message.pending")`
	author.waitFor("the pending line", pending, waitTimeout, `document.getElementById("post-error").textContent`)
	sub := author.str(pending + `.dataset.submission`)

	modo := newTab(t, "moderator", 1200, 800)
	modo.login(s.URL, "modo", "/moderation/")
	modo.waitFor("the message in the queue", `document.getElementById("s`+sub+`")`, waitTimeout)
	modo.typeIn("#reason-"+sub, "trop hors sujet")
	modo.click(`#s` + sub + ` form[action$="/reject"] button`)
	modo.waitFor("the queue without the message", `location.pathname === "/moderation/" && !document.getElementById("s`+sub+`")`, waitTimeout)

	author.waitFor("the rejection on the author's line", pending+`.classList.contains("rejected")`, 3*time.Second, pending+`.outerHTML`)
	if got := author.str(pending + `.querySelector(".status").textContent`); got != "Rejected: trop hors sujet" {
		t.Errorf("the rejected line says %q, want %q", got, "Rejected: trop hors sujet")
	}
	if got := author.str(`getComputedStyle(` + pending + `.querySelector(".content")).textDecorationLine`); got != "line-through" {
		t.Errorf("the rejected message is not struck out (text-decoration-line %q)", got)
	}
	if got := author.str(`window.e2eMarker`); got != "no reload" {
		t.Errorf("the page was reloaded (window.e2eMarker = %q)", got)
	}
	if author.truth(`document.querySelector("#messages li.message[data-id]")`) {
		t.Error("the rejected message was published")
	}
}

// A moderator's count of waiting messages follows the queue live: in the
// menu of any page, and on the moderation page.
func TestLivePendingCount(t *testing.T) {
	s := moderatedServer(t)
	modo := newTab(t, "moderator on the board", 1200, 800)
	modo.login(s.URL, "modo", "/")
	modo.openBoard(s.URL + "/")
	badge := `document.querySelector("a.moderation .pending-count")`
	if got := modo.str(badge + `.textContent`); got != "" {
		t.Fatalf("the badge reads %q with an empty queue", got)
	}
	if modo.truth(`getComputedStyle(` + badge + `).display !== "none"`) {
		t.Error("an empty badge shows")
	}
	queue := modo.sibling("moderator on the queue", 1200, 800)
	opened := time.Now()
	queue.navigate(s.URL + "/moderation/")
	if got := queue.str(`document.getElementById("queue-size").textContent`); got != "Messages waiting: 0" {
		t.Fatalf("the queue page says %q", got)
	}
	// The stream answers 200 as it subscribes, then sends the queue's
	// size: a post from now on is counted.
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(20 * time.Millisecond) {
		if len(s.reqs.since(opened, func(r request) bool { return strings.HasPrefix(r.Path, "/remote/stream/") && r.Status == 200 })) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the queue page opened no live stream")
		}
	}

	for i, want := range []string{"1", "2"} {
		s.post("troie", "coincoin/3.1", fmt.Sprintf("en attente %d", i))
		modo.waitFor("the badge at "+want, badge+`.textContent === "`+want+`"`, 3*time.Second, badge+`.textContent`)
		queue.waitFor("the queue size at "+want, `document.getElementById("queue-size").textContent === "Messages waiting: `+want+`"`, 3*time.Second,
			`document.getElementById("queue-size").textContent`)
	}
	if got := modo.str(`getComputedStyle(` + badge + `).display`); got == "none" {
		t.Error("the badge is hidden with messages waiting")
	}
	if queue.truth(`document.getElementById("new-pending").hidden`) {
		t.Error("the queue page does not offer to reload it")
	}
	// A decision brings it down.
	queue.navigate(s.URL + "/moderation/")
	queue.click(`table.queue tbody tr form[action$="/accept"] button`)
	modo.waitFor("the badge at 1 after an acceptance", badge+`.textContent === "1"`, 3*time.Second, badge+`.textContent`)
}

// With the live refresh off, posting still shows the new message, and what
// others posted meanwhile, without any other request for messages; on a
// board that was empty too.
func TestPostWhileRefreshOff(t *testing.T) {
	for _, empty := range []bool{false, true} {
		t.Run(map[bool]string{false: "board with messages", true: "empty board"}[empty], func(t *testing.T) {
			s := newServer(t, nil)
			var order []string
			if !empty {
				s.post("", "coincoin/3.1", "avant la pause")
				order = append(order, "avant la pause")
			}
			u := newTab(t, "poster", 1200, 800)
			u.openBoard(s.URL + "/")
			u.click("#refresh-toggle")
			u.waitFor("the paused state", `document.getElementById("live-state").dataset.state === "paused"`, waitTimeout)
			from := time.Now()
			s.post("", "coincoin/3.1", "posté par un autre pendant la pause")
			u.typeIn("#content", "mon message pendant la pause\r")
			u.waitFor("my message", liWith("mon message pendant la pause"), waitTimeout, `document.getElementById("post-error").textContent`)
			if !u.truth(liWith("mon message pendant la pause") + `.classList.contains("owned")`) {
				t.Error("my message is not marked as mine")
			}
			order = append(order, "posté par un autre pendant la pause", "mon message pendant la pause")
			got := u.str(`[...document.querySelectorAll("#messages li.message")].map(l => l.querySelector(".content").textContent.trim()).join(" | ")`)
			if want := strings.Join(order, " | "); got != want {
				t.Errorf("the list reads %q, want %q", got, want)
			}
			// The post's answer carries the new messages; an empty board
			// reads its list once after the post.
			sent := u.sentSince(from, "/remote/")
			if !empty && len(sent) > 0 || empty && (len(sent) != 1 || !strings.Contains(sent[0], "/remote/json/?limit=")) {
				t.Errorf("requests for messages with the refresh off: %v", sent)
			}
			if got := u.str(`document.getElementById("live-state").dataset.state`); got != "paused" {
				t.Errorf("posting changed the live state to %q", got)
			}
			if u.truth(`document.getElementById("empty")`) {
				t.Error("the 'empty board' notice stays")
			}
		})
	}
}

// Without EventSource the board polls the JSON backend at the interval
// chosen beside the refresh box.
func TestPollingFallback(t *testing.T) {
	s := newServer(t, nil)
	s.post("", "coincoin/3.1", "avant")
	u := newTab(t, "old browser", 1200, 800)
	u.beforeScripts(`delete window.EventSource`)
	u.navigate(s.URL + "/")
	u.waitFor("the polling state", `document.getElementById("live-state")?.dataset.state === "poll"`, waitTimeout,
		`document.getElementById("live-state")?.dataset.state`)
	if u.truth(`window.EventSource`) {
		t.Fatal("EventSource is still there")
	}
	// The interval, set to 2 s beside the refresh box, is saved.
	secs := `document.getElementById("refresh-secs")`
	if !u.truth(`document.querySelector("#board-tools label.refresh + form.refresh-interval #refresh-secs")`) {
		t.Fatalf("the interval is not beside the refresh box: %s", u.peek(`document.getElementById("board-tools").innerHTML`))
	}
	u.str(secs + `.value = ""`)
	u.typeIn("#refresh-secs", "2\r")
	u.waitFor("the interval saved", `fetch("/prefs.json", {cache: "no-store"}).then(r => r.json()).then(p => p.refresh_secs === 2)`, waitTimeout,
		`fetch("/prefs.json").then(r => r.text())`)
	u.waitFor("the state with the new interval", `document.getElementById("live-state").textContent === "refreshing every 2 s"`, waitTimeout,
		`document.getElementById("live-state").textContent`)

	p := s.post("", "coincoin/3.1", "arrivé par le sondage")
	u.waitFor("the message, polled", liWith("arrivé par le sondage"), 4*time.Second, `document.getElementById("messages").innerText`)
	t.Logf("the polled message showed %v after its post", time.Since(p.At))
	if got := u.sentSince(time.Time{}, "/remote/stream/"); len(got) > 0 {
		t.Errorf("the page opened a stream without EventSource: %v", got)
	}
	polls := s.reqs.since(time.Time{}, func(r request) bool { return strings.HasPrefix(r.Path, "/remote/json/?last_id=") })
	if len(polls) == 0 {
		t.Fatal("no poll of the JSON backend reached the server")
	}

	// An out-of-range interval is refused with the server's message.
	u.str(secs + `.value = ""`)
	u.typeIn("#refresh-secs", "1\r")
	u.waitFor("the refused interval", secs+`.getAttribute("aria-invalid") === "true"`, waitTimeout)
	if msg := u.str(secs + `.validationMessage`); msg == "" {
		t.Error("the refused interval has no message")
	}
	if got := evalJS[float64](u, `fetch("/prefs.json", {cache: "no-store"}).then(r => r.json()).then(p => p.refresh_secs)`); got != 2 {
		t.Errorf("after a refused interval the preference is %v, want 2", got)
	}
}

// A filter added in one tab applies at once in the user's other tabs: the
// filtered messages leave their lists and new ones do not come.
func TestFiltersFollowOtherTabs(t *testing.T) {
	s := newServer(t, nil)
	s.post("", "Troll/1.0", "un troll d'avant")
	s.post("", "coincoin/3.1", "un message sage")
	a := newTab(t, "tab A", 1200, 800)
	a.openBoard(s.URL + "/")
	b := a.sibling("tab B", 1200, 800)
	b.openBoard(s.URL + "/")
	b.str(`window.e2eMarker = "no reload"`)

	a.typeIn("#content", "/bak set ua |= troll\r")
	a.waitFor("the command's notice", `document.getElementById("post-notice").textContent !== ""`, waitTimeout,
		`document.getElementById("post-error").textContent`)
	b.waitFor("the old troll gone from the other tab", `!(`+liWith("un troll d'avant")+`)`, 3*time.Second,
		`document.getElementById("messages").innerText`)
	if !b.truth(liWith("un message sage")) {
		t.Error("the other tab lost an unfiltered message")
	}
	s.post("", "Troll/1.0", "un troll d'après")
	s.post("", "coincoin/3.1", "un autre message sage")
	b.waitFor("the next message", liWith("un autre message sage"), 3*time.Second, `document.getElementById("messages").innerText`)
	if b.truth(liWith("un troll d'après")) {
		t.Error("the other tab shows a message its filters hide")
	}
	if got := b.str(`window.e2eMarker`); got != "no reload" {
		t.Errorf("the other tab was reloaded (window.e2eMarker = %q)", got)
	}
	if got := b.str(`document.getElementById("live-state").dataset.state`); got != "live" {
		t.Errorf("the other tab's live state is %q", got)
	}
}

// When several messages share a second, every one shows its index, the
// first one ¹ too, also when the second one arrives live; the server
// renders the same.
func TestSharedSecondIndexLive(t *testing.T) {
	s := newServer(t, nil)
	u := newTab(t, "reader", 1200, 800)
	u.openBoard(s.URL + "/")
	var first, second posted
	for try := 0; ; try++ {
		// Start at the top of a second, so that two quick posts share it.
		now := time.Now()
		time.Sleep(now.Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(now))
		first = s.post("", "coincoin/3.1", fmt.Sprintf("premier %d", try))
		u.waitFor("the first message", fmt.Sprintf(`document.getElementById("m%d")`, first.ID), waitTimeout)
		second = s.post("", "coincoin/3.1", fmt.Sprintf("second %d", try))
		if strings.HasSuffix(s.ref(second.ID), "²") {
			break
		}
		if try == 2 {
			t.Fatal("could not post two messages in the same second")
		}
	}
	clock := func(id int64) string {
		return u.str(fmt.Sprintf(`document.querySelector("#m%d button.clock").textContent`, id))
	}
	u.waitFor("the second message", fmt.Sprintf(`document.getElementById("m%d")`, second.ID), waitTimeout)
	base := u.str(fmt.Sprintf(`document.getElementById("m%d").dataset.clock`, first.ID))
	u.waitFor("¹ on the first message", fmt.Sprintf(`document.querySelector("#m%d button.clock").textContent.endsWith("¹")`, first.ID), waitTimeout)
	if got := clock(first.ID); got != base+"¹" {
		t.Errorf("the first message's clock reads %q, want %q", got, base+"¹")
	}
	if got := clock(second.ID); got != base+"²" {
		t.Errorf("the second message's clock reads %q, want %q", got, base+"²")
	}
	// The same markup as the server's: the index in a <sup> of the button.
	shape := func(tb *tab, id int64) string {
		return tb.str(fmt.Sprintf(`(() => { const b = document.querySelector("#m%d button.clock");
			return [...b.children].map(c => c.tagName.toLowerCase() + ":" + c.textContent).join(" "); })()`, id))
	}
	live := []string{shape(u, first.ID), shape(u, second.ID)}
	plain := newTab(t, "no-js reader", 1200, 800)
	plain.disableJS()
	plain.navigate(s.URL + "/")
	for i, id := range []int64{first.ID, second.ID} {
		if got := shape(plain, id); got != live[i] {
			t.Errorf("message %d: the server renders the clock as %q, board.js as %q", id, got, live[i])
		}
	}
}

// Norloges are reachable with Tab; a focused norloge highlights its target
// and shows it in the preview, which describes it; Escape closes it.
func TestKeyboardNorloge(t *testing.T) {
	s := newServer(t, nil)
	a := s.post("", "coincoin/3.1", "la question")
	b := s.post("", "olcc/2", s.ref(a.ID)+" la réponse")
	u := newTab(t, "keyboard user", 1200, 800)
	u.openBoard(s.URL + "/")

	pointer := fmt.Sprintf(`document.querySelector("#m%d span.pointer")`, b.ID)
	target := fmt.Sprintf(`document.getElementById("m%d")`, a.ID)
	preview := `document.getElementById("preview")`
	u.str(fmt.Sprintf(`document.querySelector("#m%d button.clock").focus()`, b.ID))
	u.key("Tab", kb.Tab)
	if !u.truth(`document.activeElement === ` + pointer) {
		t.Fatalf("Tab from the clock goes to %s, not to the norloge", u.peek(`document.activeElement.outerHTML`))
	}
	if got := u.str(`getComputedStyle(document.activeElement).outlineStyle`); got == "none" {
		t.Error("the focused norloge has no visible focus")
	}
	u.waitFor("the preview", `!`+preview+`.hidden`, waitTimeout)
	if got := u.str(preview + `.textContent`); !strings.Contains(got, "la question") {
		t.Errorf("the preview shows %q, want the target", got)
	}
	if got := u.str(pointer + `.getAttribute("aria-describedby")`); got != "preview" {
		t.Errorf("the focused norloge has aria-describedby %q, want preview", got)
	}
	if !u.truth(target + `.classList.contains("highlighted")`) {
		t.Error("the target is not highlighted")
	}
	if !u.truth(`(() => { const r = ` + preview + `.getBoundingClientRect();
		return r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; })()`) {
		t.Errorf("the preview is not inside the window: %s", u.peek(`JSON.stringify(`+preview+`.getBoundingClientRect())`))
	}

	u.key("Escape", kb.Escape)
	u.waitFor("the preview closed", preview+`.hidden`, waitTimeout)
	if u.truth(pointer + `.hasAttribute("aria-describedby")`) {
		t.Error("aria-describedby stays after the preview closed")
	}
	if u.truth(`document.querySelector(".highlighted")`) {
		t.Error("the highlight stays after Escape")
	}
	if !u.truth(`document.activeElement === ` + pointer) {
		t.Error("Escape moved the focus")
	}

	// Focus again, then away: closed too.
	u.str(fmt.Sprintf(`document.querySelector("#m%d button.clock").focus()`, b.ID))
	u.key("Tab", kb.Tab)
	u.waitFor("the preview again", `!`+preview+`.hidden`, waitTimeout)
	u.str(`document.getElementById("content").focus()`)
	u.waitFor("the preview closed on blur", preview+`.hidden && !document.querySelector(".highlighted")`, waitTimeout)
}
