package store_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/search"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

func ids(ms []model.Message) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func find(t *testing.T, s *store.Store, q store.SearchQuery) []int64 {
	t.Helper()
	if q.Limit == 0 {
		q.Limit = 50
	}
	ms, err := s.Search(ctx, q)
	if err != nil {
		t.Fatalf("search %+v: %v", q, err)
	}
	return ids(ms)
}

func same(a, b []int64) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func TestSearch(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		other, err := s.CreateChannel(ctx, "autre", "Autre")
		if err != nil {
			t.Fatal(err)
		}
		postAs := func(ch int64, info, login, raw string) int64 {
			t.Helper()
			res, err := s.Post(ctx, store.Post{Message: model.Message{ChannelID: ch, Info: info, Login: login, Raw: raw, Web: raw, Remote: raw}})
			if err != nil {
				t.Fatal(err)
			}
			return res.Message.ID
		}
		a := postAs(1, "Mozilla/5.0 Firefox/140", "", "L'<b>élève</b> est là")
		b := postAs(1, "curl/8", "Jean", "ELEVE moyen, vraiment moyen")
		c := postAs(other.ID, "coin", "jean", "un eleve de l'autre canal")
		d := postAs(1, "coin", "", "moyen vraiment")
		for _, tc := range []struct {
			name string
			q    store.SearchQuery
			want []int64
		}{
			{"accents both ways", store.SearchQuery{Phrases: []string{"eleve"}}, []int64{c, b, a}},
			{"accented query", store.SearchQuery{Phrases: []string{"ÉLÈVE"}}, []int64{c, b, a}},
			{"one channel", store.SearchQuery{ChannelID: 1, Phrases: []string{"eleve"}}, []int64{b, a}},
			{"all terms", store.SearchQuery{Phrases: []string{"eleve", "moyen"}}, []int64{b}},
			{"phrase in order", store.SearchQuery{Phrases: []string{"vraiment moyen"}}, []int64{b}},
			{"phrase other order", store.SearchQuery{Phrases: []string{"moyen vraiment"}}, []int64{d, b}},
			{"author any case", store.SearchQuery{Author: "JEAN"}, []int64{c, b}},
			{"author and channel", store.SearchQuery{Author: "jean", ChannelID: 1}, []int64{b}},
			{"author and word", store.SearchQuery{Author: "jean", Phrases: []string{"canal"}}, []int64{c}},
			{"ua", store.SearchQuery{UA: []string{"firefox"}}, []int64{a}},
			{"ua and word", store.SearchQuery{UA: []string{"coin"}, Phrases: []string{"moyen"}}, []int64{d}},
			{"before", store.SearchQuery{Phrases: []string{"eleve"}, Before: c}, []int64{b, a}},
			{"limit", store.SearchQuery{Phrases: []string{"eleve"}, Limit: 1}, []int64{c}},
			{"engine syntax is text", store.SearchQuery{Phrases: []string{`NEAR(eleve moyen) OR * ^"`}}, nil},
			{"column filter is text", store.SearchQuery{Phrases: []string{`ua:firefox`}}, nil},
		} {
			if got := find(t, s, tc.q); !same(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
		// A removed message leaves the index; so does a deleted channel's.
		if _, err := s.Remove(ctx, b, "mod", "spam"); err != nil {
			t.Fatal(err)
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"eleve"}}); !same(got, []int64{c, a}) {
			t.Errorf("after removal: %v", got)
		}
		if err := s.DeleteChannel(ctx, "autre"); err != nil {
			t.Fatal(err)
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"eleve"}}); !same(got, []int64{a}) {
			t.Errorf("after deleting a channel: %v", got)
		}
		if !s.Postgres() {
			var n int
			if err := s.QueryRowForTest(`SELECT COUNT(*) FROM message_search WHERE message_search MATCH 'eleve'`).Scan(&n); err != nil || n != 1 {
				t.Errorf("index rows for eleve: %d, %v", n, err)
			}
		}
	})
}

