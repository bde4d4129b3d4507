package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tribune-go/tribune"
)

// Several channels on one screen: one list, live, colour and alias per
// channel, posting with the selector or @alias, norloges with @alias
// resolving across channels; on a desktop and on a phone.
func TestMultiChannelView(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		for slug, title := range map[string]string{"troie": "La guerre de Troie", "dev": "Développement"} {
			if _, err := st.CreateChannel(ctx, slug, title); err != nil {
				t.Fatal(err)
			}
		}
	})
	cible := s.post("troie", "coincoin/3.1", "le cheval est devant la porte")
	s.post("dev", "olcc/1.4", "go test -race passe")
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1200, 800}, {"phone", 390, 800}} {
		u := newTab(t, size.name, size.width, size.height)
		u.navigate(s.URL + "/multi/?c=troie:t,dev")
		u.waitFor("the multi view live", `document.getElementById("live-state")?.dataset.state === "live"`, waitTimeout,
			`document.getElementById("live-state")?.textContent`)
		if got := u.str(`[...document.querySelectorAll("#messages li.message .alias")].slice(0, 2).map(a => a.textContent).join(",")`); got != "t,dev" {
			t.Errorf("%s: aliases %q", size.name, got)
		}
		if u.str(`getComputedStyle(document.querySelector("#messages li[data-channel=troie]")).borderLeftColor`) ==
			u.str(`getComputedStyle(document.querySelector("#messages li[data-channel=dev]")).borderLeftColor`) {
			t.Errorf("%s: the two channels have the same colour", size.name)
		}
		if w := u.str(`document.documentElement.scrollWidth`); w != u.str(`document.documentElement.clientWidth`) {
			t.Errorf("%s: the page scrolls sideways (%s wide)", size.name, w)
		}
		// Live: a message posted on troie elsewhere comes.
		s.post("troie", "gc2/2.0", "live "+size.name)
		u.waitFor("the live message", liWith("live "+size.name)+`?.dataset.channel === "troie"`, waitTimeout)
		if size.name == "phone" {
			if dir := artifactsDir(t); dir != "" {
				u.screenshot(filepath.Join(dir, "multi-phone.png"))
			}
			continue
		}
		// Post to dev with the selector; to troie with @t.
		u.str(`(document.getElementById("post-channel").value = "dev", "")`)
		u.typeIn("#content", "par le sélecteur\r")
		u.waitFor("the post on dev", liWith("par le sélecteur")+`?.dataset.channel === "dev"`, waitTimeout,
			`document.getElementById("post-error").textContent`)
		// A clock of troie clicked while posting to dev gets @t.
		u.str(`document.getElementById("content").value = ""`)
		u.click(`#m` + itoa(cible.ID) + ` button.clock`)
		ref := strings.TrimSpace(u.str(`document.getElementById("content").value`))
		if !strings.HasSuffix(ref, "@t") {
			t.Fatalf("the clock of another channel inserts %q", ref)
		}
		u.typeIn("#content", "il arrive\r")
		u.waitFor("the answer on dev", liWith(ref+" il arrive")+`?.dataset.channel === "dev"`, waitTimeout,
			`document.getElementById("post-error").textContent`)
		u.hover("the cross-channel norloge", liWith(ref+" il arrive")+`.querySelector("span.pointer")`)
		if !u.truth(`document.getElementById("m` + itoa(cible.ID) + `").classList.contains("highlighted")`) {
			t.Error("the @alias norloge does not light its target in the other channel")
		}
		u.mouseTo(1, 1)
		u.str(`document.getElementById("content").value = ""`)
		u.typeIn("#content", "@t par l'alias\r")
		u.waitFor("the post on troie", liWith("par l'alias")+`?.dataset.channel === "troie"`, waitTimeout,
			`document.getElementById("post-error").textContent`)
		if dir := artifactsDir(t); dir != "" {
			u.screenshot(filepath.Join(dir, "multi-desktop.png"))
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// The multi view applies the viewer's BaK filters when they change in
// another tab, while open: the list is read again in place (what is being
// typed stays), and what comes live after is filtered.
func TestMultiFollowsFilterChanges(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		for _, slug := range []string{"troie", "dev"} {
			if _, err := st.CreateChannel(ctx, slug, slug); err != nil {
				t.Fatal(err)
			}
		}
	})
	s.post("troie", "troll/1.0", "message du troll")
	s.post("dev", "olcc/1.4", "message sage")
	u := newTab(t, "multi", 1200, 800)
	u.navigate(s.URL + "/multi/?c=troie,dev")
	u.waitFor("the multi view live", `document.getElementById("live-state")?.dataset.state === "live"`, waitTimeout)
	if !u.truth(liWith("message du troll")) {
		t.Fatal("the troll's message is not shown before the filter")
	}
	u.typeIn("#content", "texte en cours")
	u.str(`(window.sameDocument = "yes", "")`)
	board := u.sibling("board", 1200, 800)
	board.openBoard(s.URL + "/")
	board.typeIn("#content", "/bak add ua troll/1.0\r")
	u.waitFor("the troll's message gone", `!`+liWith("message du troll"), waitTimeout)
	if !u.truth(liWith("message sage")) {
		t.Error("the other messages went too")
	}
	if got := u.str(`window.sameDocument + "," + document.getElementById("content").value`); got != "yes,texte en cours" {
		t.Errorf("the page was reloaded, or the text lost: %q", got)
	}
	s.post("dev", "troll/1.0", "encore le troll")
	s.post("dev", "olcc/1.4", "toujours sage")
	u.waitFor("the live message", liWith("toujours sage"), waitTimeout)
	if u.truth(liWith("encore le troll")) {
		t.Error("a filtered message came live")
	}
}

// Without JavaScript, the multi view's form posts to the channel chosen in
// its selector, and the browser comes back to the view at the message.
func TestMultiPostWithoutJavaScript(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		for _, slug := range []string{"troie", "dev"} {
			if _, err := st.CreateChannel(ctx, slug, slug); err != nil {
				t.Fatal(err)
			}
		}
	})
	for i := range 60 {
		s.post("troie", "olcc/1.4", "remplissage "+itoa(int64(i)))
	}
	u := newTab(t, "multi no-js", 390, 800)
	u.disableJS()
	u.navigate(s.URL + "/multi/?c=troie:t,dev")
	if u.truth(`document.documentElement.classList.contains("js-board")`) {
		t.Fatal("multi.js ran in a tab without JavaScript")
	}
	u.str(`(document.getElementById("post-channel").value = "dev", "")`)
	u.typeIn("#content", "posté sur dev sans script\r")
	u.waitFor("the message after the redirect", liWith("posté sur dev sans script"), waitTimeout, `location.href`)
	if got := u.str(liWith("posté sur dev sans script") + `.dataset.channel`); got != "dev" {
		t.Errorf("the message went to %q, want dev", got)
	}
	if got := u.str(`location.pathname + location.search`); !strings.HasPrefix(got, "/multi/?c=troie%3At%2Cdev") {
		t.Errorf("after the post the browser is at %q", got)
	}
	if got := u.str(`document.getElementById("post-channel").value`); got != "dev" {
		t.Errorf("the selector shows %q after the post", got)
	}
	// Back at the message, not at the top of the page.
	if !u.truth(`(r => r.top >= 0 && r.bottom <= innerHeight)(` + liWith("posté sur dev sans script") + `.getBoundingClientRect())`) {
		t.Errorf("the new message is not in view (scrollY %s)", u.str(`String(scrollY)`))
	}
}
