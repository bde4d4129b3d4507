package server

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// notice runs a command through the board's post route and returns what it
// tells the user.
func notice(t *testing.T, c *client, cmd string) string {
	t.Helper()
	code, a := boardPost(t, c, "/", "content", cmd)
	if code != http.StatusOK || a.Status != "command" || a.ID != 0 {
		t.Fatalf("%q: %d %+v", cmd, code, a)
	}
	return a.Notice
}

// visibleIDs is what c reads on the default channel, oldest first.
func visibleIDs(t *testing.T, c *client) []int64 {
	t.Helper()
	return ids(decodeJSON(t, c.get("/remote/json/")))
}

// TestBakFolding: the case-insensitive kinds use full Unicode case folding,
// without removing accents or normalising, the same on every database.
func TestBakFolding(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		texts := []string{"Straße", "STRASSE", "GROSS", "ΟΔΟΣ", "οδος", "ÉTÉ", "été", "ete", "İstanbul", "ISTANBUL"}
		var all []int64
		for _, text := range texts {
			all = append(all, tr.client("Mozilla/5.0").say("/", text))
		}
		byText := func(ts ...string) []int64 {
			var out []int64
			for i, text := range texts {
				if slices.Contains(ts, text) {
					out = append(out, all[i])
				}
			}
			return out
		}
		tests := []struct {
			rule   string
			hidden []int64
		}{
			{"message ~= strasse", byText("Straße", "STRASSE")},
			{"message |= ß", byText("Straße", "STRASSE", "GROSS")},
			{"message *= SS", byText("STRASSE", "GROSS")}, // case-sensitive: not Straße
			{"message == Straße", byText("Straße")},
			{"message ~= οδοσ", byText("ΟΔΟΣ", "οδος")}, // Σ, σ and final ς fold alike
			{"message ~= é", nil},
			{"message ~= été", byText("ÉTÉ", "été")},             // É/é, but not ete
			{"message |= E", byText("Straße", "STRASSE", "ete")}, // é is not e
			{"message ~= istanbul", byText("ISTANBUL")},          // İ folds to i + U+0307
			{"message |= STANBUL", byText("İstanbul", "ISTANBUL")},
			{"message ^= É", byText("ÉTÉ")},
			{"message $= ß", nil},
		}
		for _, tc := range tests {
			t.Run(tc.rule, func(t *testing.T) {
				reader := tr.client("Reader")
				expectCommand(t, reader, "/bak set "+tc.rule)
				want := slices.DeleteFunc(slices.Clone(all), func(id int64) bool { return slices.Contains(tc.hidden, id) })
				if got := visibleIDs(t, reader); !slices.Equal(got, want) {
					t.Errorf("visible %v, want %v", got, want)
				}
			})
		}
	})
}

// TestBakOptions checks each option's notice and effect.
func TestBakOptions(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		demokos := tr.client("Demokos le Troyen")
		d := demokos.say("/", "je suis Demokos")
		other := tr.client("Hector").say("/", "et moi Hector")
		reader := tr.loggedIn(t, "priam")
		steps := []struct {
			cmd    string
			notice string
			want   []int64
		}{
			{"/bak add ua Demokos le Troyen", "Filter added: ua == Demokos le Troyen", []int64{other}},
			{"/bak add ua Demokos le Troyen", "This filter was already there: ua == Demokos le Troyen", []int64{other}},
			{"/bak del ua Demokos", "There was no such filter: ua == Demokos", []int64{other}},
			{"/bak del ua Demokos le Troyen", "Filter removed: ua == Demokos le Troyen", []int64{d, other}},
			{"/bak del ua Demokos le Troyen", "There was no such filter: ua == Demokos le Troyen", []int64{d, other}},
			{"/bak remove ua |= demokos", "There was no such filter: ua |= demokos", []int64{d, other}},
			// Extra arguments after on, off, save and load are ignored.
			{"/bak add ua Hector", "Filter added: ua == Hector", []int64{d}},
			{"/bak off and more", "Filters are off (they are kept).", []int64{d, other}},
			{"/bak on please", "Filters are on.", []int64{d}},
			{"/bak save them all", "1 filter(s) saved to your profile.", []int64{d}},
			{"/bak reset", "All filters are removed.", []int64{d, other}},
			{"/bak off", "Filters are off (they are kept).", []int64{d, other}},
			// load replaces the rules and leaves on/off alone.
			{"/bak load them", "1 filter(s) loaded from your profile.", []int64{d, other}},
			{"/bak on", "Filters are on.", []int64{d}},
		}
		for _, s := range steps {
			if got := notice(t, reader, s.cmd); got != s.notice {
				t.Errorf("%q: notice %q, want %q", s.cmd, got, s.notice)
			}
			if got := visibleIDs(t, reader); !slices.Equal(got, s.want) {
				t.Fatalf("after %q: %v, want %v", s.cmd, got, s.want)
			}
		}
		// remove, with every kind: each set rule hides Demokos, and its
		// remove takes exactly that rule away.
		expectCommand(t, reader, "/bak reset")
		for _, r := range []string{"ua *= Troyen", "ua |= troyen", "ua == Demokos le Troyen", "ua ~= DEMOKOS LE TROYEN", "ua ^= Demo", "ua $= yen"} {
			expectCommand(t, reader, "/bak set "+r)
			if got := visibleIDs(t, reader); !slices.Equal(got, []int64{other}) {
				t.Fatalf("set %s: %v", r, got)
			}
			if got := notice(t, reader, "/bak remove "+r); got != "Filter removed: "+r {
				t.Errorf("remove %s: %q", r, got)
			}
			if got := visibleIDs(t, reader); !slices.Equal(got, []int64{d, other}) {
				t.Fatalf("remove %s: %v", r, got)
			}
		}
		// French notices.
		fr := tr.client("Lecteur")
		fr.header.Set("Accept-Language", "fr")
		if got := notice(t, fr, "/bak set ua *= x"); got != "Filtre ajouté\u00a0: ua *= x" {
			t.Errorf("French: %q", got)
		}
	})
}

