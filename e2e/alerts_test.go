package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/model"
)

// fakeAlerts replaces the browser's Notification (recording what is shown,
// granting when asked) and lets the test hide the tab.
const fakeAlerts = `
window.__notes = [];
window.__asked = 0;
window.Notification = class {
	static permission = "default";
	static requestPermission() { window.__asked++; this.permission = "granted"; return Promise.resolve("granted"); }
	constructor(title, opts) { window.__notes.push({title, body: opts && opts.body}); }
	close() {}
};
window.__hidden = false;
Object.defineProperty(Document.prototype, "hidden", {get() { return window.__hidden; }, configurable: true});
Object.defineProperty(Document.prototype, "visibilityState", {get() { return window.__hidden ? "hidden" : "visible"; }, configurable: true});
window.__setHidden = (h) => { window.__hidden = h; document.dispatchEvent(new Event("visibilitychange")); return ""; };
`

// Alerts: notifications only once chosen (permission asked then), for a
// call or an answer while the tab is hidden, with a sound if chosen; a
// "new since you left" line on coming back.
func TestAlerts(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "nono", model.RoleUser)
	})
	s.post("", "coincoin/3.1", "plop")
	u := newTab(t, "nono", 1200, 800)
	u.beforeScripts(fakeAlerts)
	u.login(s.URL, "nono", "/")
	u.openBoard(s.URL + "/")
	if n := u.str(`window.__asked`); n != "0" {
		t.Fatal("the page asked for notifications before the viewer chose them")
	}
	u.click("#alerts-toggle")
	u.waitFor("the alerts panel", `!document.getElementById("alerts-panel").hidden`, waitTimeout)
	if dir := artifactsDir(t); dir != "" {
		u.screenshot(filepath.Join(dir, "alerts-prompt.png"))
	}
	u.click("#alerts-notify")
	u.waitFor("the permission asked", `window.__asked === 1 && document.getElementById("alerts-notify").checked`, waitTimeout)
	u.click("#alerts-sound")
	beeps := u.str(`window.tribune.beeps || 0`)

	u.typeIn("#content", "je pose une question\r")
	u.waitFor("the own message", `document.querySelector("#messages li.message.owned")`, waitTimeout)
	mine := u.str(`document.querySelector("#messages li.message.owned").dataset.clock`)

	// Visible: nothing. Hidden: a call and an answer alert, others do not.
	s.post("", "olcc/1.4", "nono< tu es là ?")
	u.waitFor("the call, visible", liWith("nono< tu es là ?"), waitTimeout)
	u.str(`window.__setHidden(true)`)
	s.post("", "olcc/1.4", "rien à voir")
	s.post("", "gc2/2.0", "nono< réveille-toi")
	s.post("", "wmcoincoin/2.6", mine+" voilà la réponse")
	u.waitFor("three messages while hidden", liWith(mine+" voilà la réponse"), waitTimeout)
	got := u.str(`window.__notes.map(n => n.title + " | " + n.body).join("\n")`)
	if want := "gc2/2.0 calls you | nono< réveille-toi\nwmcoincoin/2.6 answers you | " + mine + " voilà la réponse"; got != want {
		t.Errorf("notifications:\n%s\nwant:\n%s", got, want)
	}
	if after := u.str(`window.tribune.beeps || 0`); after == beeps {
		t.Error("no sound for the call")
	}
	u.str(`window.__setHidden(false)`)
	line := `document.querySelector("#messages li.new-since")`
	u.waitFor("the new-since line", line, waitTimeout)
	if got := u.str(line + `.nextElementSibling.querySelector(".content").textContent`); !strings.Contains(got, "rien à voir") {
		t.Errorf("the new-since line is before %q", got)
	}
}
