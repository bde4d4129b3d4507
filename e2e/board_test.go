package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/model"
)

// Posting through the form (Enter in #content) shows the message in the
// list without loading a page.
func TestPostWithoutReload(t *testing.T) {
	s := newServer(t, nil)
	u := newTab(t, "poster", 1200, 800)
	u.openBoard(s.URL + "/")
	if !u.truth(`document.getElementById("empty")`) {
		t.Fatal("an empty board should say so")
	}
	u.str(`window.e2eMarker = "still the same page"`)

	u.typeIn("#content", "premier post depuis le navigateur\r")
	u.waitFor("the message in ol#messages", liWith("premier post depuis le navigateur"), waitTimeout,
		`document.getElementById("messages").innerText`, `document.getElementById("post-error").textContent`)
	// The stream may bring the message before the post's answer is read:
	// the answer empties the input.
	u.waitFor("the post's answer handled (input emptied)", `document.getElementById("content").value === ""`, waitTimeout,
		`document.getElementById("content").value`)

	if got := u.str(`window.e2eMarker`); got != "still the same page" {
		t.Fatalf("the page was loaded again (window.e2eMarker = %q)", got)
	}
	li := liWith("premier post depuis le navigateur")
	if !u.truth(li + `.matches("li.message.owned[data-id]")`) {
		t.Errorf("the posted message is not marked as the viewer's: %s", u.peek(li+`.outerHTML`))
	}
	if u.truth(`document.getElementById("empty")`) {
		t.Error("the 'empty board' notice stays after the first message")
	}
	if n := u.str(`document.querySelectorAll("#messages li.message[data-id]").length`); n != "1" {
		t.Errorf("%s messages in the list, want 1 (a duplicate from the stream?)", n)
	}
	// One POST asking for JSON, and no page load after the first.
	var posts []string
	for _, r := range s.reqs.since(time.Time{}, func(r request) bool { return r.Method == "POST" }) {
		posts = append(posts, fmt.Sprintf("%s %s (Accept %q) → %d", r.Method, r.Path, r.Accept, r.Status))
	}
	if len(posts) != 1 || !strings.HasPrefix(posts[0], "POST / ") || !strings.Contains(posts[0], "application/json") || !strings.HasSuffix(posts[0], "→ 200") {
		t.Errorf("the posts: %q, want one POST / asking for JSON, answered 200", posts)
	}
	pages := s.reqs.since(time.Time{}, func(r request) bool { return r.Method == "GET" && r.Path == "/" })
	if len(pages) != 1 {
		t.Errorf("the board page was requested %d times, want 1: %v", len(pages), pages)
	}
}

// A message posted by a remote client shows on an open board within a
// second, without reloading.
func TestRemoteMessageIsLive(t *testing.T) {
	s := newServer(t, nil)
	s.post("", "coincoin/3.1", "déjà là")
	u := newTab(t, "reader", 1200, 800)
	u.openBoard(s.URL + "/")
	u.str(`window.e2eMarker = "no reload"`)
	// Note when the message shows (the browser's clock is the machine's).
	u.str(`(() => {
		window.e2eSeenAt = 0;
		new MutationObserver((_, obs) => {
			if (` + liWith("un message de loin") + `) { window.e2eSeenAt = Date.now(); obs.disconnect(); }
		}).observe(document.getElementById("messages"), {childList: true, subtree: true});
	})()`)

	p := s.post("", "coincoin/3.1", "un message de loin")
	u.waitFor("the remote message on the board", `window.e2eSeenAt > 0`, 3*time.Second, `document.getElementById("messages").innerText`)
	seen := time.UnixMilli(int64(evalJS[float64](u, `window.e2eSeenAt`)))
	delay := seen.Sub(p.At)
	t.Logf("the message showed %v after the post's answer", delay)
	if delay > time.Second {
		t.Errorf("the remote message showed %v after the post's answer, want at most 1s", delay)
	}
	if got := u.str(`window.e2eMarker`); got != "no reload" {
		t.Fatalf("the page was reloaded (window.e2eMarker = %q)", got)
	}
	li := liWith("un message de loin")
	if got := u.str(li + `.id`); got != "m"+strconv.FormatInt(p.ID, 10) {
		t.Errorf("the new li has id %q, want m%d", got, p.ID)
	}
	if u.truth(li + `.classList.contains("owned")`) {
		t.Error("another client's message is marked as the viewer's")
	}
}

