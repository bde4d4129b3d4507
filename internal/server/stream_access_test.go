package server

import (
	"encoding/base64"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

// ends waits for the stream to end and returns the names of the events it
// sent meanwhile.
func (c *sseClient) ends(within time.Duration) (events []string) {
	c.t.Helper()
	timeout := time.After(within)
	for {
		select {
		case e, ok := <-c.events:
			if !ok {
				return events
			}
			if !e.comment && e.name != "" {
				events = append(events, e.name+" "+e.data)
			}
		case <-timeout:
			c.t.Fatalf("the stream is still open after %v; it sent %q", within, events)
		}
	}
}

// basic is an Authorization header for HTTP Basic credentials.
func basic(name, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(name+":"+password))
}

// A live stream lasts as long as its access: on a locked tribune, the
// stream of a user who logs out ends, and delivers nothing posted after.
func TestStreamEndsAtLogOutOnALockedTribune(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.Locked = true }, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close)
		tr.createUser(t, "alice", model.RoleUser)
		tr.createUser(t, "bob", model.RoleUser)
		alice, bob := tr.client("Alice"), tr.client("Bob")
		alice.login(t, "alice")
		bob.login(t, "bob")
		if s := openStream(t, srv, "/remote/stream/", nil); s.status != 403 {
			t.Fatalf("an anonymous stream on a locked tribune: %d", s.status)
		}
		stream := openStream(t, srv, "/remote/stream/", alice.cookies)
		if stream.status != 200 {
			t.Fatalf("alice's stream: %d", stream.status)
		}
		bob.say("/", "before the log-out")
		if e := stream.next("message"); !strings.Contains(e.data, "before the log-out") {
			t.Fatalf("before the log-out: %+v", e)
		}
		cookies := alice.cookies
		if w := alice.post("/logout"); w.Code != 200 {
			t.Fatalf("log-out: %d %s", w.Code, w.Body)
		}
		bob.say("/", "after the log-out")
		if events := stream.ends(5 * time.Second); len(events) > 0 {
			t.Fatalf("after the log-out, the stream sent %q", events)
		}
		// The old cookie opens no stream either.
		if s := openStream(t, srv, "/remote/stream/", cookies); s.status != 403 {
			t.Fatalf("a stream with the ended session: %d", s.status)
		}
	})
}

// On an open tribune, the stream of a user who logs out goes on as an
// anonymous visitor's: the user's messages are no longer its own, and a
// moderator's stream no longer hears of the queue.
func TestStreamGoesOnAnonymousAfterLogOut(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close)
		tr.st.CreateChannel(t.Context(), "mod", "mod")
		tr.st.SetModeration(t.Context(), "mod", "manual", nil, "")
		tr.createUser(t, "alice", model.RoleModerator)
		alice := tr.client("Alice")
		alice.login(t, "alice")
		coincoin := tr.client("coincoin") // alice's client, with HTTP Basic
		coincoin.header.Set("Authorization", basic("alice", "alice-password"))
		stream := openStream(t, srv, "/remote/stream/", alice.cookies)
		if stream.status != 200 {
			t.Fatalf("alice's stream: %d", stream.status)
		}
		if e := stream.next("pending"); e.data != `{"pending":0}` {
			t.Fatalf("a moderator's stream starts with %+v", e)
		}
		coincoin.say("/", "hers while logged in")
		if e := stream.next("message"); !strings.Contains(e.data, `"owned":true`) {
			t.Fatalf("alice's message, logged in: %s", e.data)
		}
		tr.client("Author").post("/mod/post/", "content", "held")
		if e := stream.next("pending"); e.data != `{"pending":1}` {
			t.Fatalf("the queue, logged in: %+v", e)
		}

		if w := alice.post("/logout"); w.Code != 200 {
			t.Fatalf("log-out: %d %s", w.Code, w.Body)
		}
		tr.client("Author").post("/mod/post/", "content", "held too")
		coincoin.say("/", "hers, logged out")
		if e := stream.next("message"); !strings.Contains(e.data, "hers, logged out") || !strings.Contains(e.data, `"owned":false`) {
			t.Fatalf("alice's message, after the log-out: %s", e.data)
		}
	})
}

// A stream ends when its session ends elsewhere: a password change (which
// ends every session of the account), an account deleted from the command
// line. It notices at its next keep-alive.
func TestStreamEndsWithTheAccount(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.Locked = true; c.StreamKeepAlive = time.Second }, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close)
		tr.createUser(t, "alice", model.RoleUser)
		tr.createUser(t, "carol", model.RoleUser)
		laptop, phone := tr.client("Laptop"), tr.client("Phone")
		laptop.login(t, "alice")
		phone.login(t, "alice")
		stream := openStream(t, srv, "/remote/stream/", laptop.cookies)
		if stream.status != 200 {
			t.Fatalf("the laptop's stream: %d", stream.status)
		}
		w := phone.post("/profile/password", "current", "alice-password", "password", "a new secret", "password2", "a new secret")
		if w.Code != 200 {
			t.Fatalf("password change: %d %s", w.Code, w.Body)
		}
		if events := stream.ends(5 * time.Second); len(events) > 0 {
			t.Fatalf("after the password change, the stream sent %q", events)
		}

		carol := tr.client("Carol")
		carol.login(t, "carol")
		stream = openStream(t, srv, "/remote/stream/", carol.cookies)
		if stream.status != 200 {
			t.Fatalf("carol's stream: %d", stream.status)
		}
		if err := tr.board.DeleteUser(t.Context(), "carol"); err != nil {
			t.Fatal(err)
		}
		if events := stream.ends(5 * time.Second); len(events) > 0 {
			t.Fatalf("after the account's deletion, the stream sent %q", events)
		}
	})
}

// The streams of a deleted channel end.
func TestStreamEndsWithItsChannel(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		srv := httptest.NewServer(tr.srv)
		t.Cleanup(srv.Close)
		tr.createUser(t, "chief", model.RoleAdmin)
		chief := tr.client("Chief")
		chief.login(t, "chief")
		if w := chief.post("/admin/channels", "op", "create", "slug", "troie", "title", "Troie"); w.Code >= 400 {
			t.Fatalf("create: %d %s", w.Code, w.Body)
		}
		stream := openStream(t, srv, "/troie/remote/stream/", nil)
		other := openStream(t, srv, "/remote/stream/", nil)
		if stream.status != 200 || other.status != 200 {
			t.Fatalf("streams: %d, %d", stream.status, other.status)
		}
		if w := chief.post("/admin/channels", "op", "delete", "slug", "troie", "confirm", "yes"); w.Code >= 400 {
			t.Fatalf("delete: %d %s", w.Code, w.Body)
		}
		if events := stream.ends(5 * time.Second); len(events) > 0 {
			t.Fatalf("the deleted channel's stream sent %q", events)
		}
		// The default channel's stream goes on.
		tr.client("Someone").say("/", "still here")
		if e := other.next("message"); !strings.Contains(e.data, "still here") {
			t.Fatalf("the other stream: %+v", e)
		}
	})
}
