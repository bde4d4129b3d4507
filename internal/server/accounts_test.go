package server

import (
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// loggedIn makes an account and a client logged in to it.
func (tr *tribune) loggedIn(t *testing.T, name string) *client {
	t.Helper()
	tr.createUser(t, name, model.RoleUser)
	c := tr.client("Mozilla/5.0 " + name)
	c.login(t, name)
	return c
}

func (tr *tribune) createUser(t *testing.T, name string, role model.Role) model.User {
	t.Helper()
	hash, err := auth.Hash(name+"-password", auth.Params{MemoryKiB: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	u, err := tr.st.CreateUser(t.Context(), name, hash, role)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// login logs the client in through POST login, as a remote client does.
func (c *client) login(t *testing.T, name string) {
	t.Helper()
	w := c.post("/login", "username", name, "password", name+"-password")
	if w.Code != 200 && w.Code != 303 || c.cookies["sessionid"] == nil {
		t.Fatalf("log-in of %s: %d %s", name, w.Code, w.Body)
	}
}

func TestAccounts(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		c := tr.client("Mozilla/5.0")
		// Sign up over a plain form post: the answer logs the client in.
		w := c.post("/signup", "username", "Superman", "password", "kryptonite", "password2", "kryptonite")
		if w.Code != 200 || c.cookies["sessionid"] == nil {
			t.Fatalf("sign-up: %d %s", w.Code, w.Body)
		}
		id := c.say("/", "Preum's")
		rows := decodeJSON(t, c.get("/remote/json/"))
		if rows[0].Login == nil || *rows[0].Login != "Superman" || !rows[0].Owned {
			t.Fatalf("registered author: %+v", rows[0])
		}
		b := decodeXML(t, c.get("/remote/xml/"))
		if b.Posts[0].Login != "Superman" {
			t.Fatalf("XML login: %+v", b.Posts[0])
		}
		if tsv := c.get("/remote/tsv/").Body.String(); !strings.Contains(tsv, "\tSuperman\t") {
			t.Fatalf("TSV login: %q", tsv)
		}
		if plain := c.get("/remote/").Body.String(); !strings.Contains(plain, "<Superman>") {
			t.Fatalf("plain login: %q", plain)
		}
		// Owned follows the account, from another session too.
		other := tr.client("Another browser")
		if w := other.post("/login", "username", "superman", "password", "kryptonite"); w.Code != 200 { // names are case-insensitive
			t.Fatalf("log-in: %d %s", w.Code, w.Body)
		}
		if rows := decodeJSON(t, other.get("/remote/json/")); !rows[0].Owned {
			t.Fatalf("owned from another session of the author: %+v", rows[0])
		}
		// Log out: the session ends.
		if w := c.post("/logout"); w.Code != 200 {
			t.Fatalf("logout: %d", w.Code)
		}
		if rows := decodeJSON(t, c.get("/remote/json/")); rows[0].Owned {
			t.Fatal("still owned after log-out")
		}
		// Sessions live in the database: a new server on the same store
		// knows the other session.
		again := &tribune{t: t, cfg: tr.cfg, st: tr.st, log: tr.log}
		again.board, again.srv = again.newServer()
		other.tr = again
		if rows := decodeJSON(t, other.get("/remote/json/")); !rows[0].Owned {
			t.Fatal("the session did not survive a new server")
		}
		other.tr = tr

		refused := []struct {
			fields []string
			status int
			body   string
		}{
			{[]string{"username", "superman", "password", "whatever1"}, 409, "The name superman is already taken."},
			{[]string{"username", "x", "password", "longenough"}, 400, "A user name has 2 to 30 characters: letters, digits, and - _ . after the first one."},
			{[]string{"username", "has space", "password", "longenough"}, 400, "A user name has 2 to 30 characters: letters, digits, and - _ . after the first one."},
			{[]string{"username", "lois", "password", "short"}, 400, "A password has 8 to 200 characters."},
			{[]string{"username", "lois", "password", "longenough", "password2", "different"}, 400, "The two passwords differ."},
		}
		for _, r := range refused {
			w := tr.client("x").post("/signup", r.fields...)
			if w.Code != r.status || w.Body.String() != r.body {
				t.Errorf("sign-up %v: %d %q", r.fields, w.Code, w.Body)
			}
		}
		if w := tr.client("x").post("/login", "username", "superman", "password", "wrong"); w.Code != 401 ||
			w.Body.String() != "Invalid user name or password" {
			t.Errorf("wrong password: %d %q", w.Code, w.Body)
		}
		if w := tr.client("x").post("/login", "username", "nobody", "password", "wrong"); w.Code != 401 {
			t.Errorf("unknown user: %d", w.Code)
		}
		_ = id
	})
}

func TestSignupClosed(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Signup = false })
	if w := tr.client("x").post("/signup", "username", "lois", "password", "longenough"); w.Code != 403 {
		t.Fatalf("closed sign-up: %d", w.Code)
	}
	if w := tr.client("x").get("/signup"); w.Code != 404 {
		t.Fatalf("closed sign-up page: %d", w.Code)
	}
}

