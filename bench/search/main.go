// Command search measures full-text search and the URL archive at scale:
// it loads N messages of varied French and English chat into one channel
// (its own quick bulk loader, straight into the tables, so the search
// index is maintained by the database as on any write), serves a tribune
// on loopback, and times sequential requests per kind of query after a
// warm-up, printing p50, p99 and the worst.
//
//	go run ./bench/search -n 1000000                       # SQLite in a temporary directory
//	go run ./bench/search -n 1000000 -db /tmp/s.db -keep    # load once, measure again later
//	go run ./bench/search -n 1000000 -db postgres://…       # PostgreSQL (a database of its own: it is emptied)
//	go run ./bench/search -n 200000 -index after            # load without the index, build it after
//	go run ./bench/search -existing -db postgres://…/hist10m # a database loaded from histgen -rare 200
//
// With -existing, nothing is loaded or emptied: the database is measured as
// it is, with the query words of bench/histgen (its vocabulary, its logins,
// the rare words it plants with -rare 200, its days). This is how the
// ten-million-message figures are taken: histgen writes the history,
// tribune import loads it (as an operator would), and this measures it.
//
// Only loopback is used. The figures of a run are in bench/README.md.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"html"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/store"
)

func main() {
	dsn := flag.String("db", "", "SQLite file or postgres:// URL (default: a temporary SQLite file)")
	n := flag.Int("n", 1_000_000, "messages to load")
	requests := flag.Int("requests", 500, "timed requests per kind of query")
	warmup := flag.Int("warmup", 100, "untimed requests per kind first")
	keep := flag.Bool("keep", false, "keep the messages already loaded when there are at least n")
	index := flag.String("index", "triggers", "SQLite: 'triggers' (the index follows each insert) or 'after' (built after the load)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the load")
	existing := flag.Bool("existing", false, "measure the database as it is (loaded from bench/histgen -rare 200), with histgen's words")
	flag.Parse()
	ctx := context.Background()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if *dsn == "" {
		dir, err := os.MkdirTemp("", "tribune-search-bench")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		*dsn = filepath.Join(dir, "tribune.db")
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, *dsn, store.Options{Location: paris, Logger: quiet, Synchronous: "normal"})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	st.Close()

	db, pg := openRaw(*dsn)
	var have int
	db.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&have)
	if *existing {
		*n = have
		useHistgenWords(db)
	} else if !*keep || have < *n {
		if pg {
			for _, q := range []string{`TRUNCATE urls, messages CASCADE`} {
				must(db.Exec(q))
			}
		} else {
			must(db.Exec(`DELETE FROM urls`))
			must(db.Exec(`DELETE FROM messages`))
			must(db.Exec(`INSERT INTO message_search(message_search) VALUES ('delete-all')`))
		}
		load(db, pg, *n, paris, *index)
	}
	sizes(db, pg)
	db.Close()

	cfg := tribune.DefaultConfig()
	cfg.DB, cfg.Location, cfg.Logger, cfg.SQLiteSynchronous = *dsn, paris, quiet, "normal"
	st, err = tribune.OpenStore(ctx, &cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	t, err := tribune.New(cfg, st)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, t)
	base := "http://" + ln.Addr().String()

	rng := rand.New(rand.NewPCG(7, 7))
	pick := func(words []string) string { return words[rng.IntN(len(words))] }
	kinds := []struct {
		name string
		path func() string
	}{
		{"rare word", func() string { return "/search/json/?q=" + rareWord(rng.IntN(rareWords)) }},
		{"frequent word, first page", func() string { return "/search/json/?q=" + url.QueryEscape(pick(frequent)) }},
		{"two frequent words", func() string {
			return "/search/json/?q=" + url.QueryEscape(pick(frequent)+" "+pick(frequent))
		}},
		{"phrase", func() string { return "/search/json/?q=" + url.QueryEscape(pick(phrases)) }},
		{"accents folded (eleve, deja, tres)", func() string {
			return "/search/json/?q=" + url.QueryEscape(pick([]string{"eleve", "deja", "tres", "ete", "ca", "cafe"}))
		}},
		{"author + word", func() string {
			return "/search/json/?q=" + url.QueryEscape("author:"+pick(authors[:min(50, len(authors))])+" "+pick(frequent))
		}},
		{"author alone", func() string {
			return "/search/json/?q=" + url.QueryEscape("author:"+pick(authors))
		}},
		{"word + one day", func() string {
			var day string
			if len(days) > 0 {
				day = days[rng.IntN(len(days))]
			} else {
				day = dayOf(rng, paris, *n)
			}
			return "/search/json/?q=" + url.QueryEscape(pick(frequent)+" from:"+day+" to:"+day)
		}},
		{"URL archive, first page", func() string { return "/urls/json/" }},
		{"URL archive, second page", func() string { return "/urls/json/?before_id=" + fmt.Sprint(urlsBefore) }},
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	get := func(path string) int {
		resp, err := client.Get(base + path)
		if err != nil {
			log.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			log.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return strings.Count(string(b), `"id":`)
	}
	kind := "SQLite"
	if pg {
		kind = "PostgreSQL"
	}
	fmt.Printf("\n%s, %d messages in one channel, %d timed requests per line after %d, sequential, loopback\n",
		kind, *n, *requests, *warmup)
	fmt.Printf("%-36s %9s %9s %9s %8s\n", "query", "p50", "p99", "max", "rows")
	for _, k := range kinds {
		for range *warmup {
			get(k.path())
		}
		took := make([]time.Duration, *requests)
		rows := 0
		for i := range took {
			p := k.path()
			start := time.Now()
			rows += get(p)
			took[i] = time.Since(start)
		}
		slices.Sort(took)
		fmt.Printf("%-36s %9s %9s %9s %8.1f\n", k.name, ms(took[len(took)/2]), ms(took[len(took)*99/100]),
			ms(took[len(took)-1]), float64(rows)/float64(len(took)))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// The messages are spread over ~1.5 s each, from start on.
var start = time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)

// dayOf is a day within the loaded history.
func dayOf(rng *rand.Rand, loc *time.Location, n int) string {
	t := start.Add(time.Duration(rng.Int64N(int64(n))) * 1500 * time.Millisecond)
	return t.In(loc).Format("2006-01-02")
}

// urlsBefore is set by the loader: an id in the middle of the URL archive.
var urlsBefore int64

func openRaw(dsn string) (*sql.DB, bool) {
	if store.IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			log.Fatal(err)
		}
		return db, true
	}
	db, err := sql.Open("sqlite", "file:"+dsn+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)&_pragma=cache_size(-64000)")
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	return db, false
}

