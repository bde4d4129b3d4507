package server

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/version"
)

// expectRefused posts content and checks the 400 and its message, and that
// nothing was posted.
func expectRefused(t *testing.T, c *client, content, want string) {
	t.Helper()
	w := c.post("/post/", "content", content)
	if w.Code != http.StatusBadRequest || w.Body.String() != "* content: "+want || w.Header().Get("X-Post-Id") != "" {
		t.Fatalf("%q: %d %q, want 400 %q", content, w.Code, w.Body, want)
	}
}

// expectCommand posts a command and checks it answered normally without
// posting anything.
func expectCommand(t *testing.T, c *client, content string) *httptest.ResponseRecorder {
	t.Helper()
	w := c.post("/post/json/", "content", content)
	if w.Code != http.StatusOK || w.Header().Get("X-Post-Id") != "" {
		t.Fatalf("%q: %d %v %s", content, w.Code, w.Header(), w.Body)
	}
	return w
}

func TestNameCommand(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("Mozilla/5.0")
	for _, cmd := range []string{"/name James Bond", "/nick James Bond"} {
		w := expectCommand(t, c, cmd)
		var set *http.Cookie
		for _, ck := range w.Result().Cookies() {
			if ck.Name == "djangotribune_user-agent" {
				set = ck
			}
		}
		if set == nil || set.Value != "SmFtZXMgQm9uZA==" || set.MaxAge != 1209600 ||
			!strings.Contains(w.Header().Get("Set-Cookie"), `djangotribune_user-agent="SmFtZXMgQm9uZA=="`) {
			t.Fatalf("%s: cookie %+v / %v", cmd, set, w.Header()["Set-Cookie"])
		}
		id := c.say("/", "bonjour")
		rows := decodeJSON(t, c.get(fmt.Sprintf("/remote/json/?last_id=%d", id-1)))
		if rows[0].UserAgent != "James Bond" {
			t.Fatalf("identity after %s: %q", cmd, rows[0].UserAgent)
		}
	}
	// Nothing but commands was saved for the /name lines.
	if rows := decodeJSON(t, c.get("/remote/json/")); len(rows) != 2 {
		t.Fatalf("%d messages", len(rows))
	}
	// /name alone, or a name too short, removes it.
	for _, cmd := range []string{"/name", "/name ab"} {
		c.cookies["djangotribune_user-agent"] = &http.Cookie{Name: "djangotribune_user-agent", Value: "SmFtZXMgQm9uZA==", Quoted: true}
		w := expectCommand(t, c, cmd)
		if !strings.Contains(w.Header().Get("Set-Cookie"), "Max-Age=0") || c.cookies["djangotribune_user-agent"] != nil {
			t.Fatalf("%q: %v", cmd, w.Header()["Set-Cookie"])
		}
	}
	id := c.say("/", "back to my browser")
	if rows := decodeJSON(t, c.get(fmt.Sprintf("/remote/json/?last_id=%d", id-1))); rows[0].UserAgent != "Mozilla/5.0" {
		t.Fatalf("identity after removal: %q", rows[0].UserAgent)
	}
	// A name with markup characters is kept as typed and escaped by each
	// output; a broken cookie is ignored (djangotribune answered 500).
	expectCommand(t, c, "/name <Zorro> & co")
	id = c.say("/", "x")
	if b := c.get(fmt.Sprintf("/remote/xml/?last_id=%d", id-1)).Body.String(); !strings.Contains(b, "<info>&lt;Zorro&gt; &amp; co</info>") {
		t.Fatalf("escaped name: %s", b)
	}
	c.cookies["djangotribune_user-agent"] = &http.Cookie{Name: "djangotribune_user-agent", Value: "!!!not base64!!!"}
	if w := c.post("/post/", "content", "y"); w.Code != 200 {
		t.Fatalf("bad cookie: %d", w.Code)
	}
	// Case matters and a leading space is a message: both are posted.
	for _, msg := range []string{"/NAME x", " /name x", "/me dances", "/unknown x"} {
		if w := c.post("/post/", "content", msg); w.Code != 200 || w.Header().Get("X-Post-Id") == "" {
			t.Fatalf("%q was not posted: %d", msg, w.Code)
		}
	}
}