// Days are the tribune's: a message posted at 00:30 in Paris on the 2nd
// is on the 2nd, though it is still the 1st in UTC.
func TestSearchDays(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, paris)
	o := opts()
	o.Now = func() time.Time { return now }
	storetest.Each(t, o, func(t *testing.T, s *store.Store) {
		var got []int64
		for _, at := range []time.Time{
			time.Date(2026, 3, 1, 12, 0, 0, 0, paris),
			time.Date(2026, 3, 2, 0, 30, 0, 0, paris),
			time.Date(2026, 3, 2, 23, 59, 0, 0, paris),
			time.Date(2026, 3, 5, 9, 0, 0, 0, paris),
		} {
			now = at
			got = append(got, post(t, s, 1, "jour").ID)
		}
		for _, tc := range []struct {
			from, to int
			want     []int64
		}{
			{20260302, 20260302, []int64{got[2], got[1]}},
			{20260302, 0, []int64{got[3], got[2], got[1]}},
			{0, 20260301, []int64{got[0]}},
			{20260303, 20260304, nil},
			{20260306, 0, nil},
			{0, 20250101, nil},
			{20200101, 20300101, []int64{got[3], got[2], got[1], got[0]}},
		} {
			q := store.SearchQuery{Phrases: []string{"jour"}, From: tc.from, To: tc.to}
			if ids := find(t, s, q); !same(ids, tc.want) {
				t.Errorf("from %d to %d: %v, want %v", tc.from, tc.to, ids, tc.want)
			}
		}
	})
}

// A database made before search existed gets its messages indexed by the
// migration.
func TestSearchIndexesExistingMessages(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		drop := []string{`DROP TRIGGER message_search_insert`, `DROP TRIGGER message_search_update`,
			`DROP TRIGGER message_search_delete`, `DROP TABLE message_search`}
		if s.Postgres() {
			drop = []string{`DROP INDEX messages_login`, `DROP INDEX messages_search`,
				`ALTER TABLE messages DROP COLUMN search`, `DROP FUNCTION tribune_fold`}
		}
		for _, q := range drop {
			if err := s.ExecForTest(q); err != nil {
				t.Fatal(err)
			}
		}
		old := post(t, s, 1, "un vieux message oublié")
		gone := post(t, s, 1, "un vieux message retiré")
		if _, err := s.Remove(ctx, gone.ID, "mod", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.RunMigrationForTest("search"); err != nil {
			t.Fatal(err)
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"vieux oublie"}}); !same(got, nil) {
			t.Errorf("phrase across words: %v", got)
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"vieux", "message"}}); !same(got, []int64{old.ID}) {
			t.Errorf("existing messages: %v", got)
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"oublie"}}); !same(got, []int64{old.ID}) {
			t.Errorf("existing message, folded: %v", got)
		}
	})
}

// Pending and rejected submissions are not messages: never found.
func TestSearchSkipsSubmissions(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		for _, st := range []string{model.StatusPending, model.StatusRejected} {
			if _, err := s.Post(ctx, store.Post{Status: st, Message: model.Message{ChannelID: 1, Info: "ua", Raw: "secret attente", Web: "x", Remote: "x"}}); err != nil {
				t.Fatal(err)
			}
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"attente"}}); got != nil {
			t.Errorf("found %v", got)
		}
	})
}

// The PostgreSQL folding function is search.FoldTable, letter for letter,
// as 0009 made it, and as 0011 makes it again in two parts: the Latin-1
// letters (the first 27) and the rest.
func TestFoldTableInMigration(t *testing.T) {
	from, to := search.FoldTable()
	f, tt := []rune(from), []rune(to)
	for file, parts := range map[string][][2]string{
		"0009_search.sql":         {{from, to}},
		"0011_cheaper_writes.sql": {{string(f[:27]), string(tt[:27])}, {string(f[27:]), string(tt[27:])}},
	} {
		b, err := os.ReadFile("migrations/postgres/" + file)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range parts {
			if !strings.Contains(string(b), "'"+p[0]+"', '"+p[1]+"'") && !strings.Contains(string(b), "'"+p[0]+"',\n        '"+p[1]+"'") {
				t.Errorf("%s: tribune_fold's strings are not search.FoldTable():\n%s\n%s", file, p[0], p[1])
			}
		}
	}
	if f[26] > 0xff || f[27] <= 0xff {
		t.Errorf("the first 27 letters of FoldTable are not Latin-1's: %q", from)
	}
}

// 0011's folding (a shortcut for ASCII texts) gives what 0009's gave, so
// the rows indexed before it stay true.
func TestFoldShortcutSameAsBefore(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		if !s.Postgres() {
			t.Skip("PostgreSQL's function")
		}
		from, to := search.FoldTable()
		for _, text := range []string{"", "plain ASCII, with punctuation: a/b [:totoz] 12:00:00",
			"MiXeD CaSe http://example.com/?q=1&r=2", "Élève déjà là-bas ÇA ŒUF", "tab\tand\nnew line",
			"naïve ß ı İ ﬁ", "ŝ ǜ ȳ Ŝ œuf", "emoji 🦆 coin", "~!@#$%^&*()_+`-={}|[]\\:\";'<>?,./"} {
			var before, after string
			err := s.QueryRowForTest(`SELECT regexp_replace(translate(lower($1), $2, $3), '[!-/:-@[-`+"`"+`{-~]+', ' ', 'g'), tribune_fold($1)`,
				text, from, to).Scan(&before, &after)
			if err != nil {
				t.Fatal(err)
			}
			if before != after {
				t.Errorf("%q: folded %q, was %q", text, after, before)
			}
		}
	})
}

