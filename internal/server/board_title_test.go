package server

import (
	"context"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
)

// A channel's board is named by the channel's title, in its heading and
// its tab ("title — site"), and follows a renaming; the operator's random
// titles are only a tagline of the default channel.
func TestBoardShowsItsChannelTitle(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) {
		c.SiteName = "Le site"
		c.Titles = []string{"La mare aux canards"}
	})
	if _, err := tr.board.CreateChannel(context.Background(), "troie", "La guerre de Troie"); err != nil {
		t.Fatal(err)
	}
	c := tr.client("plop/1.0")
	body := c.get("/troie/").Body.String()
	for _, want := range []string{"<title>La guerre de Troie — Le site</title>", `<h1 id="board-title">La guerre de Troie</h1>`} {
		if !strings.Contains(body, want) {
			t.Errorf("/troie/ lacks %q", want)
		}
	}
	if strings.Contains(body, "La mare aux canards") {
		t.Error("/troie/ shows a random title")
	}
	if _, err := tr.board.RenameChannel(context.Background(), "troie", "Troie <b>2</b>"); err != nil {
		t.Fatal(err)
	}
	if body := c.get("/troie/").Body.String(); !strings.Contains(body, "<title>Troie &lt;b&gt;2&lt;/b&gt; — Le site</title>") {
		t.Errorf("after a renaming, /troie/ has %q", body[strings.Index(body, "<title>"):strings.Index(body, "</title>")])
	}
	body = c.get("/").Body.String()
	for _, want := range []string{"<title>Tribune — Le site</title>", `<p class="tagline">La mare aux canards</p>`} {
		if !strings.Contains(body, want) {
			t.Errorf("/ lacks %q", want)
		}
	}
	// No titles: no tagline, and the board still works.
	tr2 := sqliteTribune(t, func(c *config.Config) { c.Titles = nil })
	if w := tr2.client("plop/1.0").get("/"); w.Code != 200 || strings.Contains(w.Body.String(), "tagline") {
		t.Errorf("without titles: %d, tagline shown: %v", w.Code, strings.Contains(w.Body.String(), "tagline"))
	}
}
