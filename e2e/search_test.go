package e2e

import (
	"net/url"
	"path/filepath"
	"testing"
)

// A search typed in the board's search box leads to the results page,
// where the matches are marked, whatever their accents and case.
func TestSearchFromTheBoard(t *testing.T) {
	s := newServer(t, nil)
	s.post("", "Firefox", "L'<b>élève</b> a rendu son devoir")
	s.post("", "Firefox", "rien à voir")
	s.post("", "olcc", "ELEVE moyen")
	u := newTab(t, "searcher", 1200, 800)
	u.openBoard(s.URL + "/")
	if !u.truth(`!!document.querySelector(".board-head form.board-search input[name=q]")`) {
		t.Fatalf("no search box in the board's head: %s", u.peek(`document.querySelector(".board-head").outerHTML`))
	}
	u.typeIn(".board-search input[name=q]", "eleve\r")
	u.waitFor("the results page", `location.pathname === "/search/" && !!document.getElementById("results")`, waitTimeout,
		`location.href`, `document.querySelector("main")?.innerText`)
	if n := u.str(`document.querySelectorAll("#results li.message").length`); n != "2" {
		t.Errorf("%s results, want 2: %s", n, u.peek(`document.getElementById("results").innerText`))
	}
	marks := u.str(`[...document.querySelectorAll("#results mark")].map(m => m.textContent).join(",")`)
	if marks != "ELEVE,élève" {
		t.Errorf("marked words: %q, want ELEVE,élève (newest first)", marks)
	}
	if !u.truth(`!!document.querySelector("#results b > mark")`) {
		t.Errorf("the bold markup around the match is lost: %s", u.peek(`document.getElementById("results").innerHTML`))
	}
	if got := u.str(`document.getElementById("search-q").value`); got != "eleve" {
		t.Errorf("the search box of the results page holds %q", got)
	}
	png := u.screenshot(filepath.Join(artifactsDir(t), "search-results.png"))
	if len(png) == 0 {
		t.Error("empty screenshot")
	}
	// A hostile query: a sane page, no markup made of it.
	u.navigate(s.URL + `/search/?q=` + url.QueryEscape(`élève <img/src=x/onerror=alert(1)> <"'></b>`))
	if u.truth(`!!document.querySelector("main img")`) {
		t.Error("the query made markup")
	}
	if n := u.str(`document.querySelectorAll("#results li.message").length`); n != "0" {
		t.Errorf("%s results for a query with img, src, x, onerror, alert and 1 in it, want 0", n)
	}
}