func TestURLArchive(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		other, err := s.CreateChannel(ctx, "autre", "Autre")
		if err != nil {
			t.Fatal(err)
		}
		postURLs := func(ch int64, login, raw string, urls ...string) int64 {
			t.Helper()
			res, err := s.Post(ctx, store.Post{URLs: urls, Message: model.Message{ChannelID: ch, Info: "ua", Login: login, Raw: raw, Web: raw, Remote: raw}})
			if err != nil {
				t.Fatal(err)
			}
			return res.Message.ID
		}
		postURLs(1, "", "voir http://a.example/x", "http://a.example/x")
		postURLs(other.ID, "Bob", "regarde https://b.example/Y", "https://b.example/Y")
		gone := postURLs(1, "", "http://c.example/", "http://c.example/")
		postURLs(1, "alice", "deux liens http://d.example/ http://e.example/", "http://d.example/", "http://e.example/")
		if _, err := s.Remove(ctx, gone, "mod", ""); err != nil {
			t.Fatal(err)
		}
		list := func(q store.URLQuery) string {
			t.Helper()
			if q.Limit == 0 {
				q.Limit = 30
			}
			us, err := s.URLs(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, u := range us {
				out = append(out, u.URL)
			}
			return strings.Join(out, " ")
		}
		for _, tc := range []struct {
			q    store.URLQuery
			want string
		}{
			{store.URLQuery{}, "http://e.example/ http://d.example/ https://b.example/Y http://a.example/x"},
			{store.URLQuery{ChannelID: 1}, "http://e.example/ http://d.example/ http://a.example/x"},
			{store.URLQuery{ChannelID: other.ID}, "https://b.example/Y"},
			{store.URLQuery{Limit: 2}, "http://e.example/ http://d.example/"},
			{store.URLQuery{URL: "B.EXAMPLE/y"}, "https://b.example/Y"},
			{store.URLQuery{Author: "bo"}, "https://b.example/Y"},
			{store.URLQuery{Message: "voir"}, "http://a.example/x"},
			{store.URLQuery{URL: "a.example", Author: "alice"}, "http://e.example/ http://d.example/ http://a.example/x"},
			{store.URLQuery{URL: "%"}, ""},
			{store.URLQuery{URL: "nothing"}, ""},
		} {
			if got := list(tc.q); got != tc.want {
				t.Errorf("%+v: %q, want %q", tc.q, got, tc.want)
			}
		}
		us, err := s.URLs(ctx, store.URLQuery{Limit: 2})
		if err != nil || len(us) != 2 || us[1].Message.Login != "alice" {
			t.Fatalf("%+v %v", us, err)
		}
		if got := list(store.URLQuery{Before: us[1].ID}); got != "https://b.example/Y http://a.example/x" {
			t.Errorf("next page: %q", got)
		}
	})
}

var _ = errors.Is

// Both of PostgreSQL's steps (the newest rows, then the index) give the
// same answers, in order, and so does SQLite.
func TestSearchBeyondTheWindow(t *testing.T) {
	defer store.SetSearchWindowForTest(3)()
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		var rare, common []int64
		for i := range 20 {
			raw := "bruit de fond"
			if i%7 == 0 {
				raw = "un mot rare ici"
				rare = append([]int64{0}, rare...)
				rare[0] = post(t, s, 1, raw).ID
				common = append([]int64{rare[0]}, common...)
				continue
			}
			if i%2 == 0 {
				raw = "un mot courant"
			}
			id := post(t, s, 1, raw).ID
			if i%2 == 0 {
				common = append([]int64{id}, common...)
			}
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"rare"}}); !same(got, rare) {
			t.Errorf("rare: %v, want %v", got, rare)
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"mot"}, Limit: 4}); !same(got, common[:4]) {
			t.Errorf("first page: %v, want %v", got, common[:4])
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"mot"}, Before: common[3]}); !same(got, common[4:]) {
			t.Errorf("next page: %v, want %v", got, common[4:])
		}
	})
}