func must(_ sql.Result, err error) {
	if err != nil {
		log.Fatal(err)
	}
}

const rareWords = 200

// rareWord is a word planted about ten times in the whole history.
func rareWord(i int) string { return fmt.Sprintf("zorglub%03d", i) }

var frequent = []string{"est", "pas", "the", "lol", "mais", "que", "is", "pour", "you", "bien"}

// authors are the logins of the loaded messages (the loader's: user0…).
var authors = func() []string {
	a := make([]string, 200)
	for i := range a {
		a[i] = fmt.Sprintf("user%d", i)
	}
	return a
}()

// days are days with messages, for "word + one day"; empty: the loader's
// (dayOf).
var days []string

// useHistgenWords makes the queries those of a history bench/histgen
// wrote: its common words (each in about 7% of the messages), its logins,
// phrases of two of its words, and its days, read from the database.
func useHistgenWords(db *sql.DB) {
	frequent = []string{"le", "the", "est", "café", "and", "server", "moule", "très", "pas", "coin"}
	phrases = []string{`"pas mal"`, `"le café"`, `"the server"`, `"très bien"`, `"moule coin"`}
	authors = nil
	for i := range 40 { // as histgen names them
		a := []string{"batman", "hécube", "priam", "cassandre", "le_géomètre", "moules", "plop", "Zorglub",
			"Émilie", "jean-luc", "tôto", "ßeta"}[i%12]
		if i >= 12 {
			a += fmt.Sprint(i)
		}
		authors = append(authors, a)
	}
	rs, err := db.Query(`SELECT day FROM message_days WHERE n > 0 ORDER BY day`)
	if err != nil {
		log.Fatal(err)
	}
	defer rs.Close()
	for rs.Next() {
		var d int
		if err := rs.Scan(&d); err != nil {
			log.Fatal(err)
		}
		days = append(days, fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100))
	}
	q := `SELECT COALESCE(MAX(message_id), 0) / 2 FROM urls`
	if err := db.QueryRow(q).Scan(&urlsBefore); err != nil {
		log.Fatal(err)
	}
}

