package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/outbound"
	"github.com/tribune-go/tribune/internal/version"
)

func TestParse(t *testing.T) {
	tests := []struct {
		text string
		name string
		args []string
		ok   bool
	}{
		{"/name James Bond", "name", []string{"James", "Bond"}, true},
		{"/nick", "nick", []string{}, true},
		{"/bak  on", "bak", []string{"", "on"}, true}, // single-space split, as djangotribune
		{"/lastfm instant ", "lastfm", []string{"instant", ""}, true},
		{"/NAME x", "", nil, false},    // case-sensitive
		{" /name x", "", nil, false},   // must start with the slash
		{"/me dances", "", nil, false}, // unknown: a message
		{"/", "", nil, false},
		{"name x", "", nil, false},
		{"/bakery", "", nil, false},
	}
	for _, tc := range tests {
		name, args, ok := Parse(tc.text)
		if name != tc.name || ok != tc.ok || !slices.Equal(args, tc.args) {
			t.Errorf("Parse(%q) = %q %q %v, want %q %q %v", tc.text, name, args, ok, tc.name, tc.args, tc.ok)
		}
		if IsCommand(tc.text) != tc.ok {
			t.Errorf("IsCommand(%q) = %v", tc.text, !tc.ok)
		}
	}
}

// TestTable pins who may run each command, what it needs, and whether it
// posts (and so counts against the post rate limit).
func TestTable(t *testing.T) {
	tests := []struct {
		name       string
		minArgs    int
		registered bool
		posts      bool
	}{
		{"name", 0, false, false},
		{"nick", 0, false, false},
		{"bak", 1, false, false},
		{"lastfm", 1, false, true},
	}
	if len(table) != len(tests) {
		t.Errorf("%d commands, want %d", len(table), len(tests))
	}
	for _, tc := range tests {
		c, ok := table[tc.name]
		if !ok || c.minArgs != tc.minArgs || c.registered != tc.registered || c.posts != tc.posts || c.run == nil {
			t.Errorf("%s: %+v, want minArgs %d registered %v posts %v", tc.name, c, tc.minArgs, tc.registered, tc.posts)
		}
		if Posts("/"+tc.name+" x") != tc.posts {
			t.Errorf("Posts(/%s) = %v", tc.name, !tc.posts)
		}
	}
	if Posts("/me listens") || Posts("lastfm instant") {
		t.Error("Posts of a message")
	}
}

// TestRunChecksArgumentsAndRights runs a command added to the table for the
// test: Run checks its arguments and rights before calling it.
func TestRunChecksArgumentsAndRights(t *testing.T) {
	var ran [][]string
	table["members"] = command{minArgs: 2, registered: true, run: func(_ context.Context, _ *Env, args []string) (Result, error) {
		ran = append(ran, args)
		return Result{Notice: "ran"}, nil
	}}
	t.Cleanup(func() { delete(table, "members") })
	member := &model.User{ID: 1, Username: "hector"}
	tests := []struct {
		text string
		user *model.User
		want string // the refusal, "" when it runs
	}{
		{"/members", member, "This action requires at least one argument."},
		{"/members a", member, "This action requires at least one argument."},
		{"/members  a", member, "This action requires at least one argument."}, // empty option
		{"/members a b", nil, "This command is for registered users: log in first."},
		{"/members a b", member, ""},
		{"/members a b c", member, ""},
	}
	for _, tc := range tests {
		env := &Env{Lang: i18n.EN, User: tc.user, Bak: bak.New()}
		res, ok, err := Run(t.Context(), tc.text, env)
		if !ok {
			t.Fatalf("%q is not a command", tc.text)
		}
		switch {
		case tc.want == "" && (err != nil || res.Notice != "ran"):
			t.Errorf("%q: %+v %v", tc.text, res, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want || !IsError(err)):
			t.Errorf("%q: %v, want %q", tc.text, err, tc.want)
		}
	}
	if want := [][]string{{"a", "b"}, {"a", "b", "c"}}; len(ran) != 2 || !slices.Equal(ran[0], want[0]) || !slices.Equal(ran[1], want[1]) {
		t.Errorf("ran with %q", ran)
	}
	if _, ok, err := Run(t.Context(), "/me x", &Env{Bak: bak.New()}); ok || err != nil {
		t.Errorf("a message ran: %v %v", ok, err)
	}
}