// An invalid post turns the input red with the server's message, keeps
// the text, and the next valid post clears it all.
func TestInvalidPostShowsError(t *testing.T) {
	s := newServer(t, nil)
	u := newTab(t, "poster", 1200, 800)
	u.colorScheme("light")
	u.openBoard(s.URL + "/")

	state := func() string {
		return u.str(`(() => { const i = document.getElementById("content");
			return [i.classList.contains("error"), i.getAttribute("aria-invalid"), document.getElementById("post-error").textContent].join("|"); })()`)
	}
	border := func() string { return u.str(`getComputedStyle(document.getElementById("content")).borderColor`) }

	// 501 characters: the input's maxlength stops typing at 500, so the
	// text is set as a script would, then sent with Enter.
	long := strings.Repeat("x", 501)
	u.str(`document.getElementById("content").value = ` + js(long))
	u.typeIn("#content", "\r")
	want := "true|true|Ensure this value has at most 500 characters (it has 501)."
	u.waitFor("the error state", `document.getElementById("post-error").textContent !== ""`, waitTimeout)
	if got := state(); got != want {
		t.Errorf("after a 501-character post: class error|aria-invalid|#post-error = %q, want %q", got, want)
	}
	if got := u.str(`document.getElementById("content").value`); got != long {
		t.Errorf("the refused text was not kept (%d characters left)", len(got))
	}
	if c := border(); !reddish(c) {
		t.Errorf("the input's border is %s, not red", c)
	}

	u.str(`document.getElementById("content").value = ""`)
	u.typeIn("#content", "/bak foo\r")
	want = "true|true|Unknown option 'foo' in your command action."
	u.waitFor("the command's error", `document.getElementById("post-error").textContent.startsWith("Unknown")`, waitTimeout, `document.getElementById("post-error").textContent`)
	if got := state(); got != want {
		t.Errorf("after /bak foo: %q, want %q", got, want)
	}
	if got := u.str(`document.getElementById("content").value`); got != "/bak foo" {
		t.Errorf("the refused command was not kept: %q", got)
	}
	if u.truth(`document.querySelector("#messages li.message[data-id]")`) {
		t.Error("a refused post shows in the list")
	}

	u.str(`document.getElementById("content").value = ""`)
	u.typeIn("#content", "ça marche\r")
	u.waitFor("the valid message", liWith("ça marche"), waitTimeout)
	u.waitFor("the post's answer handled (input emptied)", `document.getElementById("content").value === ""`, waitTimeout,
		`document.getElementById("content").value`)
	if got := state(); got != "false||" {
		t.Errorf("after a valid post the error stays: %q", got)
	}
	if c := border(); reddish(c) {
		t.Errorf("after a valid post the border is still red: %s", c)
	}
}

var rgbRE = regexp.MustCompile(`rgba?\((\d+), (\d+), (\d+)`)

// reddish tells whether a computed CSS colour is clearly red.
func reddish(c string) bool {
	m := rgbRE.FindStringSubmatch(c)
	if m == nil {
		return false
	}
	r, _ := strconv.Atoi(m[1])
	g, _ := strconv.Atoi(m[2])
	b, _ := strconv.Atoi(m[3])
	return r >= 150 && r-g >= 60 && r-b >= 60
}

