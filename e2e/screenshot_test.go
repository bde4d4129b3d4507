package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/model"
)

// Screenshots of a realistic conversation, in the light and the dark theme
// and on a phone, saved under artifactsDir for people to look at.
func TestScreenshots(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "nono", model.RoleUser)
	})
	const (
		coincoin = "coincoin/3.1 (X11; Linux x86_64)"
		olcc     = "olcc/1.4 (Firefox 140)"
		mobile   = "Mozilla/5.0 (Android 15) tribune-mobile"
	)
	plop := s.post("", coincoin, "plop les moules")
	hail := s.postAs("", "wmcoincoin/2.6", "nono", "moules< quelqu'un a vu le dernier <b>Kaamelott</b> ?")
	totoz := s.post("", olcc, s.ref(hail.ID)+" ouais, c'est <i>pas faux</i> [:totoz]")
	moment := s.post("", "wmcoincoin/2.6", "<m>Daft Punk - Around the World</m>")

	u := newTab(t, "screenshots", 1200, 800)
	u.colorScheme("light")
	u.openBoard(s.URL + "/")
	u.typeIn("#content", s.ref(totoz.ID)+" quelqu'un a un lien ?\r")
	owned := `document.querySelector("#messages li.message.owned[data-id]")`
	u.waitFor("the viewer's message", owned, waitTimeout, `document.getElementById("post-error").textContent`)
	var ownedID int64
	fmt.Sscan(u.str(owned+`.dataset.id`), &ownedID)
	s.post("", coincoin, s.ref(ownedID)+" https://fr.wikipedia.org/wiki/Moule tiens, et http://perdu.com aussi")
	s.postAs("", "", "nono", "<code>go test -race ./e2e/</code> passe chez moi, et "+s.ref(moment.ID)+" excellent choix")
	s.post("", mobile, s.ref(plop.ID)+" plop ! bon, je retourne au <s>boulot</s> café")

	dir := artifactsDir(t)
	shoot := func(name, theme string, width, height int64) {
		t.Helper()
		u.openBoard(s.URL + "/") // a fresh load: no arrival animation, scrolled to the end
		if got := u.str(`document.documentElement.dataset.theme`); got != theme {
			t.Errorf("%s: the page has data-theme %q after a reload, want %q (the saved preference)", name, got, theme)
		}
		u.str(`document.fonts.ready.then(() => "")`)
		u.mouseTo(1, 1)
		path := filepath.Join(dir, name)
		b := u.screenshot(path)
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if int64(cfg.Width) != width || int64(cfg.Height) != height {
			t.Errorf("%s is %d×%d, want %d×%d", name, cfg.Width, cfg.Height, width, height)
		}
		if lum := luminance(t, b); (theme == "dark") != (lum < 0.3) {
			t.Errorf("%s: mean luminance %.2f does not fit the %s theme", name, lum, theme)
		}
		t.Logf("saved %s", path)
	}

	u.waitFor("the whole conversation on the board", `document.querySelectorAll("#messages li.message[data-id]").length === 8`, waitTimeout,
		`document.querySelectorAll("#messages li.message[data-id]").length`)
	// The marks the conversation must show.
	marks := u.str(`[...document.querySelectorAll("#messages li.message")].map(l =>
		["owned", "answer", "hail"].filter(c => l.classList.contains(c)).join("+") || "-").join(" ")`)
	if want := "- hail - - owned answer - -"; marks != want {
		t.Errorf("marks of the messages: %q, want %q", marks, want)
	}
	for what, sel := range map[string]string{
		"a totoz": "a.smiley", "a link": "a.external", "a norloge": "span.pointer",
		"an authenticated identity": ".identity.authenticated",
	} {
		if !u.truth(`document.querySelector("#messages ` + sel + `")`) {
			t.Errorf("the conversation lacks %s (%s)", what, sel)
		}
	}
	if !u.truth(`document.getElementById("messages").textContent.includes("====> Moment Daft Punk - Around the World <====")`) {
		t.Error("the moment is not rendered as ====> Moment … <====")
	}

	setTheme(t, u, "light")
	shoot("board-light-1200x800.png", "light", 1200, 800)
	setTheme(t, u, "dark")
	shoot("board-dark-1200x800.png", "dark", 1200, 800)

	setTheme(t, u, "light")
	u.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	shoot("board-phone-light-390x844.png", "light", 390, 844)
	if !u.truth(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`) {
		t.Errorf("the phone page scrolls sideways: %s wide for %s", u.peek(`document.documentElement.scrollWidth`), u.peek(`document.documentElement.clientWidth`))
	}
}

// setTheme clicks #theme-toggle until the page has the theme, and waits
// until the preference is saved.
func setTheme(t *testing.T, u *tab, theme string) {
	t.Helper()
	for range 3 {
		if u.str(`document.documentElement.dataset.theme`) == theme {
			break
		}
		u.click("#theme-toggle")
	}
	if got := u.str(`document.documentElement.dataset.theme`); got != theme {
		t.Fatalf("#theme-toggle never gave the %s theme (now %q)", theme, got)
	}
	if got, want := u.str(`document.getElementById("theme-toggle").textContent`), "Theme: "+theme; got != want {
		t.Errorf("the theme button reads %q, want %q", got, want)
	}
	u.waitFor("the theme saved", `fetch("/prefs.json", {cache: "no-store"}).then(r => r.json()).then(p => p.theme === `+js(theme)+`)`, waitTimeout,
		`fetch("/prefs.json").then(r => r.text())`)
}

// luminance is the mean relative luminance (0–1) of a PNG.
func luminance(t *testing.T, b []byte) float64 {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	var n int
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y += 4 {
		for x := bounds.Min.X; x < bounds.Max.X; x += 4 {
			r, g, b, _ := img.At(x, y).RGBA()
			sum += (0.2126*float64(r) + 0.7152*float64(g) + 0.0722*float64(b)) / 0xffff
			n++
		}
	}
	return sum / float64(n)
}

// The moderation queue on a phone: cards, each with its message readable
// and its decision buttons whole; saved for people to look at.
func TestModerationScreenshot(t *testing.T) {
	s := moderatedServer(t)
	s.post("troie", "coincoin/3.1 (X11; Linux x86_64)", "premier message en attente, assez long pour passer à la ligne sur un téléphone")
	s.post("troie", "Mozilla/5.0 (Android 15; Mobile; rv:140.0) Gecko/20100101 Firefox/140.0", "un lien https://fr.wikipedia.org/wiki/Tribune_(informatique) et un <b>gras</b>")
	s.post("troie", "olcc/1.4", "court")
	s.post("troie", "Troll/1.0", "un message à refuser")
	dir := artifactsDir(t)
	desk := newTab(t, "moderator at a desk", 1200, 800)
	desk.colorScheme("light")
	desk.login(s.URL, "modo", "/moderation/")
	desk.str(`document.fonts.ready.then(() => "")`)
	desk.screenshot(filepath.Join(dir, "moderation-light-1200x800.png"))
	for _, theme := range []string{"light", "dark"} {
		u := newTab(t, "moderator "+theme, 390, 844)
		u.do("phone viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
		u.colorScheme(theme)
		u.login(s.URL, "modo", "/moderation/")
		if theme == "light" {
			// A decision, for the table of the latest ones, once the queue
			// is on the page.
			u.waitFor("four waiting messages", `document.querySelectorAll("table.queue tbody tr").length === 4`, waitTimeout)
			last := `document.querySelector("table.queue tbody tr:last-child")`
			u.str(last + `.querySelector("input[name=reason]").value = "hors sujet"`)
			u.str(last + `.querySelector("form.reject button").click()`)
			// Decided in place: the page lists it once reloaded.
			u.waitFor("the decided row gone", `document.querySelectorAll("table.queue tbody tr").length === 3`, waitTimeout)
			u.navigate(s.URL + "/moderation/")
			u.waitFor("the decision listed", `document.querySelector("table.recent tbody tr")`, waitTimeout)
		}
		u.waitFor("three waiting messages", `document.querySelectorAll("table.queue tbody tr").length === 3`, waitTimeout)
		if !u.truth(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`) {
			t.Errorf("%s: the queue scrolls sideways: %s wide for %s", theme, u.peek(`document.documentElement.scrollWidth`), u.peek(`document.documentElement.clientWidth`))
		}
		// Each card: the message at least 300 px wide, the buttons and
		// fields whole and inside the window (the selection box is small,
		// at least 24 px).
		bad := u.str(`[...document.querySelectorAll("table.queue tbody tr")].flatMap(tr => {
			const out = [];
			const c = tr.querySelector("td.content").getBoundingClientRect();
			if (c.width < 300) out.push(tr.id + " message " + Math.round(c.width) + "px wide");
			for (const b of tr.querySelectorAll("button, input:not([type=checkbox])")) {
				const r = b.getBoundingClientRect();
				if (r.width < 40 || r.left < 0 || r.right > innerWidth) out.push(tr.id + " " + (b.textContent || b.name) + " at " + Math.round(r.left) + "–" + Math.round(r.right));
				if (b.tagName === "BUTTON" && b.scrollWidth > b.clientWidth + 1) out.push(tr.id + " " + b.textContent + " cut");
			}
			return out;
		}).join("; ")`)
		if bad != "" {
			t.Errorf("%s: %s", theme, bad)
		}
		u.str(`document.fonts.ready.then(() => "")`)
		name := fmt.Sprintf("moderation-phone-%s-390x844.png", theme)
		u.screenshot(filepath.Join(dir, name))
		t.Logf("saved %s", filepath.Join(dir, name))
		if w := evalJS[float64](u, `document.querySelector("table.recent td.content").getBoundingClientRect().width`); w < 300 {
			t.Errorf("%s: the latest decisions' message is %.0f px wide", theme, w)
		}
		u.str(`document.querySelector("table.recent").scrollIntoView()`)
		name = fmt.Sprintf("moderation-phone-recent-%s-390x844.png", theme)
		u.screenshot(filepath.Join(dir, name))
		t.Logf("saved %s", filepath.Join(dir, name))
	}
}
