package server

import (
	"encoding/base64"
	"net/http"
	"testing"
)

// Name lengths count characters, not bytes: "éé" (four bytes) is too short
// for the default minimum of 3, as a two-letter user agent is.
func TestIdentityLengthsInCharacters(t *testing.T) {
	tr := sqliteTribune(t, nil)
	latest := func(c *client) string {
		rows := decodeJSON(t, c.get("/remote/json/?direction=desc&limit=1"))
		return rows[0].UserAgent
	}
	c := tr.client("Mozilla/5.0")
	if w := c.post("/post/", "content", "/name éé"); w.Code != 200 || c.cookies[tr.cfg.UACookieName] != nil {
		t.Fatalf("/name éé: %d, cookie %v", w.Code, c.cookies[tr.cfg.UACookieName])
	}
	c.say("/", "x")
	if got := latest(c); got != "Mozilla/5.0" {
		t.Errorf("after /name éé: %q", got)
	}
	c.post("/post/", "content", "/name ééé")
	c.say("/", "x")
	if got := latest(c); got != "ééé" {
		t.Errorf("after /name ééé: %q", got)
	}
	// A name cookie set by hand is held to the same rule.
	h := tr.client("Mozilla/5.0")
	h.cookies[tr.cfg.UACookieName] = &http.Cookie{Name: tr.cfg.UACookieName, Value: base64.StdEncoding.EncodeToString([]byte("éé"))}
	h.say("/", "x")
	if got := latest(h); got != "Mozilla/5.0" {
		t.Errorf("name cookie éé: %q", got)
	}
	if got := tr.client("éé").say("/", "x"); got == 0 {
		t.Fatal("no post")
	}
	if got := latest(c); got != "coward" {
		t.Errorf("user agent éé: %q", got)
	}
}