func TestBakCommand(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		troie, err := tr.st.CreateChannel(t.Context(), "troie", "Troie")
		if err != nil {
			t.Fatal(err)
		}
		// The fixture of djangotribune's tests, cut down: anonymous
		// Demokos, registered hector and cassandre.
		demokos := tr.client("Demokos")
		hector := tr.loggedIn(t, "hector")
		cassandre := tr.loggedIn(t, "cassandre")
		var all []int64
		for i, c := range []*client{hector, demokos, hector, demokos, cassandre, demokos, hector} {
			all = append(all, c.say("/troie/", fmt.Sprintf("message %d de la guerre", i+1)))
		}
		reader := tr.client("Reader")
		visible := func() []int64 { return ids(decodeJSON(t, reader.get("/troie/remote/json/"))) }
		without := func(drop ...int64) []int64 {
			return slices.DeleteFunc(slices.Clone(all), func(id int64) bool { return slices.Contains(drop, id) })
		}
		d := []int64{all[1], all[3], all[5]}
		steps := []struct {
			cmd  string
			want []int64
		}{
			{"/bak add ua Demokos", without(d...)},
			{"/bak off", all},
			{"/bak on", without(d...)},
			{"/bak del ua Demokos", all},
			{"/bak set ua |= demokos", without(d...)},
			{"/bak set ua *= demokos", without(d...)}, // case-sensitive: adds nothing more
			{"/bak remove ua |= demokos", all},
			{"/bak set ua *= Demo", without(d...)},
			{"/bak reset", all},
			{"/bak add author cassandre", without(all[4])},
			{"/bak set author ~= HECTOR", without(all[0], all[2], all[4], all[6])},
			{"/bak reset", all},
			{"/bak set message ^= message 5", without(all[4])},
			{"/bak set message $= 7 de la guerre", without(all[4], all[6])},
			{"/bak set message == message 1 de la guerre", without(all[0], all[4], all[6])},
			{"/bak reset", all},
			{"/bak set author *= e", without(all[0], all[2], all[4], all[6])}, // anonymous messages never match author rules
			{"/bak reset extra words ignored", all},
		}
		for _, s := range steps {
			expectCommand(t, reader, s.cmd)
			if got := visible(); !slices.Equal(got, s.want) {
				t.Fatalf("after %q: %v, want %v", s.cmd, got, s.want)
			}
		}
		// Filters apply to every list: XML, TSV, plain, post answers and
		// the clock finder; and Last-Modified follows the visible list.
		expectCommand(t, reader, "/bak add ua Demokos")
		if got := postIDs(decodeXML(t, reader.get("/troie/remote/xml/"))); len(got) != 4 || slices.Contains(got, all[5]) {
			t.Fatalf("xml: %v", got)
		}
		if got := tsvIDs(t, reader.get("/troie/remote/tsv/").Body.String()); len(got) != 4 {
			t.Fatalf("tsv: %v", got)
		}
		if strings.Contains(reader.get("/troie/remote/").Body.String(), "Demokos") {
			t.Fatal("plain shows Demokos")
		}
		w := reader.do("POST", "/troie/post/json/", "content=reading")
		if got := ids(decodeJSON(t, w)); slices.Contains(got, all[1]) || len(got) != 5 {
			t.Fatalf("post answer: %v", got)
		}
		clock := decodeJSON(t, reader.get("/troie/remote/json/?direction=desc&limit=1"))[0].Clock
		for _, r := range decodeJSON(t, reader.get("/troie/clock/"+clock[:5]+"/")) {
			if r.UserAgent == "Demokos" {
				t.Fatalf("clock finder shows Demokos")
			}
		}
		// Someone else is not filtered.
		if got := ids(decodeJSON(t, tr.client("Other").get("/troie/remote/json/"))); len(got) != 8 {
			t.Fatalf("another reader: %v", got)
		}
		// Bad arguments: 400, nothing changes.
		refusals := []struct{ cmd, want string }{
			{"/bak", "This action requires at least one argument."},
			{"/bak  on", "This action requires at least one argument."},
			{"/bak foo", "Unknown option 'foo' in your command action."},
			{"/bak add ua", "Option 'add' requires a target and a pattern."},
			{"/bak add ua ", "Option 'add' requires a target and a pattern."},
			{"/bak del x", "Option 'del' requires a target and a pattern."},
			{"/bak add badtarget p", "Target 'badtarget' is not valid (use ua, author or message)."},
			{"/bak set ua p", "Option 'set' requires a target, a kind and a pattern."},
			{"/bak remove ua *=", "Option 'remove' requires a target, a kind and a pattern."},
			{"/bak set ua ?? p", "Kind '??' is not valid (use *= |= == ~= ^= or $=)."},
			{"/bak set nobody *= p", "Target 'nobody' is not valid (use ua, author or message)."},
			{"/bak save", "Only registered users can save and load filters: log in first."},
			{"/bak load", "Only registered users can save and load filters: log in first."},
		}
		for _, r := range refusals {
			expectRefused(t, reader, r.cmd, r.want)
		}
		if got := visible(); len(got) != 5 {
			t.Fatalf("a refused command changed the filters: %v", got)
		}
		// French.
		fr := tr.client("Lecteur")
		fr.header.Set("Accept-Language", "fr")
		expectRefused(t, fr, "/bak foo", "Option «\u00a0foo\u00a0» inconnue dans votre commande.")

		// save and load for registered users: stored in the profile, and
		// back with the next log-in.
		expectCommand(t, cassandre, "/bak set ua |= DEMOKOS")
		expectCommand(t, cassandre, "/bak save")
		expectCommand(t, cassandre, "/bak reset")
		// 7 messages, and the reader's post.
		if got := ids(decodeJSON(t, cassandre.get("/troie/remote/json/"))); len(got) != 8 {
			t.Fatalf("after reset: %v", got)
		}
		expectCommand(t, cassandre, "/bak load")
		if got := ids(decodeJSON(t, cassandre.get("/troie/remote/json/"))); len(got) != 5 {
			t.Fatalf("after load: %v", got)
		}
		again := tr.client("Mozilla/5.0")
		again.login(t, "cassandre")
		if got := ids(decodeJSON(t, again.get("/troie/remote/json/"))); len(got) != 5 {
			t.Fatalf("saved filters not back after a new log-in: %v", got)
		}
		_ = troie
	})
}

