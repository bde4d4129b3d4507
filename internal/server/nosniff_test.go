package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// Every GET route of the table, and every remote post route, answers
// X-Content-Type-Options: nosniff, so that no browser reads a backend's
// answer, or a message in it, as something else than its type (HTML, a
// script). The GET routes are asked over real HTTP (the live stream
// too) as an admin, so that each answers its success.
func TestEveryRouteSaysNosniff(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Captcha = true })
	srv := httptest.NewServer(tr.srv)
	t.Cleanup(srv.Close)
	tr.createUser(t, "chief", model.RoleAdmin)
	chief := tr.client("Chief")
	chief.login(t, "chief")
	if w := chief.post("/admin/channels", "op", "create", "slug", "troie", "title", "Troie"); w.Code >= 400 {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	tr.clock.set(t, "2013-03-10 15:30:12")
	here := chief.say("/", "<b>hello</b>")
	there := chief.say("/troie/", "<b>hello</b>")
	fill := strings.NewReplacer("{$}", "", "{clock}", "15:30:12", "{day}", "2013-03-10",
		"{file}", "placeholder") // by route below
	withID := func(p string, id int64) string { return strings.ReplaceAll(p, "{id}", strconv.FormatInt(id, 10)) }
	var paths []string
	for _, rt := range tr.srv.siteRoutes() {
		if rt.method != "GET" {
			continue
		}
		p := fill.Replace(rt.path)
		switch {
		case strings.HasPrefix(rt.path, "/static/"):
			p = tr.srv.pages.Static.Path("board.js")
		case strings.HasPrefix(rt.path, "/captcha/"):
			p = "/captcha/" + tr.board.NewCaptchaID() + ".png"
		case strings.HasPrefix(rt.path, "/all/search/json/"):
			p += "?q=hello" // an empty search is a 400
		case rt.path == "/totoz/search":
			p += "?q=plop" // so is this one's (no totoz server here: an empty list)
		}
		paths = append(paths, p)
	}
	for _, rt := range tr.srv.channelRoutes() {
		if rt.method == "GET" {
			p := fill.Replace(rt.path)
			if strings.HasPrefix(p, "search/json/") {
				p += "?q=hello" // an empty search is a 400
			}
			paths = append(paths, "/"+withID(p, here), "/troie/"+withID(p, there))
		}
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, p := range paths {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+p, nil)
		for _, c := range chief.cookies {
			req.AddCookie(c)
		}
		resp, err := client.Do(req)
		if err != nil {
			cancel()
			t.Fatalf("%s: %v", p, err)
		}
		cancel() // a live stream's headers are all the test needs
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d, want a success", p, resp.StatusCode)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s (%s): X-Content-Type-Options %q", p, resp.Header.Get("Content-Type"), got)
		}
	}
	// The post routes' answers, in every format.
	for _, rt := range tr.srv.channelRoutes() {
		if rt.method != "POST" || rt.kind != kindPost {
			continue
		}
		w := chief.post("/"+fill.Replace(rt.path), "content", "posted to "+rt.path)
		if w.Code != 200 || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("POST %s: %d, X-Content-Type-Options %q", rt.path, w.Code, w.Header().Get("X-Content-Type-Options"))
		}
	}
	if len(paths) < 20 {
		t.Fatalf("only %d routes asked: %q", len(paths), paths)
	}
}