// Clicking a message's clock puts its reference in the input, with the
// superscript index when two messages share the second.
func TestClockClickInsertsReference(t *testing.T) {
	s := newServer(t, nil)
	alone := s.post("", "coincoin/3.1", "seul dans sa seconde")
	var first, second posted
	for try := 0; ; try++ {
		// Start at the top of a second, so that two quick posts share it.
		now := time.Now()
		time.Sleep(now.Truncate(time.Second).Add(time.Second + 20*time.Millisecond).Sub(now))
		first = s.post("", "coincoin/3.1", fmt.Sprintf("jumeau un %d", try))
		second = s.post("", "coincoin/3.1", fmt.Sprintf("jumeau deux %d", try))
		if strings.HasSuffix(s.ref(second.ID), "²") {
			break
		}
		if try == 2 {
			t.Fatalf("could not post two messages in the same second (last refs %s, %s)", s.ref(first.ID), s.ref(second.ID))
		}
	}
	u := newTab(t, "clicker", 1200, 800)
	u.openBoard(s.URL + "/")

	li := func(id int64) string { return fmt.Sprintf(`#m%d`, id) }
	if got := u.str(`document.querySelector("` + li(second.ID) + `").dataset.index`); got != "2" {
		t.Fatalf("the second message of the second has data-index %q, want 2", got)
	}
	clock := u.str(`document.querySelector("` + li(second.ID) + `").dataset.clock`)
	if got := u.str(`document.querySelector("` + li(second.ID) + ` button.clock").textContent`); got != clock+"²" {
		t.Errorf("the shown clock is %q, want %q", got, clock+"²")
	}

	for _, c := range []struct {
		id   int64
		want string
	}{
		{second.ID, clock + "²"},
		{first.ID, clock + "¹"},
		{alone.ID, s.ref(alone.ID)},
	} {
		u.str(`document.getElementById("content").value = ""`)
		u.click(li(c.id) + " button.clock")
		got := u.str(`document.getElementById("content").value`)
		if strings.TrimSpace(got) != c.want {
			t.Errorf("clicking the clock of message %d inserts %q, want %q", c.id, got, c.want)
		}
		if !u.truth(`document.activeElement === document.getElementById("content")`) {
			t.Errorf("after clicking the clock of message %d the focus is not in the input", c.id)
		}
	}
	if r := s.ref(alone.ID); strings.ContainsAny(r, "¹²") {
		t.Errorf("the lone message's reference %q has an index", r)
	}
	// A second click appends, separated by a space.
	u.str(`document.getElementById("content").value = ""`)
	u.click(li(first.ID) + " button.clock")
	u.click(li(second.ID) + " button.clock")
	if got, want := u.str(`document.getElementById("content").value`), clock+"¹ "+clock+"² "; got != want {
		t.Errorf("two clicks give %q, want %q", got, want)
	}
}

// Hovering a norloge highlights the message it points to; hovering a
// message highlights the norloges that point to it.
func TestHoverHighlights(t *testing.T) {
	s := newServer(t, nil)
	a := s.post("", "coincoin/3.1", "quelqu'un a du café ?")
	s.post("", "coincoin/3.1", "un autre sujet")
	b := s.post("", "olcc/2", s.ref(a.ID)+" oui, dans la cuisine")
	u := newTab(t, "reader", 1200, 800)
	u.openBoard(s.URL + "/")

	target := fmt.Sprintf(`document.getElementById("m%d")`, a.ID)
	pointer := fmt.Sprintf(`document.querySelector("#m%d span.pointer")`, b.ID)
	if !u.truth(pointer) {
		t.Fatalf("the answer has no span.pointer: %s", u.peek(fmt.Sprintf(`document.getElementById("m%d").outerHTML`, b.ID)))
	}
	highlighted := `[...document.querySelectorAll(".highlighted")].map(e => e.id || e.className + ":" + e.textContent).join(",")`
	if got := u.str(highlighted); got != "" {
		t.Fatalf("highlighted before any hover: %s", got)
	}

	u.hover("the norloge", pointer)
	u.waitFor("the target highlighted", target+`.classList.contains("highlighted")`, waitTimeout, highlighted)
	if got, want := u.str(`[...document.querySelectorAll("li.message.highlighted")].map(l => l.id).join(",")`), fmt.Sprintf("m%d", a.ID); got != want {
		t.Errorf("hovering the norloge highlights %q, want only %q", got, want)
	}

	// Away: nothing stays lit.
	u.mouseTo(5, 5)
	u.waitFor("highlights cleared", `!document.querySelector(".highlighted")`, waitTimeout, highlighted)

	u.hover("the target message", target+`.querySelector(".content")`)
	u.waitFor("the norloge highlighted", pointer+`.classList.contains("highlighted")`, waitTimeout, highlighted)
	if u.truth(fmt.Sprintf(`document.querySelector("#m%d").classList.contains("highlighted")`, b.ID)) {
		t.Error("hovering the target highlights the whole answer, not its norloge")
	}
}