var phrases = []string{`"c'est pas faux"`, `"pas mal"`, `"it works"`, `"moules frites"`, `"la tribune"`}

// Chat vocabulary: common words first (picked more often), then rarer
// ones, accented words among them.
var vocabulary = strings.Fields(`
est pas the lol mais que is pour you bien de la le et un une à il je tu on ça c'est
a to and of it that in this what yes no ok plop coin pan moule moules frites tribune
élève déjà très été café où même après là-bas peut-être français anglais
code go rust python serveur base données requête index recherche lien bouchot norloge totoz
bonjour salut merci demain hier aujourd'hui midi soir nuit matin semaine
works broken bug fix deploy release merge branch commit test build
vraiment faux vrai mal bon mauvais grand petit nouveau vieux drôle triste
chat chien voiture vélo train avion maison ville pays monde
why how when where who because maybe never always sometimes
linux windows mac debian ubuntu firefox chrome emacs vim
manger boire dormir travailler jouer lire écrire parler penser savoir
trop beaucoup peu rien tout tous toutes quelque chose personne
météo pluie soleil neige vent froid chaud
`)

var uas = []string{"Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", "olcc", "quteqoin/0.5", "wmcoincoin/2.6",
	"curl/8.5", "Mozilla/5.0 (Macintosh) Safari/605", "coincoin-go", "Mozilla/5.0 (Windows NT 10.0) Chrome/131"}

// text makes one message: 3 to 20 words, mostly common ones.
func text(rng *rand.Rand, z *rand.Zipf) string {
	n := 3 + rng.IntN(18)
	w := make([]string, n)
	for i := range w {
		w[i] = vocabulary[min(int(z.Uint64()), len(vocabulary)-1)]
	}
	switch rng.IntN(40) {
	case 0:
		return strings.Join(w, " ") + " c'est pas faux"
	case 1:
		return "pas mal " + strings.Join(w, " ")
	case 2:
		return strings.Join(w, " ") + " it works"
	}
	return strings.Join(w, " ")
}