func TestName(t *testing.T) {
	tests := []struct {
		text string
		name string // "" when removed
	}{
		{"/name James Bond", "James Bond"},
		{"/nick  padded  ", "padded"},
		{"/name", ""},
		{"/name ab", ""},
		{"/name abc", "abc"},
		{"/name éé", ""},     // 2 characters, 4 bytes
		{"/name ééx", "ééx"}, // 3 characters
		{"/name 日本", ""},     // 2 characters, 6 bytes
		{"/name é é", "é é"}, // the space counts
		{"/name  é  ", ""},   // trimmed first
	}
	for _, tc := range tests {
		res, _, err := Run(t.Context(), tc.text, &Env{Lang: i18n.EN, Bak: bak.New(), NameMin: 3})
		if err != nil || !res.SetName || res.Name != tc.name || res.BakChanged || res.Post != "" {
			t.Errorf("%q: %+v %v, want name %q", tc.text, res, err, tc.name)
		}
	}
}

// memFilters is a profile store shared by every session of one account.
type memFilters struct {
	rules map[int64][]bak.Rule
	saves int
}

func (m *memFilters) SaveRules(_ context.Context, id int64, rules []bak.Rule) error {
	m.saves++
	m.rules[id] = slices.Clone(rules)
	return nil
}

func (m *memFilters) LoadRules(_ context.Context, id int64) ([]bak.Rule, error) {
	return slices.Clone(m.rules[id]), nil
}

// TestBakSaveAlwaysWrites: two sessions of one account share its profile,
// so each save writes, even one repeated with no change in between.
func TestBakSaveAlwaysWrites(t *testing.T) {
	store := &memFilters{rules: map[int64][]bak.Rule{}}
	u := &model.User{ID: 7, Username: "cassandre"}
	a := &Env{Lang: i18n.EN, User: u, Bak: bak.New(), Filters: store}
	b := &Env{Lang: i18n.EN, User: u, Bak: bak.New(), Filters: store}
	run := func(env *Env, text string) Result {
		t.Helper()
		res, _, err := Run(t.Context(), text, env)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		return res
	}
	run(a, "/bak add ua A")
	run(a, "/bak save")
	run(b, "/bak add ua B")
	run(b, "/bak save")
	if res := run(a, "/bak save"); res.Notice != "1 filter(s) saved to your profile." {
		t.Errorf("notice %q", res.Notice)
	}
	if got := store.rules[u.ID]; store.saves != 3 || len(got) != 1 || got[0].Pattern != "A" {
		t.Fatalf("%d saves, profile %+v: A's second save was skipped", store.saves, got)
	}
	// load replaces the rules and keeps on/off.
	run(b, "/bak off")
	if res := run(b, "/bak load extra words"); res.Notice != "1 filter(s) loaded from your profile." ||
		b.Bak.Active || len(b.Bak.Rules) != 1 || b.Bak.Rules[0].Pattern != "A" {
		t.Errorf("load: %+v %+v", res, b.Bak)
	}
}