// Hovering a norloge whose target is scrolled out of view shows it in
// the preview box.
func TestPreviewOfOffscreenMessage(t *testing.T) {
	s := newServer(t, nil)
	target := s.post("", "coincoin/3.1", "la cible, tout en haut")
	for i := range 24 {
		s.post("", "bot/1.0", fmt.Sprintf("remplissage numéro %d", i))
	}
	answer := s.post("", "olcc/2", s.ref(target.ID)+" tu disais ?")
	u := newTab(t, "reader", 800, 400)
	u.openBoard(s.URL + "/")

	tli := fmt.Sprintf(`document.getElementById("m%d")`, target.ID)
	if !u.truth(tli + `.getBoundingClientRect().bottom < 0`) {
		t.Fatalf("the target should be scrolled out of view (top %s, scrollY %s)", u.peek(tli+`.getBoundingClientRect().top`), u.peek(`scrollY`))
	}
	if !u.truth(`document.getElementById("preview").hidden`) {
		t.Fatal("the preview shows before any hover")
	}
	u.hover("the norloge", fmt.Sprintf(`document.querySelector("#m%d span.pointer")`, answer.ID))
	u.waitFor("the preview", `!document.getElementById("preview").hidden`, waitTimeout)
	if got := u.str(`document.getElementById("preview").textContent`); !strings.Contains(got, "la cible, tout en haut") {
		t.Errorf("the preview shows %q, want the target's text", got)
	}
	if !u.truth(`(() => { const r = document.getElementById("preview").getBoundingClientRect();
		return r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight; })()`) {
		t.Errorf("the preview is not inside the window: %s", u.peek(`JSON.stringify(document.getElementById("preview").getBoundingClientRect())`))
	}
	if !u.truth(tli + `.classList.contains("highlighted")`) {
		t.Error("the off-screen target is not highlighted")
	}
	u.mouseTo(5, 5)
	u.waitFor("the preview hidden again", `document.getElementById("preview").hidden`, waitTimeout)
}

// Unchecking the refresh box stops every request for new messages; checking
// it again brings what was missed.
func TestRefreshToggleStopsRequests(t *testing.T) {
	s := newServer(t, nil)
	s.post("", "coincoin/3.1", "avant la pause")
	u := newTab(t, "reader", 1200, 800)
	u.openBoard(s.URL + "/")
	remote := func(r request) bool { return strings.Contains(r.Path, "/remote/") }

	u.click("#refresh-toggle")
	u.waitFor("the paused state", `document.getElementById("live-state").dataset.state === "paused"`, waitTimeout,
		`document.getElementById("live-state").dataset.state`)
	if u.truth(`document.getElementById("refresh-toggle").checked`) {
		t.Fatal("the box is still checked")
	}
	count := u.str(`document.querySelectorAll("#messages li.message").length`)
	from := time.Now()
	s.post("", "coincoin/3.1", "pendant la pause")
	time.Sleep(2 * time.Second) // measuring: nothing may happen meanwhile
	if got := s.reqs.since(from, remote); len(got) > 0 {
		t.Errorf("requests for messages reached the server while the refresh is off: %v", got)
	}
	if got := u.sentSince(from, "/remote/"); len(got) > 0 {
		t.Errorf("the page sent requests for messages while the refresh is off: %v", got)
	}
	if u.truth(liWith("pendant la pause")) {
		t.Error("a message arrived while the refresh is off")
	}
	if got := u.str(`document.querySelectorAll("#messages li.message").length`); got != count {
		t.Errorf("the list changed while the refresh is off: %s messages, then %s", count, got)
	}

	resumed := time.Now()
	u.click("#refresh-toggle")
	if !u.poll(liWith("pendant la pause"), waitTimeout) {
		t.Fatalf("the message missed during the pause did not come within %v of checking the box again (live state %s); requests since: %v",
			waitTimeout, u.peek(`document.getElementById("live-state").dataset.state`), s.reqs.since(resumed, remote))
	}
	u.waitFor("the live state again", `document.getElementById("live-state").dataset.state === "live"`, waitTimeout)
	if got := u.sentSince(resumed, "/remote/stream/"); len(got) == 0 {
		t.Error("the browser reported no request for the stream after checking the box again: the request listener sees nothing")
	}
	// The choice is saved: a new load of the page keeps it.
	u.click("#refresh-toggle")
	u.waitFor("paused again", `document.getElementById("live-state").dataset.state === "paused"`, waitTimeout)
	u.waitFor("the preference saved", `fetch("/prefs.json").then(r => r.json()).then(p => p.refresh === false)`, waitTimeout,
		`fetch("/prefs.json").then(r => r.text())`)
	loaded := time.Now()
	u.navigate(s.URL + "/")
	u.waitFor("board.js started", `document.documentElement.classList.contains("js-board")`, waitTimeout)
	if u.truth(`document.getElementById("refresh-toggle").checked`) {
		t.Error("the refresh is on again after a reload")
	}
	if got := u.str(`document.getElementById("live-state").dataset.state`); got != "paused" {
		t.Errorf("the reloaded page's live state is %q, want paused", got)
	}
	time.Sleep(300 * time.Millisecond) // measuring: no stream opens
	if got := s.reqs.since(loaded, remote); len(got) > 0 {
		t.Errorf("a reloaded page with the refresh off asks for messages: %v", got)
	}
}