// TestBakSaveWrites: /bak save always writes the profile, which every
// session of the account shares, and saves the rules as they are now.
func TestBakSaveWrites(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		a := tr.loggedIn(t, "cassandre")
		b := tr.client("Another browser")
		b.login(t, "cassandre")
		u, err := tr.st.UserByName(t.Context(), "cassandre")
		if err != nil {
			t.Fatal(err)
		}
		profile := func() []string {
			t.Helper()
			fs, err := tr.st.Filters(t.Context(), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, f := range fs {
				out = append(out, f.Target+" "+f.Kind+" "+f.Value)
			}
			return out
		}
		steps := []struct {
			c       *client
			cmd     string
			profile []string
		}{
			{a, "/bak add ua A", nil},
			{a, "/bak save", []string{"ua == A"}},
			{b, "/bak add ua B", []string{"ua == A"}},
			{b, "/bak save", []string{"ua == B"}},
			{a, "/bak save", []string{"ua == A"}}, // nothing changed in a: still written
			{a, "/bak set message *= x", []string{"ua == A"}},
			{a, "/bak save", []string{"ua == A", "message *= x"}}, // after an add
			{a, "/bak del ua A", []string{"ua == A", "message *= x"}},
			{a, "/bak save", []string{"message *= x"}}, // after a remove
			{a, "/bak reset", []string{"message *= x"}},
			{a, "/bak save", nil}, // an empty set is saved too
		}
		for _, s := range steps {
			expectCommand(t, s.c, s.cmd)
			if got := profile(); !slices.Equal(got, s.profile) {
				t.Fatalf("after %q: profile %q, want %q", s.cmd, got, s.profile)
			}
		}
	})
}

// TestLoginLoadsSavedFilters: saved filters come back at log-in, replacing
// the session's rules (which another site could have planted); on or off
// stays as the visitor set it.
func TestLoginLoadsSavedFilters(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		d := tr.client("Demokos").say("/", "Demokos")
		h := tr.client("Hector").say("/", "Hector")
		saver := tr.loggedIn(t, "cassandre")
		expectCommand(t, saver, "/bak add ua Demokos")
		expectCommand(t, saver, "/bak save")
		tests := []struct {
			name   string
			before []string // commands run anonymously before logging in
			want   []int64
		}{
			{"fresh visitor", nil, []int64{h}},
			{"after /bak on", []string{"/bak on"}, []int64{h}},
			{"after /bak off", []string{"/bak off"}, []int64{d, h}}, // loaded, but off
			{"after an emptied session", []string{"/bak add ua X", "/bak del ua X"}, []int64{h}},
			{"with rules of its own", []string{"/bak add ua Hector"}, []int64{h}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				c := tr.client("Mozilla/5.0")
				for _, cmd := range tc.before {
					expectCommand(t, c, cmd)
				}
				c.login(t, "cassandre")
				if got := visibleIDs(t, c); !slices.Equal(got, tc.want) {
					t.Errorf("visible %v, want %v", got, tc.want)
				}
			})
		}
	})
}

