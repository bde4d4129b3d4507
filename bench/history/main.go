// Command history measures how the tribune's reads into history hold as a
// channel grows: it builds the tribune (or takes a binary), creates a fresh
// database, loads N messages straight into it, starts the server on
// loopback, and times each history route (p50/p99 over many requests after
// a warm-up), the server's start and the database's size per message.
//
//	go run ./bench/history -n 1000000
//	go run ./bench/history -n 1000000 -db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable'
//	go run ./bench/history -n 1000000 -tribune /tmp/tribune-main   # the "before"
//
// Loopback only; the loader is this program's own (plain INSERTs in large
// transactions), not the tribune's import.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

func main() {
	n := flag.Int("n", 100000, "messages to load into the default channel")
	perDay := flag.Int("per-day", 3000, "messages per day: history spans n/per-day days ending today")
	requests := flag.Int("requests", 500, "timed requests per route (after as many to warm up)")
	dsn := flag.String("db", "", "a postgres:// URL of an empty database (its public schema is reset); empty: an SQLite file in a temporary directory")
	bin := flag.String("tribune", "", "the tribune binary to measure; empty: build ./cmd/tribune")
	addr := flag.String("addr", "127.0.0.1:18380", "loopback address for the server")
	keep := flag.String("keep", "", "directory for the SQLite file, kept after the run (reused when it holds one with n messages)")
	flag.BoolVar(&reuse, "reuse", false, "on PostgreSQL, keep the database when it holds n messages already")
	budget := flag.Duration("budget", time.Minute, "time limit per route: a slower route is measured over fewer requests (said in the output)")
	only := flag.String("only", "", "measure only the routes whose name contains this")
	flag.Parse()
	routeBudget, routeFilter = *budget, *only
	if err := run(*n, *perDay, *requests, *dsn, *bin, *addr, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "history:", err)
		os.Exit(1)
	}
}

var (
	reuse       bool
	routeBudget time.Duration
	routeFilter string
)