func TestBakRuleCap(t *testing.T) {
	env := &Env{Lang: i18n.EN, Bak: bak.New()}
	for i := range bak.MaxRules {
		if _, _, err := Run(t.Context(), fmt.Sprint("/bak add ua bot", i), env); err != nil {
			t.Fatalf("rule %d: %v", i, err)
		}
	}
	_, _, err := Run(t.Context(), "/bak set message *= one more", env)
	if err == nil || !IsError(err) || err.Error() != "A session holds at most 100 filters: remove one before adding another." {
		t.Fatalf("rule %d: %v", bak.MaxRules+1, err)
	}
	// A duplicate is not a new rule: its notice, not the refusal.
	if res, _, err := Run(t.Context(), "/bak add ua bot0", env); err != nil || res.Notice != "This filter was already there: ua == bot0" || res.BakChanged {
		t.Errorf("duplicate at the cap: %+v %v", res, err)
	}
	if len(env.Bak.Rules) != bak.MaxRules {
		t.Errorf("%d rules", len(env.Bak.Rules))
	}
	// A profile edited by hand may hold more: load keeps the first ones.
	many := make([]bak.Rule, bak.MaxRules+20)
	for i := range many {
		many[i] = bak.Rule{Target: "ua", Kind: "==", Pattern: fmt.Sprint("p", i)}
	}
	store := &memFilters{rules: map[int64][]bak.Rule{1: many}}
	member := &Env{Lang: i18n.EN, User: &model.User{ID: 1}, Bak: bak.New(), Filters: store}
	if res, _, err := Run(t.Context(), "/bak load", member); err != nil || len(member.Bak.Rules) != bak.MaxRules ||
		res.Notice != "100 filter(s) loaded from your profile." {
		t.Errorf("load of %d rules: %d kept, %+v %v", len(many), len(member.Bak.Rules), res, err)
	}
}

// lastfmServer answers every request with h.
func lastfmServer(t *testing.T, h http.HandlerFunc) *LastFM {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &LastFM{URL: srv.URL, Key: "k3y", Client: outbound.New(nil), Timeout: 300 * time.Millisecond}
}

// stall waits until the client gives up (the server notices once the body
// is read).
func stall(r *http.Request) {
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

func answer(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }
}