// PostgreSQL's second window (sized from what the first one found) and
// the index after it give the matches in order, none twice, none missed;
// SQLite the same.
func TestSearchSecondWindow(t *testing.T) {
	defer store.SetSearchWindowForTest(3)()
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		var want []int64 // newest first
		for i := range 50 {
			raw := "bruit de fond"
			// The newest is a match, then one in ten.
			if i == 49 || i < 47 && i%10 == 0 {
				raw = "un mot courant"
			}
			id := post(t, s, 1, raw).ID
			if raw != "bruit de fond" {
				want = append([]int64{id}, want...)
			}
		}
		// The first window (3 rows) finds one: the second reads 24 rows
		// and finds two; the index gives the last two.
		if got := find(t, s, store.SearchQuery{Phrases: []string{"mot"}, Limit: 5}); !same(got, want[:5]) {
			t.Errorf("first page: %v, want %v", got, want[:5])
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"mot"}, Limit: 50}); !same(got, want) {
			t.Errorf("all: %v, want %v", got, want)
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"mot"}, Limit: 2, Before: want[1]}); !same(got, want[2:4]) {
			t.Errorf("a page further: %v, want %v", got, want[2:4])
		}
	})
}

// A phrase whose words are common but whose order is rare: with no match
// among the newest rows, PostgreSQL reads windows rather than the index
// when the index would read too many rows; the matches are the same.
func TestSearchPhraseOfCommonWords(t *testing.T) {
	defer store.SetSearchWindowForTest(3)()
	defer store.SetIndexCandidatesForTest(0)()
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		var want []int64 // newest first
		for i := range 60 {
			raw := "courant mot, dans le désordre"
			if i%20 == 5 {
				raw = "un mot courant"
			}
			id := post(t, s, 1, raw).ID
			if i%20 == 5 {
				want = append([]int64{id}, want...)
			}
		}
		q := store.SearchQuery{Phrases: []string{"mot courant"}}
		if got := find(t, s, q); !same(got, want) {
			t.Errorf("phrase: %v, want %v", got, want)
		}
		q.Limit = 2
		if got := find(t, s, q); !same(got, want[:2]) {
			t.Errorf("phrase, first page: %v, want %v", got, want[:2])
		}
	})
}

// An import's messages are searched and counted like posted ones (on
// SQLite their derived rows are written at the end of the import); a
// failed import leaves the triggers in place, and posts after an import
// are indexed and counted as before.
func TestImportDerivedRows(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		before := post(t, s, 1, "avant le chargement")
		at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
		write := func(ms []store.ImportMessage) error {
			im, err := s.NewImporter(ctx, false)
			if err != nil {
				t.Fatal(err)
			}
			if err := im.WriteMessages(ctx, ms); err != nil {
				im.Abort()
				return err
			}
			return im.Finish(ctx)
		}
		var loaded []int64
		var ms []store.ImportMessage
		// Two runs of ids with a gap, and one below the posted message's.
		for i, id := range []int64{1000, 1001, 1002, 1500, 1501} {
			ms = append(ms, store.ImportMessage{ID: id, ChannelID: 1, Created: at.Add(time.Duration(i) * time.Hour),
				Info: "importé", Raw: fmt.Sprintf("chargé numéro %d", i), Web: "x", Remote: "x"})
			loaded = append([]int64{id}, loaded...)
		}
		if err := write(ms); err != nil {
			t.Fatal(err)
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"charge"}}); !same(got, loaded) {
			t.Errorf("imported messages found: %v, want %v", got, loaded)
		}
		days, err := s.DayCounts(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		var imported int
		for _, d := range days {
			if d.Day == 20250601 {
				imported = d.N
			}
		}
		if imported != 5 {
			t.Errorf("the imported day counts %d messages, want 5: %v", imported, days)
		}
		// A failed import (an id taken) changes nothing, triggers included.
		err = write([]store.ImportMessage{{ID: 2000, ChannelID: 1, Created: at, Info: "x", Raw: "raté", Web: "x", Remote: "x"},
			{ID: 1000, ChannelID: 1, Created: at, Info: "x", Raw: "raté", Web: "x", Remote: "x"}})
		var ce *store.CollisionError
		if !errors.As(err, &ce) {
			t.Fatalf("collision: %v", err)
		}
		after := post(t, s, 1, "après le chargement")
		if got := find(t, s, store.SearchQuery{Phrases: []string{"chargement"}}); !same(got, []int64{after.ID, before.ID}) {
			t.Errorf("posts around the imports: %v", got)
		}
		if got := find(t, s, store.SearchQuery{Phrases: []string{"rate"}}); got != nil {
			t.Errorf("a failed import's message found: %v", got)
		}
	})
}