func run(n, perDay, requests int, dsn, bin, addr, keep string) error {
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("-addr must be a loopback address")
	}
	work, err := os.MkdirTemp("", "tribune-history-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if bin == "" {
		bin = filepath.Join(work, "tribune")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/tribune").CombinedOutput(); err != nil {
			return fmt.Errorf("build: %v\n%s", err, out)
		}
	}
	pg := strings.HasPrefix(dsn, "postgres")
	db := dsn
	if !pg {
		dir := work
		if keep != "" {
			dir = keep
		}
		db = filepath.Join(dir, "tribune.db")
	}
	env := append(os.Environ(), "TRIBUNE_DB="+db, "TRIBUNE_TIMEZONE=Europe/Paris", "TRIBUNE_LOG_LEVEL=warn")
	conn, loaded, err := open(db, pg, n)
	if err != nil {
		return err
	}
	defer conn.Close()
	if loaded {
		// The kept database may come from another binary: bring its schema
		// up to date first, timed (an upgrade's cost).
		t := time.Now()
		cmd := exec.Command(bin, "migrate")
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("migrate: %v\n%s", err, out)
		}
		fmt.Printf("migrate on the loaded database: %s (%s)\n", time.Since(t).Round(time.Millisecond), strings.TrimSpace(string(out)))
	}
	if !loaded {
		if pg {
			if _, err := conn.Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
				return err
			}
		} else {
			os.Remove(db)
		}
		cmd := exec.Command(bin, "migrate")
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("migrate: %v\n%s", err, out)
		}
		start := time.Now()
		if err := load(conn, pg, n, perDay); err != nil {
			return err
		}
		fmt.Printf("loaded %d messages in %s (%.0f/s)\n", n, time.Since(start).Round(time.Second), float64(n)/time.Since(start).Seconds())
	}
	size, err := dbSize(conn, pg, db)
	if err != nil {
		return err
	}
	fmt.Printf("database: %.1f MB, %.0f bytes per message\n", float64(size)/1e6, float64(size)/float64(n))

	var first, last int64
	var firstDay, lastDay int
	if err := conn.QueryRow(`SELECT MIN(id), MAX(id), MIN(day), MAX(day) FROM messages`).Scan(&first, &last, &firstDay, &lastDay); err != nil {
		return err
	}
	srv := exec.Command(bin, "serve", "-addr", addr, "-post-rate-limit", "0")
	srv.Env = env
	srv.Stderr = os.Stderr
	t0 := time.Now()
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	base := "http://" + addr
	for {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(t0) > time.Minute {
			return fmt.Errorf("the server did not start within a minute")
		}
		time.Sleep(5 * time.Millisecond)
	}
	fmt.Printf("server start (to /healthz 200): %s\n", time.Since(t0).Round(time.Millisecond))
	// The first board read after the start: the snapshot is loaded then.
	t1 := time.Now()
	if err := get(base + "/remote/xml/"); err != nil {
		return err
	}
	fmt.Printf("first backend read after start: %s\n", time.Since(t1).Round(time.Millisecond))

	rnd := rand.New(rand.NewPCG(1, 2))
	id := func() int64 { return first + rnd.Int64N(last-first+1) }
	clock := func() string {
		return fmt.Sprintf("%02d:%02d:%02d", rnd.IntN(24), rnd.IntN(60), rnd.IntN(60))
	}
	days := dayList(firstDay, lastDay)
	day := func() string {
		d := days[rnd.IntN(len(days))]
		return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100)
	}
	routes := []struct {
		name string
		url  func() string
	}{
		// The noise floor: the machine is shared, figures move with it.
		{"healthz (baseline: no database)", func() string { return "/healthz" }},
		{"remote/ (plain)", func() string { return "/remote/" }},
		{"remote/tsv/", func() string { return "/remote/tsv/" }},
		{"remote/json/", func() string { return "/remote/json/" }},
		{"remote/xml/", func() string { return "/remote/xml/" }},
		{"clock/HH:MM:SS/ (undated)", func() string { return "/clock/" + clock() + "/" }},
		{"clock/HH:MM/ (undated minute)", func() string { return "/clock/" + clock()[:5] + "/" }},
		{"clock/YYYY-MM-DDTHH:MM:SS/ (dated)", func() string { return "/clock/" + day() + "T" + clock() + "/" }},
		{"message/ID/", func() string { return fmt.Sprintf("/message/%d/", id()) }},
		{"message/ID/json/", func() string { return fmt.Sprintf("/message/%d/json/", id()) }},
		{"archives/", func() string { return "/archives/" }},
		{"archives/DAY/", func() string { return "/archives/" + day() + "/" }},
		{"archives/DAY/json/?limit=100", func() string { return "/archives/" + day() + "/json/?limit=100" }},
		{"/?before=ID (board, older page)", func() string { return fmt.Sprintf("/?before=%d", id()) }},
	}
	fmt.Printf("\n%d requests per route after %d to warm up, one client, loopback; %d messages\n", requests, requests/2, n)
	fmt.Printf("%-36s %9s %9s %9s  %s\n", "route", "p50", "p99", "max", "status")
	for _, rt := range routes {
		if !strings.Contains(rt.name, routeFilter) {
			continue
		}
		var ds []time.Duration
		codes := map[int]int{}
		began := time.Now()
		for i := 0; len(ds) < requests; i++ {
			if time.Since(began) > routeBudget && len(ds) > 0 {
				break
			}
			u := base + rt.url()
			s := time.Now()
			code, err := status(u)
			d := time.Since(s)
			if err != nil {
				return err
			}
			// Warm up on half as many requests, or a quarter of the budget.
			if i >= requests/2 || time.Since(began) > routeBudget/4 {
				ds = append(ds, d)
				codes[code]++
			}
		}
		if len(ds) == 0 {
			fmt.Printf("%-36s no timed request within %s\n", rt.name, routeBudget)
			continue
		}
		slices.Sort(ds)
		fmt.Printf("%-36s %9s %9s %9s  %v n=%d\n", rt.name, ms(ds[len(ds)/2]), ms(ds[len(ds)*99/100]), ms(ds[len(ds)-1]), codes, len(ds))
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func get(u string) error {
	code, err := status(u)
	if err == nil && code != 200 {
		err = fmt.Errorf("GET %s: %d", u, code)
	}
	return err
}

func status(u string) (int, error) {
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func open(db string, pg bool, n int) (*sql.DB, bool, error) {
	if pg {
		conn, err := sql.Open("pgx", db)
		if err != nil {
			return nil, false, err
		}
		var have int
		err = conn.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&have)
		return conn, err == nil && have == n && reuse, nil
	}
	conn, err := sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, false, err
	}
	var have int
	if err := conn.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&have); err == nil && have == n {
		return conn, true, nil
	}
	conn.Close()
	os.Remove(db)
	conn, err = sql.Open("sqlite", "file:"+db+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	return conn, false, err
}