func TestNowPlaying(t *testing.T) {
	tests := []struct {
		name          string
		h             http.HandlerFunc
		artist, title string
		err           error // compared with errors.Is, or by type for apiError and httpStatusError
	}{
		{"now playing, a list", answer(`{"recenttracks":{"track":[{"artist":{"#text":"Daft Punk"},"name":"Around the World","@attr":{"nowplaying":"true"}},{"artist":{"#text":"Old"},"name":"Song","date":{"uts":"1"}}]}}`),
			"Daft Punk", "Around the World", nil},
		{"now playing, one object", answer(`{"recenttracks":{"track":{"artist":{"#text":"Air"},"name":"La femme d'argent","@attr":{"nowplaying":"true"}}}}`),
			"Air", "La femme d'argent", nil},
		{"no date yet, no attribute", answer(`{"recenttracks":{"track":[{"artist":{"#text":"Justice"},"name":"D.A.N.C.E."}]}}`),
			"Justice", "D.A.N.C.E.", nil},
		{"not playing: the last track has a date", answer(`{"recenttracks":{"track":[{"artist":{"#text":"Old"},"name":"Song","date":{"uts":"1"}}]}}`),
			"", "", errNothingPlaying},
		{"no track", answer(`{"recenttracks":{"track":[]}}`), "", "", errNothingPlaying},
		{"no recenttracks", answer(`{}`), "", "", errNothingPlaying},
		{"a track without a name", answer(`{"recenttracks":{"track":[{"artist":{"#text":"X"},"name":"","@attr":{"nowplaying":"true"}}]}}`),
			"", "", errNothingPlaying},
		{"track of the wrong type", answer(`{"recenttracks":{"track":"nope"}}`), "", "", errNothingPlaying},
		{"error JSON", answer(`{"error":6,"message":"User not found"}`), "", "", apiError{"User not found"}},
		{"error JSON without a message", answer(`{"error":29}`), "", "", apiError{"29"}},
		{"malformed", answer(`<html>`), "", "", errBadAnswer},
		{"truncated", answer(`{"recenttracks":{"track":[`), "", "", errBadAnswer},
		{"HTTP error", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadGateway) }, "", "", httpStatusError{502}},
		{"no answer in time", func(w http.ResponseWriter, r *http.Request) { stall(r) }, "", "", errTimeout},
		{"body cut short by the deadline", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"recenttracks":{"track":[`)
			w.(http.Flusher).Flush()
			stall(r)
		}, "", "", errTimeout},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			artist, title, err := lastfmServer(t, tc.h).NowPlaying(t.Context(), "someone")
			if artist != tc.artist || title != tc.title {
				t.Errorf("got %q - %q, want %q - %q", artist, title, tc.artist, tc.title)
			}
			switch want := tc.err.(type) {
			case nil:
				if err != nil {
					t.Errorf("error %v", err)
				}
			case apiError, httpStatusError:
				if err != want {
					t.Errorf("error %#v, want %#v", err, want)
				}
			default:
				if !errors.Is(err, want) {
					t.Errorf("error %v, want %v", err, want)
				}
			}
		})
	}
}

// TestLastFMRequest checks what is sent to LastFM.
func TestLastFMRequest(t *testing.T) {
	var got *http.Request
	l := lastfmServer(t, func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got = r
		fmt.Fprint(w, `{"recenttracks":{"track":[]}}`)
	})
	l.NowPlaying(t.Context(), "some one")
	if got == nil {
		t.Fatal("no request")
	}
	f := got.PostForm
	if got.Method != "POST" || got.Header.Get("User-Agent") != "tribune/"+version.String() ||
		got.Header.Get("Content-Type") != "application/x-www-form-urlencoded" ||
		f.Get("method") != "user.getRecentTracks" || f.Get("user") != "some one" || f.Get("api_key") != "k3y" ||
		f.Get("limit") != "1" || f.Get("format") != "json" || len(f) != 5 {
		t.Errorf("request %s %v %v", got.Method, got.Header, f)
	}
}

// TestLastFMWithoutClient: a LastFM without a client is not configured,
// and asks nobody.
func TestLastFMWithoutClient(t *testing.T) {
	l := lastfmServer(t, func(w http.ResponseWriter, r *http.Request) { t.Error("LastFM was called") })
	l.Client = nil
	if _, _, err := l.NowPlaying(t.Context(), "someone"); !errors.Is(err, errNoClient) {
		t.Errorf("NowPlaying without a client: %v, want %v", err, errNoClient)
	}
	_, _, err := Run(t.Context(), "/lastfm instant someone", &Env{Lang: i18n.EN, Bak: bak.New(), LastFM: l})
	if want := "The LastFM command is not configured on this tribune."; err == nil || err.Error() != want {
		t.Errorf("/lastfm without a client: %v, want %q", err, want)
	}
}

// TestLastFMMessages maps each failure to its message, in both languages.
func TestLastFMMessages(t *testing.T) {
	tests := []struct {
		name string
		h    http.HandlerFunc
		en   string
		fr   string
	}{
		{"malformed", answer(`<html>`), "LastFM sent an answer that could not be read.", "LastFM a envoyé une réponse illisible."},
		{"timeout while reading", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"recenttracks":`)
			w.(http.Flusher).Flush()
			stall(r)
		}, "LastFM did not answer in time.", "LastFM n'a pas répondu à temps."},
		{"API error", answer(`{"error":6,"message":"User not found"}`), "LastFM refused: User not found", "LastFM a refusé\u00a0: User not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := lastfmServer(t, tc.h)
			for lang, want := range map[i18n.Lang]string{i18n.EN: tc.en, i18n.FR: tc.fr} {
				_, _, err := Run(t.Context(), "/lastfm instant x", &Env{Lang: lang, Bak: bak.New(), LastFM: l})
				if err == nil || err.Error() != want {
					t.Errorf("%s: %v, want %q", lang, err, want)
				}
			}
		})
	}
}