// TestBakLastModified: Last-Modified is the channel's stamp whatever the
// reader's filters (a filtered list is never newer than the channel), so a
// reader whose copy is current gets 304 on every format, and a change of
// the channel, even one hidden from the reader, is never answered 304.
func TestBakLastModified(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		tr.client("Hector").say("/", "visible")
		tr.client("Demokos").say("/", "hidden")
		reader, other := tr.client("Reader"), tr.client("Other")
		expectCommand(t, reader, "/bak add ua Demokos")
		// Last-Modified never names a second that is not over (less a
		// margin for other processes' clocks): wait until it names the
		// channel's stamp, two seconds at most.
		var seen string
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			seen = reader.get("/remote/xml/").Header().Get("Last-Modified")
			if reader.get("/remote/xml/", "If-Modified-Since", seen).Code == http.StatusNotModified {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("Last-Modified %q never current", seen)
			}
		}
		if newest := other.get("/remote/xml/").Header().Get("Last-Modified"); seen != newest {
			t.Fatalf("Last-Modified %q for the reader, %q for the channel", seen, newest)
		}
		paths := []string{"/remote/xml/", "/remote/json/", "/remote/tsv/", "/remote/"}
		for _, path := range paths {
			for name, c := range map[string]*client{"reader": reader, "other": other} {
				if w := c.get(path, "If-Modified-Since", seen); w.Code != http.StatusNotModified {
					t.Errorf("%s: %s with a current copy: %d", path, name, w.Code)
				}
			}
		}
		// The clock finder's Last-Modified is the channel's too.
		clock := decodeJSON(t, other.get("/remote/json/"))[0].Clock
		if got := reader.get("/clock/" + clock + "/").Header().Get("Last-Modified"); got != seen {
			t.Errorf("clock finder: %q, want %q", got, seen)
		}
		// A message hidden from the reader still changes the channel: the
		// reader's old copy is not current any more (the list it gets is
		// the same; it never misses a visible message).
		tr.client("Demokos").say("/", "hidden again")
		for _, path := range paths {
			w := reader.get(path, "If-Modified-Since", seen)
			if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "hidden") {
				t.Errorf("%s: reader after a hidden post: %d %q", path, w.Code, w.Body.String())
			}
		}
		// Hiding everything: nothing to show, 304.
		expectCommand(t, reader, "/bak add ua Hector")
		if w := reader.get("/remote/xml/"); w.Code != http.StatusNotModified {
			t.Errorf("all hidden: %d", w.Code)
		}
	})
}

// TestBakHidesOwnPost: a poster whose filters hide their own message still
// gets its X-Post-Id, without the message in the answer.
func TestBakHidesOwnPost(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		first := tr.client("Hector").say("/", "before")
		c := tr.client("Mozilla/5.0")
		expectCommand(t, c, "/bak set message *= secret")
		for _, path := range []string{"/post/json/", "/post/tsv/", "/post/xml/?last_id=0", "/post/"} {
			w := c.post(path, "content", "a secret", "last_id", "0")
			if w.Code != http.StatusOK || w.Header().Get("X-Post-Id") == "" {
				t.Fatalf("%s: %d %v", path, w.Code, w.Header())
			}
			if path == "/post/json/" {
				if got := ids(decodeJSON(t, w)); !slices.Equal(got, []int64{first}) {
					t.Errorf("answer %v, want only %d", got, first)
				}
			}
		}
	})
}

// TestCommandOnPostRoutes: a command on any post route posts nothing and
// answers like the route does, the XML routes with their empty 200.
func TestCommandOnPostRoutes(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		first := tr.client("x").say("/", "hello")
		id := tr.client("x").say("/", "again")
		tests := []struct {
			path, ctype string
			empty       bool
		}{
			{"/post/xml/", "text/plain; charset=utf-8", true},
			{"/crap/post.xml", "text/plain; charset=utf-8", true},
			{"/post/xml/crap/", "text/plain; charset=utf-8", true},
			{"/post/xml/?last_id=0", "text/plain; charset=utf-8", true},
			{fmt.Sprintf("/post/xml/?last_id=%d", first), "application/xml; charset=utf-8", false},
			{"/post/json/", "application/json; charset=utf-8", false},
		}
		for _, tc := range tests {
			c := tr.client("Mozilla/5.0")
			w := c.post(tc.path, "content", "/bak on")
			if w.Code != http.StatusOK || w.Header().Get("X-Post-Id") != "" || w.Header().Get("Content-Type") != tc.ctype ||
				(w.Body.Len() == 0) != tc.empty {
				t.Errorf("%s: %d %v %q", tc.path, w.Code, w.Header(), w.Body)
			}
		}
		if got := visibleIDs(t, tr.client("y")); !slices.Equal(got, []int64{first, id}) {
			t.Errorf("commands were posted: %v", got)
		}
	})
}