// load inserts n messages into the default channel, evenly over the days
// that end today (Europe/Paris), with a norloge in one message of four.
func load(db *sql.DB, pg bool, n, perDay int) error {
	db.SetMaxOpenConns(1)
	var channel int64
	if err := db.QueryRow(`SELECT id FROM channels WHERE slug = ''`).Scan(&channel); err != nil {
		return err
	}
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	spanDays := max(1, n/perDay)
	end := time.Now().Add(-time.Minute)
	start := end.AddDate(0, 0, -spanDays)
	step := end.Sub(start) / time.Duration(n)
	rnd := rand.New(rand.NewPCG(3, 4))
	const batch = 500
	cols := 15
	var prev time.Time
	index := 1
	for done := 0; done < n; {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		for range 40 {
			k := min(batch, n-done)
			if k == 0 {
				break
			}
			var q strings.Builder
			q.WriteString(`INSERT INTO messages (channel_id, created, modified, clock, day, clock_index, info, login, raw, web, remote, session_id, ip, submitted, author_id) VALUES `)
			args := make([]any, 0, k*cols)
			for i := range k {
				at := start.Add(step * time.Duration(done+i)).Add(time.Duration(rnd.IntN(int(step/time.Microsecond)+1)) * time.Microsecond / 2)
				if !at.After(prev) {
					at = prev.Add(time.Microsecond)
				}
				if at.Unix() == prev.Unix() {
					index++
				} else {
					index = 1
				}
				prev = at
				local := at.In(loc)
				text := fmt.Sprintf("message %d, about the weather and http://example.com/%d", done+i, rnd.IntN(1000))
				if rnd.IntN(4) == 0 {
					back := local.Add(-time.Duration(rnd.IntN(600)) * time.Second)
					text = back.Format("15:04:05") + " " + text
				}
				login := ""
				if rnd.IntN(3) == 0 {
					login = fmt.Sprintf("user%d", rnd.IntN(50))
				}
				if i > 0 {
					q.WriteString(",")
				}
				q.WriteString("(")
				for c := range cols {
					if c > 0 {
						q.WriteString(",")
					}
					fmt.Fprintf(&q, "$%d", len(args)+c+1)
				}
				q.WriteString(")")
				clock := local.Hour()*3600 + local.Minute()*60 + local.Second()
				day := local.Year()*10000 + int(local.Month())*100 + local.Day()
				args = append(args, channel, at.UnixMicro(), at.Unix(), clock, day, index,
					"Mozilla/5.0 (X11; Linux x86_64) bench", login, text, text, text, "", "127.0.0.1", at.UnixMicro(), nil)
			}
			if _, err := tx.Exec(q.String(), args...); err != nil {
				tx.Rollback()
				return err
			}
			done += k
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if done%200000 < batch*40 {
			fmt.Fprintf(os.Stderr, "\rloaded %d", done)
		}
	}
	fmt.Fprintln(os.Stderr)
	if pg {
		_, err = db.Exec(`VACUUM ANALYZE`) // the visibility map: index-only scans, as autovacuum leaves a steady database
	} else {
		_, err = db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	return err
}

func dbSize(db *sql.DB, pg bool, path string) (int64, error) {
	if pg {
		var n int64
		err := db.QueryRowContext(context.Background(), `SELECT pg_database_size(current_database())`).Scan(&n)
		return n, err
	}
	var total int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			total += fi.Size()
		}
	}
	return total, nil
}

// dayList lists the YYYYMMDD days from first to last.
func dayList(first, last int) []int {
	t := time.Date(first/10000, time.Month(first/100%100), first%100, 12, 0, 0, 0, time.UTC)
	var ds []int
	for {
		d := t.Year()*10000 + int(t.Month())*100 + t.Day()
		if d > last {
			return ds
		}
		ds = append(ds, d)
		t = t.AddDate(0, 0, 1)
	}
}
