package server

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// Every route, with every method, under the root and a channel, with
// hostile parameters, bodies and headers, as a browser and as a script:
// never a 5xx (the deliberate 503s aside), never a hang.
func TestHostileRequestsNeverFail(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.Captcha = true }, hostileRequests)
}

func hostileRequests(t *testing.T, tr *tribune) {
	if _, err := tr.st.CreateChannel(t.Context(), "troie", "Troie"); err != nil {
		t.Fatal(err)
	}
	tr.createUser(t, "modo", model.RoleModerator)
	tr.createUser(t, "chief", model.RoleAdmin)
	admin := "Basic " + base64.StdEncoding.EncodeToString([]byte("chief:chief-password"))
	chief := tr.client("chief")
	chief.login(t, "chief")
	adminSession := "sessionid=" + chief.cookies["sessionid"].Value
	tr.client("x").say("/", "12:00:00 a first message http://example.com/")
	adminToken, err := tr.board.CreateToken(t.Context(), nil, "chief", "hostile", model.ScopeModerate)
	if err != nil {
		t.Fatal(err)
	}

	var paths []string
	for _, rt := range tr.srv.siteRoutes() {
		paths = append(paths, concretePath(rt.path))
	}
	for _, rt := range tr.srv.channelRoutes() {
		for _, root := range []string{"/", "/troie/", "/nochannel/"} {
			paths = append(paths, root+concretePath(rt.path))
		}
	}
	paths = append(paths, "/clock/99:99:99/", "/clock/%00/", "/clock/"+strings.Repeat("1", 5000)+"/",
		"/clock/01%2F31%2312:00:00/", "/moderation/-1/accept", "/moderation/99999999999999999999/reject",
		"/captcha/..%2F..%2Fetc.png", "/static/..%2Fui.go", "/%00/", "/troie/%ff/")
	queries := []string{"", "?limit=-1&last_id=abc&direction=%00&table_width=-5",
		"?limit=99999999999999999999&last_id=99999999999999999999&table_width=99999999999",
		"?next=%0d%0aLocation:%20//evil&reload=1&id=%00", "?" + strings.Repeat("a=b&", 2000)}
	bodies := []string{"", "content=%00%ff%fe&last_id=-1&next=//evil&op=add&target=ua&kind=*%3D&pattern=%00",
		"content=" + strings.Repeat("%E9", 3000), "username=" + strings.Repeat("x", 10000) + "&password=%00",
		"%%%&&&==;;;content;=/bak%20add%20ua%20%00", "op=moderate&slug=troie&mode=auto&moderators=webhook:http://%00&title=%0b",
		"id=abc&reason=" + strings.Repeat("r", 5000), "content=/lastfm instant %00", "content=/name " + strings.Repeat("é", 300),
		"username=a%00b&role=moderator&op=rename&slug=tr%00oie&title=x", "username=%ff%fe&password=%00&slug=%ff&op=delete&confirm=yes",
		"content=x&token=trb_%00%ff" + strings.Repeat("A", 41) + "&name=%00&scope=%ff"}
	headers := [][]string{
		nil,
		{"Accept", "text/html"},
		{"Accept", "application/json", "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"},
		{"If-Modified-Since", "garbage", "Last-Event-ID", "-5", "Authorization", "Basic !!!"},
		{"Authorization", "Basic bW9kbzp3cm9uZw==", "Cookie", "sessionid=" + strings.Repeat("A", 43) + "; name=%%%"},
		{"Content-Type", "multipart/form-data", "Accept-Language", "xx;q=abc"},
		{"Content-Type", "multipart/form-data; boundary=zz", "X-Forwarded-For", "not an ip, ::ffff:1.2.3.4"},
		{"Authorization", admin, "Accept", "text/html"},
		{"Authorization", admin, "Cookie", "sessionid=%00"},
		{"Cookie", adminSession},
		{"Cookie", adminSession, "Accept", "text/html"},
		{"Authorization", "Bearer " + adminToken.Secret},
		{"Authorization", "Bearer trb_%00", "Cookie", "tribune_token=trb_" + strings.Repeat("\xff", 43), "Accept", "text/html"},
	}
	methods := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"}
	n := 0
	for _, path := range paths {
		for _, method := range methods {
			// Every body with every header set where a body is read; a
			// few bodies elsewhere.
			tries := len(headers)
			if method == "POST" || method == "PUT" {
				tries *= len(bodies)
			}
			for k := range tries {
				i, h := k%len(headers), headers[k%len(headers)]
				if slices.Contains(h, adminSession) && (strings.HasSuffix(path, "/logout") || strings.HasSuffix(path, "/password") ||
					strings.HasSuffix(path, "/revoke")) {
					continue // the admin's session and token must last the whole test
				}
				q := queries[n%len(queries)]
				body := bodies[n%len(bodies)]
				if tries > len(headers) {
					body = bodies[k/len(headers)]
				}
				n++
				// A client that hangs up after 200 ms (a cancellation, as a
				// closed connection is, not a deadline).
				ctx, cancel := context.WithCancel(context.Background())
				stop := time.AfterFunc(200*time.Millisecond, cancel)
				r := httptest.NewRequestWithContext(ctx, method, path+q, strings.NewReader(body))
				r.RemoteAddr = "192.0.2.9:1234"
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for j := 0; j+1 < len(h); j += 2 {
					r.Header.Set(h[j], h[j+1])
				}
				w := httptest.NewRecorder()
				done := make(chan struct{})
				go func() { defer close(done); tr.srv.ServeHTTP(w, r) }()
				select {
				case <-done:
				case <-time.After(5 * time.Second):
					t.Fatalf("%s %s%s (headers %d): no answer", method, path, q, i)
				}
				stop.Stop()
				cancel()
				if w.Code >= 500 && w.Code != http.StatusServiceUnavailable {
					t.Errorf("%s %.80s (headers %d, body %.40q): %d %.200s", method, path+q, i, body, w.Code, w.Body)
				}
			}
		}
	}
	t.Logf("%d requests", n)
}

// concretePath fills a route pattern's wildcards.
func concretePath(p string) string {
	return strings.NewReplacer("{$}", "", "{clock}", "12:00:00", "{id}", "1", "{file}", "x.png").Replace(p)
}