func TestLoginRateLimit(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.LoginRateLimit = config.Rate{N: 3, Period: time.Hour} })
	tr.createUser(t, "lois", model.RoleUser)
	c := tr.client("x")
	for range 3 {
		if w := c.post("/login", "username", "lois", "password", "wrong"); w.Code != 401 {
			t.Fatalf("failure: %d", w.Code)
		}
	}
	// Now even the right password waits, and says for how long.
	w := c.post("/login", "username", "lois", "password", "lois-password")
	if w.Code != 429 || w.Header().Get("Retry-After") == "" {
		t.Fatalf("after 3 failures: %d %v", w.Code, w.Header())
	}
	// Another address is not kept out by this one's failures (the
	// account-wide guard, TestAccountGuard, allows many more).
	r := httptest.NewRequest("POST", "/login", strings.NewReader("username=lois&password=lois-password"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = "198.51.100.7:1"
	rec := httptest.NewRecorder()
	tr.srv.ServeHTTP(rec, r)
	if rec.Code != 200 {
		t.Fatalf("other address, same account: %d", rec.Code)
	}
}

func TestBasicAuthOnPostRoutes(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.createUser(t, "bot", model.RoleUser)
	c := tr.client("script/1.0")
	good := "Basic " + base64.StdEncoding.EncodeToString([]byte("bot:bot-password"))
	w := c.do("POST", "/post/json/", "content=beep", "Authorization", good)
	rows := decodeJSON(t, w)
	if w.Code != 200 || rows[0].Login == nil || *rows[0].Login != "bot" {
		t.Fatalf("basic auth post: %d %s", w.Code, w.Body)
	}
	bad := "Basic " + base64.StdEncoding.EncodeToString([]byte("bot:nope"))
	w = c.do("POST", "/post/", "content=beep", "Authorization", bad)
	if w.Code != 401 || !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("bad basic auth: %d %v", w.Code, w.Header())
	}
}

func TestRemoteAnonymousPostSetting(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.RemoteAnonymousPost = false })
	tr.createUser(t, "member", model.RoleUser)
	if w := tr.client("x").post("/post/", "content", "anonymous"); w.Code != 403 ||
		!strings.HasPrefix(w.Body.String(), "Anonymous posting is closed") {
		t.Fatalf("anonymous remote post: %d %q", w.Code, w.Body)
	}
	c := tr.client("x")
	c.login(t, "member")
	if w := c.post("/post/", "content", "registered"); w.Code != 200 {
		t.Fatalf("registered remote post: %d", w.Code)
	}
	if d := c.get("/discovery.config").Body.String(); !strings.Contains(d, `anonymous="false"`) || !strings.Contains(d, `public="true"`) {
		t.Fatalf("discovery: %s", d)
	}
}

func TestPostRateLimit(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.PostRateLimit = config.Rate{N: 3, Period: time.Minute} })
	c := tr.client("x")
	for i := range 3 {
		if w := c.post("/post/", "content", fmt.Sprint(i)); w.Code != 200 {
			t.Fatalf("post %d: %d", i, w.Code)
		}
	}
	w := c.post("/post/", "content", "one too many")
	if w.Code != 429 || w.Header().Get("Retry-After") == "" || !strings.HasPrefix(w.Body.String(), "Too many") {
		t.Fatalf("over the limit: %d %v %q", w.Code, w.Header(), w.Body)
	}
	// Registered users are counted by account, not by address.
	tr.createUser(t, "member", model.RoleUser)
	m := tr.client("x")
	m.login(t, "member")
	if w := m.post("/post/", "content", "from the same address"); w.Code != 200 {
		t.Fatalf("registered user behind the same address: %d", w.Code)
	}
	// 0 turns the limit off.
	free := sqliteTribune(t, func(c *config.Config) { c.PostRateLimit = config.Rate{} })
	fc := free.client("x")
	for i := range 30 {
		if w := fc.post("/post/", "content", fmt.Sprint(i)); w.Code != 200 {
			t.Fatalf("unlimited post %d: %d", i, w.Code)
		}
	}
}
