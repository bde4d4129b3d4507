package e2e

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/model"
)

// postWithToken posts content as a coincoin sending token in its cookie
// string, and returns the status and the body.
func (s *server) postWithToken(token, content string) (int, string) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/post/", strings.NewReader("content="+content))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "quteqoin/0.9")
	req.Header.Set("Cookie", "tribune_token="+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// A user creates an access token on the profile page, which shows it
// once; a coincoin posts with it; the list shows its last use; revoked
// from the page, it is refused.
func TestAccessTokenOnTheProfile(t *testing.T) {
	s := newServer(t, func(ctx context.Context, st *tribune.Store) {
		createUser(t, ctx, st, "nono", model.RoleUser)
	})
	nono := newTab(t, "nono", 1200, 800)
	nono.login(s.URL, "nono", "/") // the profile has a #password field, which login waits to be gone
	nono.navigate(s.URL + "/profile")
	if nono.truth(`document.getElementById("token-scope")`) {
		t.Error("a user is offered the moderate scope")
	}
	nono.typeIn("#token-name", "quteqoin\r")
	nono.waitFor("the new token", `document.getElementById("fresh-token")`, waitTimeout,
		`location.href`, `document.querySelector(".alert")?.textContent`)
	token := nono.str(`document.getElementById("fresh-token").textContent`)
	if !strings.HasPrefix(token, "trb_") {
		t.Fatalf("the page shows %q", token)
	}
	if !nono.truth(`document.querySelector(".fresh-token").textContent.includes("tribune_token=` + token + `")`) {
		t.Error("the page does not say how to send the token")
	}
	nono.do("scroll to the new token", chromedp.ScrollIntoView(".fresh-token"))
	nono.screenshot(filepath.Join(artifactsDir(t), "profile-token.png"))
	if status, body := s.postWithToken(token, "posted+with+a+token"); status != http.StatusOK {
		t.Fatalf("the coincoin's post: %d %s", status, body)
	}

	nono.navigate(s.URL + "/profile")
	if nono.truth(`document.getElementById("fresh-token") || document.body.innerHTML.includes(` + js(token) + `)`) {
		t.Fatal("the profile shows the token again")
	}
	row := `document.querySelector("table.tokens tbody tr")`
	if got := nono.str(row + `.cells[0].textContent`); got != "quteqoin" {
		t.Errorf("the list names the token %q", got)
	}
	if got := nono.str(row + `.querySelector(".last-used").textContent`); got == "never" || got == "" {
		t.Errorf("the last use reads %q", got)
	}
	nono.click(`table.tokens form[action$="/revoke"] button`)
	nono.waitFor("the token gone from the list", `location.pathname === "/profile" && !document.querySelector("table.tokens")`, waitTimeout,
		`location.href`)
	if got := nono.str(`document.querySelector(".alert.notice")?.textContent`); !strings.Contains(got, "revoked") {
		t.Errorf("the notice reads %q", got)
	}
	if status, body := s.postWithToken(token, "after+the+revocation"); status != http.StatusUnauthorized {
		t.Fatalf("the revoked token's post: %d %s", status, body)
	}
}