func TestLastFMCommand(t *testing.T) {
	var mu sync.Mutex
	var current func(w http.ResponseWriter, r *http.Request)
	answer := func(h func(w http.ResponseWriter, r *http.Request)) { mu.Lock(); current = h; mu.Unlock() }
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := current
		mu.Unlock()
		h(w, r)
	}))
	defer fake.Close()
	tr := sqliteTribune(t, func(c *config.Config) {
		c.LastFMAPIURL, c.LastFMAPIKey = fake.URL, "k3y"
		c.LastFMTimeout = 300 * time.Millisecond
	})
	anon := tr.client("Mozilla/5.0")
	user := tr.loggedIn(t, "melomane")

	var asked []string // written by the handler, read after the requests
	playing := func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		asked = append(asked, r.Form.Get("user"))
		mu.Unlock()
		if r.Method != "POST" || r.Form.Get("method") != "user.getRecentTracks" || r.Form.Get("api_key") != "k3y" ||
			r.Form.Get("format") != "json" || r.Form.Get("limit") != "1" || r.Header.Get("User-Agent") != "tribune/"+version.String() {
			t.Errorf("LastFM request: %s %v %v", r.Method, r.Form, r.Header)
		}
		fmt.Fprint(w, `{"recenttracks":{"track":[{"artist":{"#text":"Daft Punk"},"name":"Around the World","@attr":{"nowplaying":"true"}},
			{"artist":{"#text":"Old"},"name":"Song","date":{"uts":"1"}}]}}`)
	}
	answer(playing)
	w := user.post("/post/json/", "content", "/lastfm instant")
	rows := decodeJSON(t, w)
	if w.Code != 200 || w.Header().Get("X-Post-Id") == "" || len(rows) != 1 ||
		rows[0].WebRender != "====&#62; <b>Moment Daft Punk - Around the World</b> &#60;====" {
		t.Fatalf("now playing: %d %s", w.Code, w.Body)
	}
	if w := anon.post("/post/", "content", "/lastfm instant someone"); w.Code != 200 || w.Header().Get("X-Post-Id") == "" {
		t.Fatalf("anonymous with a user name: %d %s", w.Code, w.Body)
	}
	mu.Lock()
	if !slices.Equal(asked, []string{"melomane", "someone"}) {
		t.Fatalf("asked for %v", asked)
	}
	mu.Unlock()
	// A single track as an object, as LastFM sends it.
	answer(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"recenttracks":{"track":{"artist":{"#text":"Air"},"name":"La femme d'argent","@attr":{"nowplaying":"true"}}}}`)
	})
	if w := user.post("/post/", "content", "/lastfm instant"); w.Code != 200 {
		t.Fatalf("single track: %d %s", w.Code, w.Body)
	}

	cases := []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
		client *client
		cmd    string
		want   string
	}{
		{"nothing playing", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"recenttracks":{"track":[{"artist":{"#text":"Old"},"name":"Song","date":{"uts":"1"}}]}}`)
		}, user, "/lastfm instant", "LastFM user melomane is not playing anything right now."},
		{"no track at all", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"recenttracks":{"track":[]}}`)
		}, user, "/lastfm instant", "LastFM user melomane is not playing anything right now."},
		{"API error", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"error":6,"message":"User not found"}`)
		}, user, "/lastfm instant nobody", "LastFM refused: User not found"},
		{"HTTP error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
		}, user, "/lastfm instant", "LastFM answered with HTTP error 503."},
		{"unreadable answer", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<html>`)
		}, user, "/lastfm instant", "LastFM sent an answer that could not be read."},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Second)
		}, user, "/lastfm instant", "LastFM did not answer in time."},
		{"timeout while reading the answer", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"recenttracks":{"track":[`)
			w.(http.Flusher).Flush()
			time.Sleep(time.Second)
		}, user, "/lastfm instant", "LastFM did not answer in time."},
		{"anonymous without a user name", playing, anon, "/lastfm instant", "Give a LastFM user name: /lastfm instant NAME."},
		{"no option", playing, user, "/lastfm", "This action requires at least one argument."},
		{"unknown option", playing, user, "/lastfm later", "Unknown option 'later' in your command action."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			answer(tc.answer)
			expectRefused(t, tc.client, tc.cmd, tc.want)
		})
	}
	fake.Close()
	t.Run("unreachable", func(t *testing.T) { expectRefused(t, user, "/lastfm instant", "LastFM could not be reached.") })

	// Without a key, the command says it is not configured.
	bare := sqliteTribune(t, nil)
	expectRefused(t, bare.client("x"), "/lastfm instant someone", "The LastFM command is not configured on this tribune.")
}