// The same on a board that was empty: the stream reopens with last_id=0,
// and what was posted during the pause must still come.
func TestRefreshResumesOnEmptyBoard(t *testing.T) {
	s := newServer(t, nil)
	u := newTab(t, "reader", 1200, 800)
	u.openBoard(s.URL + "/")
	u.click("#refresh-toggle")
	u.waitFor("the paused state", `document.getElementById("live-state").dataset.state === "paused"`, waitTimeout)
	s.post("", "coincoin/3.1", "posté pendant la pause")
	resumed := time.Now()
	u.click("#refresh-toggle")
	u.waitFor("the live state again", `document.getElementById("live-state").dataset.state === "live"`, waitTimeout)
	if !u.poll(liWith("posté pendant la pause"), waitTimeout) {
		t.Fatalf("on a board that was empty, the message posted during the pause never came after checking the box again; requests since: %v",
			s.reqs.since(resumed, func(r request) bool { return strings.Contains(r.Path, "/remote/") }))
	}
	if u.truth(`document.getElementById("empty")`) {
		t.Error("the 'empty board' notice stays beside the message")
	}
}

// Without JavaScript the board is a plain page: the form posts, the
// server redirects, the message is there.
func TestNoJavaScript(t *testing.T) {
	s := newServer(t, nil)
	s.post("", "coincoin/3.1", "bonjour les sans-script")
	u := newTab(t, "no-js", 1200, 800)
	u.disableJS()
	u.navigate(s.URL + "/")
	if !u.truth(liWith("bonjour les sans-script")) {
		t.Fatalf("the server-rendered list lacks the message: %s", u.peek(`document.getElementById("messages").innerText`))
	}
	if u.truth(`document.documentElement.classList.contains("js-board")`) {
		t.Fatal("board.js ran in a tab without JavaScript")
	}
	if !u.truth(`document.getElementById("board-tools").hidden`) {
		t.Error("the script-only tools show without JavaScript")
	}

	from := time.Now()
	u.typeIn("#content", "posté sans JavaScript\r")
	u.waitFor("the message after the redirect", liWith("posté sans JavaScript"), waitTimeout, `location.href`)
	if got := u.str(`location.pathname`); got != "/" {
		t.Errorf("after the post the browser is at %q, want /", got)
	}
	if !u.truth(liWith("posté sans JavaScript") + `.classList.contains("owned")`) {
		t.Error("the message posted without JavaScript is not marked as the viewer's")
	}
	// A real form post (not the script's JSON), answered by a redirect.
	reqs := s.reqs.since(from, nil)
	var seq []string
	for _, r := range reqs {
		if !strings.HasPrefix(r.Path, "/static/") {
			seq = append(seq, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
		}
	}
	if len(seq) < 2 || !regexp.MustCompile(`^POST / 30[1-8]$`).MatchString(seq[0]) || seq[1] != "GET / 200" {
		t.Errorf("requests of the post: %v, want POST / answered by a redirect, then GET / 200", seq)
	}
	for _, r := range reqs {
		if r.Method == "POST" && strings.Contains(r.Accept, "json") {
			t.Errorf("the form post asked for JSON (Accept %q): a script ran", r.Accept)
		}
	}

	// A refused post without JavaScript: the page comes back with the error.
	u.typeIn("#content", "/bak foo\r")
	u.waitFor("the error on the page", `document.getElementById("post-error").textContent !== ""`, waitTimeout)
	if got := u.str(`document.getElementById("post-error").textContent`); got != "Unknown option 'foo' in your command action." {
		t.Errorf("the error reads %q", got)
	}
	if !u.truth(`document.getElementById("content").matches(".error[aria-invalid=true]")`) {
		t.Error("the input is not marked invalid on the server-rendered page")
	}
	if got := u.str(`document.getElementById("content").value`); got != "/bak foo" {
		t.Errorf("the refused text was not kept: %q", got)
	}
}

// /noscript/ is the plain board for a browser that runs scripts: no
// board.js, posting is a real form post.
func TestNoScriptPage(t *testing.T) {
	s := newServer(t, nil)
	s.post("", "coincoin/3.1", "la page sans script")
	u := newTab(t, "plain", 1200, 800)
	u.navigate(s.URL + "/noscript/")
	if !u.truth(liWith("la page sans script")) {
		t.Fatalf("/noscript/ lacks the message: %s", u.peek(`document.body.innerText`))
	}
	if u.truth(`document.querySelector("script[src*=board]") || document.documentElement.classList.contains("js-board")`) {
		t.Fatal("/noscript/ loads board.js")
	}
	if u.truth(`document.getElementById("board-tools")`) {
		t.Error("/noscript/ has the script-only tools")
	}
	u.str(`window.e2eMarker = "before"`)
	from := time.Now()
	u.typeIn("#content", "posté depuis noscript\r")
	u.waitFor("the message after the redirect", liWith("posté depuis noscript"), waitTimeout, `location.href`)
	if u.truth(`window.e2eMarker === "before"`) {
		t.Error("posting from /noscript/ did not load a page: a script intercepted the form")
	}
	// The post comes back to the plain board, still without the script.
	if got := u.str(`location.pathname`); got != "/noscript/" {
		t.Errorf("after posting from /noscript/ the browser is at %q, want /noscript/", got)
	}
	if u.truth(`document.querySelector("script[src*=board]") || document.documentElement.classList.contains("js-board")`) {
		t.Error("the page after posting from /noscript/ loads board.js")
	}
	if got := u.sentSince(from, "/static/board."); len(got) > 0 {
		t.Errorf("board.js was requested after posting from /noscript/: %v", got)
	}
	if got := u.sentSince(from, "/remote/"); len(got) > 0 {
		t.Errorf("the page asked for messages after posting from /noscript/: %v", got)
	}
}

// The French page is French, and the language switch is remembered.
func TestFrench(t *testing.T) {
	s := newServer(t, nil)
	fr := newTab(t, "francophone", 1200, 800)
	fr.acceptLanguage("fr")
	fr.openBoard(s.URL + "/")
	checkLang := func(u *tab, lang, post, refresh string) {
		t.Helper()
		got := u.str(`[document.documentElement.lang, document.querySelector("#post-form button[type=submit]").textContent.trim(),
			document.querySelector("label.refresh").textContent.trim()].join("|")`)
		if want := lang + "|" + post + "|" + refresh; got != want {
			t.Errorf("%s: lang|button|refresh label = %q, want %q", u.name, got, want)
		}
	}
	checkLang(fr, "fr", "Poster", "Rafraîchissement actif")
	if got := fr.str(`document.getElementById("live-state").textContent`); got != "en direct" {
		t.Errorf("the live state reads %q in French", got)
	}
	if got, want := fr.str(`document.getElementById("theme-toggle").textContent`), "Thème\u00a0: système"; got != want {
		t.Errorf("the theme button reads %q in French, want %q", got, want)
	}

	en := newTab(t, "anglophone", 1200, 800)
	en.acceptLanguage("en")
	en.openBoard(s.URL + "/")
	checkLang(en, "en", "Post", "Active refresh")
	en.str(`window.e2eMarker = "english page"`)
	en.click(`form.lang button[name="lang"][value="fr"]`)
	en.waitFor("the French page after the switch", `document.documentElement.lang === "fr" && !window.e2eMarker`, waitTimeout, `document.documentElement.lang`)
	en.waitFor("board.js started", `document.documentElement.classList.contains("js-board")`, waitTimeout)
	checkLang(en, "fr", "Poster", "Rafraîchissement actif")
	// Remembered: a new load, still asking for English.
	en.openBoard(s.URL + "/")
	checkLang(en, "fr", "Poster", "Rafraîchissement actif")
	if got := en.str(`document.querySelector('form.lang button[name="lang"]').value`); got != "en" {
		t.Errorf("the switch on the French page offers %q, want en", got)
	}
	// The other user is not affected (own cookies).
	other := newTab(t, "another anglophone", 1200, 800)
	other.acceptLanguage("en")
	other.navigate(s.URL + "/")
	if got := other.str(`document.documentElement.lang`); got != "en" {
		t.Errorf("another user's page is %q: the language cookie leaked between browser contexts", got)
	}
}

// A moderator accepts a waiting message and it shows on the open boards.
func TestModerationAccept(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "modo", model.RoleModerator)
		if _, err := st.CreateChannel(ctx, "troie", "Troie"); err != nil {
			t.Fatal(err)
		}
		if err := st.SetModeration(ctx, "troie", "manual", nil, ""); err != nil {
			t.Fatal(err)
		}
	})
	board := s.URL + "/troie/"
	watcher := newTab(t, "watcher", 1200, 800)
	watcher.openBoard(board)
	author := newTab(t, "author", 1200, 800)
	author.openBoard(board)

	author.typeIn("#content", "attends-moi\r")
	pending := `document.querySelector("#messages li.message.pending")`
	author.waitFor("the pending line", pending, waitTimeout, `document.getElementById("post-error").textContent`)
	if got := author.str(pending + `.querySelector(".content").textContent.trim()`); got != "attends-moi" {
		t.Errorf("the pending line shows %q", got)
	}
	if !author.truth(pending + `.classList.contains("owned") && !` + pending + `.hasAttribute("data-id")`) {
		t.Errorf("the pending line is not an owned line without id: %s", author.peek(pending+`.outerHTML`))
	}
	if got := author.str(pending + `.querySelector(".status").textContent`); got != "awaiting moderation" {
		t.Errorf("the pending line's status reads %q", got)
	}
	sub := author.str(pending + `.dataset.submission`)
	if _, err := strconv.Atoi(sub); err != nil {
		t.Fatalf("the pending line has no submission id: %q", sub)
	}
	time.Sleep(500 * time.Millisecond) // measuring: the watcher gets nothing
	if watcher.truth(`[...document.querySelectorAll("#messages li")].some(l => l.textContent.includes("attends-moi"))`) {
		t.Fatal("another user sees the message before a moderator accepted it")
	}

	modo := newTab(t, "moderator", 1200, 800)
	modo.navigate(s.URL + "/login?next=/moderation/")
	modo.typeIn("#username", "modo")
	modo.typeIn("#password", password+"\r")
	modo.waitFor("the moderation queue after logging in", `location.pathname === "/moderation/" && document.getElementById("s`+sub+`")`, waitTimeout,
		`location.href`, `document.querySelector(".alert")?.textContent`)
	if got := modo.str(`document.querySelector("#s` + sub + ` .content").textContent.trim()`); got != "attends-moi" {
		t.Errorf("the queue shows %q", got)
	}
	modo.click(`#s` + sub + ` form[action$="/accept"] button`)
	modo.waitFor("the queue without the message", `location.pathname === "/moderation/" && !document.getElementById("s`+sub+`")`, waitTimeout, `location.href`)

	watcher.waitFor("the accepted message on the watcher's board", liWith("attends-moi")+`?.matches("li.message[data-id]:not(.pending)")`, 3*time.Second,
		`document.getElementById("messages").innerText`)
	if watcher.truth(liWith("attends-moi") + `.classList.contains("owned")`) {
		t.Error("the accepted message is marked as the watcher's")
	}
	author.waitFor("the pending line gone", `!document.querySelector("#messages li.message.pending")`, 3*time.Second)
	author.waitFor("the published message, owned", liWith("attends-moi")+`?.matches("li.message.owned[data-id]")`, 3*time.Second,
		`document.getElementById("messages").innerHTML`)
	if n := author.str(`[...document.querySelectorAll("#messages li")].filter(l => l.textContent.includes("attends-moi")).length`); n != "1" {
		t.Errorf("the author's board shows the message %s times", n)
	}
}
