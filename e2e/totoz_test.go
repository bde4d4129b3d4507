package e2e

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
)

// totozServer serves a small picture for any name, counting requests.
func totozServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for x := range 40 {
		for y := range 30 {
			img.Set(x, y, color.RGBA{R: 200, G: uint8(4 * x), B: 60, A: 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "image/png")
		w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// Totoz: inline in the list on demand, a palette on "[:", images from the
// configured totoz server only (the page's CSP), none when it is empty.
func TestTotozInlineAndPalette(t *testing.T) {
	totoz, _ := totozServer(t)
	other, otherHits := totozServer(t)
	// The other server under another host name: a different origin.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	s := newServerWith(t, func(c *config.Config) { c.SmileysURL = totoz.URL + "/img/{name}" }, nil)
	s.post("", "olcc/1.4", "bonjour [:plop]")
	s.post("", "coincoin/3.1", "[:coin] et [:pika]")
	u := newTab(t, "totoz", 1200, 800)
	u.openBoard(s.URL + "/")
	if u.truth(`document.querySelector("img.totoz-inline")`) {
		t.Fatal("totoz are inline before the option is chosen")
	}
	u.click("#totoz-inline")
	u.waitFor("the totoz inline, loaded", `[...document.querySelectorAll("#messages img.totoz-inline")].filter(i => i.complete && i.naturalWidth === 40).length === 3`, waitTimeout,
		`document.querySelectorAll("#messages img.totoz-inline").length`)
	// The palette: "[:" opens it with the totoz of the board, "p" filters.
	u.typeIn("#content", "regarde [:")
	u.waitFor("the palette", `!document.getElementById("totoz-palette").hidden`, waitTimeout)
	if got := u.str(`[...document.querySelectorAll(".totoz-option")].map(o => o.dataset.name).sort().join(",")`); got != "coin,pika,plop" {
		t.Errorf("the palette offers %q", got)
	}
	u.typeIn("#content", "p")
	if got := u.str(`[...document.querySelectorAll(".totoz-option")].map(o => o.dataset.name).join(",")`); got != "pika,plop" && got != "plop,pika" {
		t.Errorf("after [:p the palette offers %q", got)
	}
	if dir := artifactsDir(t); dir != "" {
		u.screenshot(filepath.Join(dir, "totoz-palette.png"))
	}
	first := u.str(`document.querySelector(".totoz-option[aria-selected=true]").dataset.name`)
	if !u.truth(`document.activeElement === document.getElementById("content") && !document.getElementById("totoz-palette").hidden`) {
		t.Fatalf("the focus left the input (%s), or the palette closed", u.peek(`document.activeElement.outerHTML`))
	}
	u.key("Enter", "\r")
	if got := u.str(`document.getElementById("content").value`); got != "regarde [:"+first+"] " {
		t.Errorf("Enter in the palette gives %q", got)
	}
	if !u.truth(`document.getElementById("totoz-palette").hidden`) {
		t.Error("the palette stays open")
	}
	// An image from another host is refused by the page.
	if got := evalJS[string](u, `new Promise(ok => { const i = new Image(); i.onload = () => ok("load"); i.onerror = () => ok("error"); i.src = `+js(otherURL+"/img/x")+`; document.body.append(i) })`); got != "error" {
		t.Errorf("an image from another host: %s", got)
	}
	// The same picture from the totoz server loads.
	if got := evalJS[string](u, `new Promise(ok => { const i = new Image(); i.onload = () => ok("load"); i.onerror = () => ok("error"); i.src = `+js(totoz.URL+"/img/y")+`; document.body.append(i) })`); got != "load" {
		t.Errorf("an image from the totoz server: %s", got)
	}
	if otherHits.Load() != 0 {
		t.Error("the page loaded an image from a host that is not the totoz server")
	}
}

// With no totoz server, no image request leaves the site.
func TestTotozNoServer(t *testing.T) {
	s := newServerWith(t, func(c *config.Config) { c.SmileysURL = "" }, nil)
	s.post("", "olcc/1.4", "bonjour [:plop]")
	u := newTab(t, "no totoz server", 1200, 800)
	u.openBoard(s.URL + "/")
	if u.truth(`document.getElementById("totoz-inline")`) {
		t.Error("the inline option shows without a totoz server")
	}
	u.hover("the totoz", `document.querySelector("#messages a.smiley")`)
	if u.truth(`document.querySelector(".totoz-popup")`) {
		t.Error("a bubble opens without a totoz server")
	}
	u.typeIn("#content", "[:")
	u.waitFor("the palette, names only", `!document.getElementById("totoz-palette").hidden && !document.querySelector(".totoz-option img")`, waitTimeout)
	if got := u.str(`performance.getEntriesByType("resource").filter(e => !e.name.startsWith(location.origin)).map(e => e.name).join(" ")`); got != "" {
		t.Errorf("requests left the site: %s", got)
	}
}

// With a totoz server's search, the palette suggests what it finds, asked
// through the tribune: the page itself asks the totoz server for images
// only.
func TestTotozPaletteSearch(t *testing.T) {
	pics, _ := totozServer(t)
	var searches atomic.Int64
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/search.xml" {
			http.Redirect(w, r, pics.URL+r.URL.Path, http.StatusFound) // the pictures
			return
		}
		searches.Add(1)
		w.Header().Set("Content-Type", "application/xml")
		terms := r.URL.Query().Get("terms")
		w.Write([]byte(`<totozes><totoz><name>` + terms + `-found</name></totoz><totoz><name>` + terms +
			`zilla</name></totoz><totoz><name>&lt;img src=x onerror=alert(1)&gt;</name></totoz></totozes>`))
	}))
	t.Cleanup(remote.Close)
	s := newServerWith(t, func(c *config.Config) {
		c.SmileysURL = remote.URL + "/img/{name}"
		c.TotozSearchURL = "auto"
	}, nil)
	s.post("", "olcc/1.4", "bonjour [:plop]")
	u := newTab(t, "totoz search", 1200, 800)
	u.openBoard(s.URL + "/")
	// "[:" alone: the totoz of the board.
	u.typeIn("#content", "[:")
	u.waitFor("the palette", `!document.getElementById("totoz-palette").hidden`, waitTimeout)
	if got := u.str(`[...document.querySelectorAll(".totoz-option")].map(o => o.dataset.name).join(",")`); got != "plop" {
		t.Errorf("[: offers %q", got)
	}
	// A name typed: the server's search.
	u.typeIn("#content", "go")
	u.waitFor("the names found", `[...document.querySelectorAll(".totoz-option")].map(o => o.dataset.name).join(",") === "go-found,gozilla"`, waitTimeout,
		`[...document.querySelectorAll(".totoz-option")].map(o => o.dataset.name).join(",")`)
	if !strings.Contains(u.str(`document.getElementById("totoz-hint").textContent`), "totoz server") {
		t.Errorf("the hint says %q", u.str(`document.getElementById("totoz-hint").textContent`))
	}
	u.key("Enter", "\r")
	if got := u.str(`document.getElementById("content").value`); got != "[:go-found] " {
		t.Errorf("Enter gives %q", got)
	}
	if searches.Load() == 0 {
		t.Error("the totoz server's search was not asked")
	}
	// The page asked the tribune, never the totoz server, for the search.
	if got := u.str(`performance.getEntriesByType("resource").filter(e => e.name.startsWith(` + js(remote.URL) + `) && !e.name.includes("/img/")).map(e => e.name).join(" ")`); got != "" {
		t.Errorf("the page asked the totoz server: %s", got)
	}
	if !u.truth(`performance.getEntriesByType("resource").some(e => e.name.includes("/totoz/search?q=go"))`) {
		t.Error("the page did not ask the tribune's search")
	}
}