// TestNameLength: /name counts characters, not bytes.
func TestNameLength(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tests := []struct {
		cmd  string
		name string // "" when the name is removed
	}{
		{"/name éé", ""},     // 2 characters, 4 bytes
		{"/name ééx", "ééx"}, // 3 characters
		{"/name 日本", ""},     // 2 characters, 6 bytes
		{"/name 日本語", "日本語"},
		{"/name ab", ""},
		{"/name abc", "abc"},
		{"/nick  é  ", ""}, // trimmed first
	}
	for _, tc := range tests {
		t.Run(tc.cmd, func(t *testing.T) {
			c := tr.client("Mozilla/5.0")
			c.cookies["djangotribune_user-agent"] = &http.Cookie{Name: "djangotribune_user-agent", Value: "T2xkIG5hbWU=", Quoted: true} // "Old name"
			w := expectCommand(t, c, tc.cmd)
			want := tc.name
			if want == "" {
				want = "Mozilla/5.0"
				if !strings.Contains(w.Header().Get("Set-Cookie"), "Max-Age=0") {
					t.Errorf("not removed: %v", w.Header()["Set-Cookie"])
				}
			}
			id := c.say("/", "x")
			if rows := decodeJSON(t, c.get(fmt.Sprintf("/remote/json/?last_id=%d", id-1))); rows[0].UserAgent != want {
				t.Errorf("identity %q, want %q", rows[0].UserAgent, want)
			}
		})
	}
}

// TestNameCookieName: TRIBUNE_MESSAGES_UA_COOKIE_NAME names the cookie.
func TestNameCookieName(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.UACookieName = "tribune_name" })
	c := tr.client("Mozilla/5.0")
	w := expectCommand(t, c, "/name James Bond")
	if got := w.Header().Get("Set-Cookie"); !strings.HasPrefix(got, `tribune_name="SmFtZXMgQm9uZA=="`) {
		t.Fatalf("Set-Cookie %q", got)
	}
	id := c.say("/", "x")
	if rows := decodeJSON(t, c.get(fmt.Sprintf("/remote/json/?last_id=%d", id-1))); rows[0].UserAgent != "James Bond" {
		t.Fatalf("identity %q", rows[0].UserAgent)
	}
	// The original's cookie name means nothing here.
	other := tr.client("Mozilla/5.0")
	other.cookies["djangotribune_user-agent"] = &http.Cookie{Name: "djangotribune_user-agent", Value: "SmFtZXMgQm9uZA==", Quoted: true}
	id = other.say("/", "y")
	if rows := decodeJSON(t, other.get(fmt.Sprintf("/remote/json/?last_id=%d", id-1))); rows[0].UserAgent != "Mozilla/5.0" {
		t.Fatalf("identity from the default cookie: %q", rows[0].UserAgent)
	}
	if w := expectCommand(t, c, "/name"); !strings.HasPrefix(w.Header().Get("Set-Cookie"), "tribune_name=;") {
		t.Fatalf("removal: %v", w.Header()["Set-Cookie"])
	}
}