// TestBakRuleCapHTTP: a session holds at most bak.MaxRules rules.
func TestBakRuleCapHTTP(t *testing.T) {
	tr := sqliteTribune(t, nil) // the cap is the same on every database
	c := tr.client("Mozilla/5.0")
	for i := range bak.MaxRules {
		expectCommand(t, c, fmt.Sprintf("/bak set message *= word%d", i))
	}
	expectRefused(t, c, "/bak add ua one more", "A session holds at most 100 filters: remove one before adding another.")
	fr := tr.client("Mozilla/5.0")
	fr.cookies = c.cookies
	fr.header.Set("Accept-Language", "fr")
	expectRefused(t, fr, "/bak add ua one more", "Une session garde au plus 100 filtres\u00a0: retirez-en un avant d'en ajouter un autre.")
	// Room again after a removal.
	expectCommand(t, c, "/bak remove message *= word0")
	expectCommand(t, c, "/bak add ua one more")
	tr.client("x").say("/", "word7")
	shown := tr.client("x").say("/", "word0")
	if got := visibleIDs(t, c); !slices.Equal(got, []int64{shown}) {
		t.Errorf("the 100th rule does not apply: %v, want only %d", got, shown)
	}
	// Log-in loads no more than the cap from a profile edited by hand.
	u := tr.createUser(t, "hoarder", model.RoleUser)
	many := make([]store.Filter, bak.MaxRules+10)
	for i := range many {
		many[i] = store.Filter{Target: "message", Kind: "==", Value: fmt.Sprint("w", i)}
	}
	if err := tr.st.SaveFilters(t.Context(), u.ID, many); err != nil {
		t.Fatal(err)
	}
	h := tr.client("Mozilla/5.0")
	h.login(t, "hoarder")
	inCap := tr.client("x").say("/", fmt.Sprint("w", bak.MaxRules-1))
	beyond := tr.client("x").say("/", fmt.Sprint("w", bak.MaxRules))
	if got := visibleIDs(t, h); slices.Contains(got, inCap) || !slices.Contains(got, beyond) {
		t.Errorf("rules loaded at log-in: %v (%d hidden, %d shown)", got, inCap, beyond)
	}
}

// TestBakScanBudget: a filter that hides nearly everything makes a read
// look at most 10 windows (TRIBUNE_MESSAGES_MAX_LIMIT) of older messages;
// beyond that the reader sees fewer messages than it asked for.
func TestBakScanBudget(t *testing.T) {
	eachTribune(t, func(c *config.Config) { c.MaxLimit, c.DefaultLimit = 5, 5 }, func(t *testing.T, tr *tribune) {
		poster := tr.client("x")
		keep := poster.say("/", "keep me")
		for i := range 44 { // 5 in the window, 39 below, then keep: within 50
			poster.say("/", fmt.Sprint("filler ", i))
		}
		reader := tr.client("Reader")
		expectCommand(t, reader, "/bak set message ^= filler")
		if got := visibleIDs(t, reader); !slices.Equal(got, []int64{keep}) {
			t.Fatalf("within the budget: %v, want [%d]", got, keep)
		}
		for i := range 20 { // now 59 rows below the window
			poster.say("/", fmt.Sprint("more filler ", i))
		}
		expectCommand(t, reader, "/bak set message ^= more filler")
		if w := reader.get("/remote/json/"); w.Code != http.StatusNotModified {
			t.Fatalf("beyond the budget: %d %s", w.Code, w.Body)
		}
		// Without filters, nothing changes.
		if got := visibleIDs(t, tr.client("y")); len(got) != 5 {
			t.Fatalf("unfiltered: %v", got)
		}
	})
}

// TestBakUAAsTyped: ua rules compare with the name as typed, not with an
// HTML-escaped form as djangotribune stored it.
func TestBakUAAsTyped(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		poster := tr.client("Mozilla/5.0")
		expectCommand(t, poster, `/name R&D <"x">`)
		id := poster.say("/", "hello")
		tests := []struct {
			rule   string
			hidden bool
		}{
			{`ua == R&D <"x">`, true},
			{`ua *= &D <`, true},
			{`ua == R&amp;D &lt;&quot;x&quot;&gt;`, false},
			{`ua *= &amp;`, false},
		}
		for _, tc := range tests {
			reader := tr.client("Reader")
			expectCommand(t, reader, "/bak set "+tc.rule)
			w := reader.get("/remote/json/")
			if hidden := w.Code == http.StatusNotModified; hidden != tc.hidden {
				t.Errorf("%s: hidden %v, want %v (%d %s)", tc.rule, hidden, tc.hidden, id, w.Body)
			}
		}
	})
}
