package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/model"
)

// A classifier that is down shows on the moderation page, next to each
// message it let the fallback decide, in the moderator's language, and
// the list fits a phone; saved for people to look at.
func TestModerationOutageScreenshot(t *testing.T) {
	classifier := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(classifier.Close)
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "modo", model.RoleModerator)
		if _, err := st.CreateChannel(ctx, "troie", "Troie"); err != nil {
			t.Fatal(err)
		}
		url := strings.Replace(classifier.URL, "http://", "http://bot:s3cret@", 1) + "/classify"
		specs := []string{"webhook:" + url + "#le classifieur dit non", "links:2"}
		if err := st.SetModeration(ctx, "troie", "auto", specs, "pending"); err != nil {
			t.Fatal(err)
		}
	})
	s.post("troie", "coincoin/3.1 (X11; Linux x86_64)", "premier message en attente, que le classifieur n'a pas pu lire")
	s.post("troie", "olcc/1.4", "un lien https://fr.wikipedia.org/wiki/Tribune_(informatique) et un <b>gras</b>")
	dir := artifactsDir(t)
	for _, c := range []struct {
		name          string
		width, height int64
		lang          string
		words         []string
	}{
		{"desk", 1200, 800, "en", []string{"— error (answer status 503 Service Unavailable)", "links:2 — no opinion"}},
		{"phone", 390, 844, "fr", []string{"— erreur (answer status 503 Service Unavailable)", "links:2 — sans avis"}},
	} {
		u := newTab(t, "moderator "+c.name, c.width, c.height)
		if c.name == "phone" {
			u.do("phone viewport", chromedp.EmulateViewport(c.width, c.height, chromedp.EmulateMobile, chromedp.EmulateTouch))
		}
		u.acceptLanguage(c.lang)
		u.colorScheme("light")
		u.login(s.URL, "modo", "/moderation/")
		u.waitFor("two waiting messages", `document.querySelectorAll("table.queue tbody tr").length === 2`, waitTimeout)
		text := u.str(`[...document.querySelectorAll("table.queue ul.moderators")].map(ul => ul.textContent).join("\n")`)
		for _, w := range c.words {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the moderators' lists lack %q:\n%s", c.name, w, text)
			}
		}
		if strings.Contains(text, "s3cret") || !strings.Contains(text, "bot:xxxxx@") {
			t.Errorf("%s: the webhook's password is not masked:\n%s", c.name, text)
		}
		if n := u.str(`String(document.querySelectorAll("table.queue ul.moderators li.failed").length)`); n != "2" {
			t.Errorf("%s: %s failures marked, want 2", c.name, n)
		}
		if !u.truth(`document.documentElement.scrollWidth <= document.documentElement.clientWidth`) {
			t.Errorf("%s: the queue scrolls sideways: %s wide for %s", c.name, u.peek(`document.documentElement.scrollWidth`), u.peek(`document.documentElement.clientWidth`))
		}
		u.str(`document.fonts.ready.then(() => "")`)
		name := fmt.Sprintf("moderation-outage-%s-%dx%d.png", c.name, c.width, c.height)
		u.screenshot(filepath.Join(dir, name))
		t.Logf("saved %s", filepath.Join(dir, name))
	}
}