// TestCommandsSpareThePostBudget: commands post nothing, so the post rate
// limit does not count them, except /lastfm, which posts; they have a
// budget of their own, as large.
func TestCommandsSpareThePostBudget(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.PostRateLimit = config.Rate{N: 3, Period: time.Minute} })
	c := tr.client("x")
	for i := range 3 {
		c.say("/", fmt.Sprint(i))
	}
	for _, cmd := range []string{"/bak on", "/bak add ua y"} {
		expectCommand(t, c, cmd)
	}
	expectRefused(t, c, "/bak foo", "Unknown option 'foo' in your command action.")
	if w := c.post("/post/", "content", "/name Nono"); w.Code != http.StatusTooManyRequests ||
		w.Body.String() != "Too many commands: try again in 20 seconds" {
		t.Errorf("fourth command: %d %q", w.Code, w.Body)
	}
	for _, cmd := range []string{"/lastfm instant someone", "a message"} {
		w := c.post("/post/", "content", cmd)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "20" ||
			w.Body.String() != "Too many posts: try again in 20 seconds" {
			t.Errorf("%q over the limit: %d %v %q", cmd, w.Code, w.Header(), w.Body)
		}
	}
	// /lastfm spends a post even when it fails.
	fresh := sqliteTribune(t, func(c *config.Config) { c.PostRateLimit = config.Rate{N: 2, Period: time.Minute} })
	f := fresh.client("x")
	f.say("/", "one")
	expectRefused(t, f, "/lastfm instant someone", "The LastFM command is not configured on this tribune.")
	if w := f.post("/post/", "content", "three"); w.Code != http.StatusTooManyRequests {
		t.Errorf("after a post and a /lastfm: %d", w.Code)
	}
}

// TestPostRateLimitMessage: the 429 says posts, in the singular for one
// second, in both languages.
func TestPostRateLimitMessage(t *testing.T) {
	tests := []struct {
		rate config.Rate
		lang string
		want string
	}{
		{config.Rate{N: 1, Period: time.Second}, "en", "Too many posts: try again in 1 second"},
		{config.Rate{N: 1, Period: time.Second}, "fr", "Trop de messages\u00a0: réessayez dans 1 seconde"},
		{config.Rate{N: 1, Period: 2 * time.Second}, "en", "Too many posts: try again in 2 seconds"},
		{config.Rate{N: 1, Period: 2 * time.Second}, "fr", "Trop de messages\u00a0: réessayez dans 2 secondes"},
	}
	for _, tc := range tests {
		t.Run(tc.lang+" "+tc.want, func(t *testing.T) {
			tr := sqliteTribune(t, func(c *config.Config) { c.PostRateLimit = tc.rate })
			c := tr.client("x")
			c.header.Set("Accept-Language", tc.lang)
			c.say("/", "first")
			if w := c.post("/post/", "content", "second"); w.Code != http.StatusTooManyRequests || w.Body.String() != tc.want {
				t.Errorf("%d %q, want %q", w.Code, w.Body, tc.want)
			}
		})
	}
}

// Commands run as the poster: a script posting with HTTP Basic credentials
// saves its filters to its account, whatever session cookie it carries.
func TestCommandsRunAsTheBasicAccount(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		bob := tr.createUser(t, "bob", model.RoleUser)
		tr.createUser(t, "alice", model.RoleUser)
		c := tr.client("script")
		c.login(t, "alice") // a session of alice's, sent along
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:bob-password"))
		for _, cmd := range []string{"/bak set ua *= foo", "/bak save"} {
			if w := c.do("POST", "/post/", "content="+url.QueryEscape(cmd), "Authorization", basic); w.Code != http.StatusOK {
				t.Fatalf("%s: %d %s", cmd, w.Code, w.Body)
			}
		}
		fs, err := tr.st.Filters(t.Context(), bob.ID)
		if err != nil || len(fs) != 1 || fs[0].Value != "foo" {
			t.Fatalf("bob's filters: %+v %v", fs, err)
		}
	})
}