func load(db *sql.DB, pg bool, n int, loc *time.Location, index string) {
	rng := rand.New(rand.NewPCG(1, 2))
	z := rand.NewZipf(rng, 1.1, 3, uint64(len(vocabulary)-1))
	// Each rare word goes into ten random messages.
	rare := map[int]string{}
	for i := range rareWords {
		for range 10 {
			rare[rng.IntN(n)] = rareWord(i)
		}
	}
	after := !pg && index == "after"
	if after {
		for _, q := range []string{`DROP TRIGGER message_search_insert`} {
			must(db.Exec(q))
		}
	}
	const batch = 500
	began := time.Now()
	urls := 0
	t := start
	lastSec, index2 := int64(0), 0
	for done := 0; done < n; {
		tx, err := db.Begin()
		if err != nil {
			log.Fatal(err)
		}
		for chunk := 0; chunk < 100 && done < n; chunk++ {
			var sb, ub strings.Builder
			var args, uargs []any
			sb.WriteString(`INSERT INTO messages (id, channel_id, created, modified, clock, day, clock_index, info, login, raw, web, remote, submitted) VALUES `)
			ub.WriteString(`INSERT INTO urls (message_id, created, login, url, url_hash) VALUES `)
			for i := 0; i < batch && done < n; i++ {
				done++
				t = t.Add(time.Duration(500+rng.IntN(2000)) * time.Millisecond)
				raw := text(rng, z)
				if w, ok := rare[done]; ok {
					raw += " " + w
				}
				if rng.IntN(20) == 0 {
					u := fmt.Sprintf("https://example.org/%d/page", done)
					raw += " " + u
					if urls > 0 {
						ub.WriteString(",")
					}
					urls++
					p := len(uargs)
					ub.WriteString(placeholders(pg, p, 5))
					uargs = append(uargs, done, t.UnixMicro(), "", u, fmt.Sprintf("%032x", done))
				}
				login := ""
				if rng.IntN(3) == 0 {
					login = fmt.Sprintf("user%d", int(rng.ExpFloat64()*30)%200)
				}
				sec := t.Unix()
				if sec == lastSec {
					index2++
				} else {
					lastSec, index2 = sec, 1
				}
				local := t.In(loc)
				web := html.EscapeString(raw)
				if i > 0 {
					sb.WriteString(",")
				}
				p := len(args)
				sb.WriteString(placeholders(pg, p, 13))
				args = append(args, done, 1, t.UnixMicro(), sec, local.Hour()*3600+local.Minute()*60+local.Second(),
					local.Year()*10000+int(local.Month())*100+local.Day(), index2, uas[rng.IntN(len(uas))], login, raw, web, web, t.UnixMicro())
			}
			if _, err := tx.Exec(sb.String(), args...); err != nil {
				log.Fatal(err)
			}
			if urls > 0 {
				if _, err := tx.Exec(ub.String(), uargs...); err != nil {
					log.Fatal(err)
				}
				urls = 0
			}
		}
		if err := tx.Commit(); err != nil {
			log.Fatal(err)
		}
		if done%200000 < 50000 {
			fmt.Fprintf(os.Stderr, "loaded %d messages, %.0f/s\n", done, float64(done)/time.Since(began).Seconds())
		}
	}
	took := time.Since(began)
	fmt.Printf("bulk load: %d messages in %s, %.0f messages/s (index: %s)\n", n, took.Round(time.Millisecond),
		float64(n)/took.Seconds(), map[bool]string{true: "built after", false: "maintained on insert"}[after])
	if after {
		began := time.Now()
		must(db.Exec(`INSERT INTO message_search (rowid, body, ua, author) SELECT id, raw, info, login FROM messages WHERE removed IS NULL`))
		must(db.Exec(`CREATE TRIGGER message_search_insert AFTER INSERT ON messages WHEN new.removed IS NULL BEGIN
			INSERT INTO message_search (rowid, body, ua, author) VALUES (new.id, new.raw, new.info, new.login); END`))
		fmt.Printf("index built after the load in %s\n", time.Since(began).Round(time.Millisecond))
	}
	if pg {
		must(db.Exec(`SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT MAX(id) FROM messages))`))
		// What autovacuum does soon after a load: the GIN index's pending
		// list merged, the statistics gathered.
		must(db.Exec(`VACUUM ANALYZE messages`))
		must(db.Exec(`VACUUM ANALYZE urls`))
	} else {
		must(db.Exec(`INSERT INTO message_search(message_search) VALUES ('optimize')`))
		must(db.Exec(`ANALYZE`))
	}
	var lo, hi int64
	db.QueryRow(`SELECT MIN(id), MAX(id) FROM urls`).Scan(&lo, &hi)
	urlsBefore = (lo + hi) / 2
}

// placeholders writes a row of n arguments after the first p: $N for
// PostgreSQL, ? for SQLite (whose $N are named parameters, looked up one
// by one: thousands in one statement cost seconds).
func placeholders(pg bool, p, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if pg {
			fmt.Fprintf(&b, "$%d", p+i+1)
		} else {
			b.WriteByte('?')
		}
	}
	b.WriteByte(')')
	return b.String()
}

// sizes prints the search index's size per message.
func sizes(db *sql.DB, pg bool) {
	var n int64
	db.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&n)
	var lo, hi int64
	db.QueryRow(`SELECT MIN(id), MAX(id) FROM urls`).Scan(&lo, &hi)
	urlsBefore = (lo + hi) / 2
	if n == 0 {
		return
	}
	if pg {
		var gin, col, login, total int64
		db.QueryRow(`SELECT pg_relation_size('messages_search'), pg_relation_size('messages_login'),
			pg_total_relation_size('messages') FROM messages LIMIT 1`).Scan(&gin, &login, &total)
		db.QueryRow(`SELECT SUM(pg_column_size(search)) FROM messages`).Scan(&col)
		fmt.Printf("search index per message: GIN %.0f bytes + tsvector column %.0f bytes (+ login index %.0f bytes); messages with indexes: %.0f bytes\n",
			float64(gin)/float64(n), float64(col)/float64(n), float64(login)/float64(n), float64(total)/float64(n))
		return
	}
	var fts, total int64
	if err := db.QueryRow(`SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name LIKE 'message_search%'`).Scan(&fts); err != nil {
		fmt.Println("dbstat:", err)
	}
	db.QueryRow(`SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`).Scan(&total)
	fmt.Printf("search index per message: FTS5 %.0f bytes; whole database %.0f bytes\n", float64(fts)/float64(n), float64(total)/float64(n))
}
