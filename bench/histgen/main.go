// Command histgen writes a tribune export (JSON Lines, the format of
// tribune export) of N made-up messages, for loading a large history with
// tribune import and measuring archives, permalinks, the clock finder and
// search on it:
//
//	go run ./bench/histgen -n 10000000 -channels ,dev,jeux > history.jsonl
//	tribune import history.jsonl
//
// The messages look like a tribune's: short and long ones, French and
// English words with accents, links, totoz, norloges to earlier messages
// (undated, with an index, dated), a few dozen accounts and anonymous
// user agents, bursts of several messages in one second, quiet nights,
// spread over -days days. The same -seed writes the same file.
//
// With -rare K, K rare words (zorglub000, zorglub001, …) are planted about
// ten times each, evenly through the history, for timing a search that
// finds few messages (bench/search -existing). They take nothing from the
// random stream: the rest of the file is the same with or without them.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

var words = strings.Fields(`le la les un une des et ou mais donc or ni car je tu il elle on nous vous ils elles
	est sont était été être avoir fait faire dit dire voir vu pris prendre mettre
	très trop peu beaucoup encore déjà toujours jamais aujourd'hui hier demain ici là-bas
	café thé pain fromage bière vin œuf bœuf crème brûlée gâteau pâtes
	élève école maître cœur fenêtre forêt hôpital château île août noël où à ça
	ordinateur écran clavier souris serveur réseau fichier mémoire processeur
	moule coin pan plop kikoo pas mal génial nul bof ouais
	the a an and or but so yes no maybe very too much little already never always
	today yesterday tomorrow coffee tea bread cheese beer wine computer screen keyboard
	server network file memory processor build test deploy release bug fix commit
	naïve café résumé façade déjà-vu piñata über`)

var totoz = []string{"[:totoz]", "[:aloy]", "[:uxam]", "[:kiki]", "[:popcorn]", "[:rofl]", "[:plop]", "[:coin]"}

var sites = []string{"https://linuxfr.org/news/", "https://www.youtube.com/watch?v=", "http://example.com/page/",
	"https://fr.wikipedia.org/wiki/", "https://github.com/tribune-go/tribune/issues/", "https://totoz.eu/"}

var agents = []string{"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
	"olcc 2.1", "wmcoincoin/2.6.3", "curl/8.5.0", "coincoin-ng", "Demokos", "Andromaque", "coward", "Lorem ipsum salace",
	"Ubuntu Touch Pinard", "Le Géomètre", "Hécube", "plop plop", "PseudoAnonyme", "bigornophone 3000"}

type line struct {
	ID      int64  `json:"id"`
	Channel string `json:"channel"`
	Created string `json:"created"`
	Info    string `json:"info"`
	Login   string `json:"login"`
	Message string `json:"message"`
}

func main() {
	n := flag.Int64("n", 10_000_000, "how many messages")
	channels := flag.String("channels", "", "comma-separated channel slugs ('' is the default channel); the first gets the most messages")
	days := flag.Int("days", 400, "about how many days the messages span, ending near -end")
	end := flag.String("end", "2026-12-01", "the day of the last message (YYYY-MM-DD)")
	zone := flag.String("timezone", "Europe/Paris", "the zone of the times written")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "-", "output file (- for standard output)")
	rare := flag.Int64("rare", 0, "plant this many rare words (zorglubNNN), about ten times each")
	flag.Parse()
	loc, err := time.LoadLocation(*zone)
	if err != nil {
		fail(err)
	}
	last, err := time.ParseInLocation("2006-01-02", *end, loc)
	if err != nil {
		fail(err)
	}
	w := os.Stdout
	if *out != "-" {
		if w, err = os.Create(*out); err != nil {
			fail(err)
		}
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	if err := generate(bw, *n, strings.Split(*channels, ","), *days, last, loc, *seed, *rare); err != nil {
		fail(err)
	}
	if err := bw.Flush(); err != nil {
		fail(err)
	}
	if err := w.Close(); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "histgen:", err)
	os.Exit(1)
}

func generate(w *bufio.Writer, n int64, channels []string, days int, end time.Time, loc *time.Location, seed uint64, rare int64) error {
	// Every step-th message gets the next rare word, so each comes back
	// about ten times.
	step := int64(0)
	if rare > 0 {
		step = max(1, n/(rare*10))
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	logins := make([]string, 40)
	for i := range logins {
		logins[i] = []string{"batman", "hécube", "priam", "cassandre", "le_géomètre", "moules", "plop", "Zorglub",
			"Émilie", "jean-luc", "tôto", "ßeta"}[i%12]
		if i >= 12 {
			logins[i] += fmt.Sprint(i)
		}
	}
	start := end.AddDate(0, 0, -days)
	span := end.Sub(start).Seconds()
	mean := span / float64(n) // seconds between messages, on average
	t := start
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	// The recent messages of each channel, for norloges.
	recent := make([][]time.Time, len(channels))
	var text strings.Builder
	for id := int64(1); id <= n; id++ {
		// Bursts: a fifth of the messages share the second of the one before;
		// nights are quieter.
		if r.IntN(5) != 0 {
			gap := r.ExpFloat64() * mean * 1.25
			if h := t.In(loc).Hour(); h < 7 {
				gap *= 3
			}
			t = t.Add(time.Duration(gap * float64(time.Second)))
		}
		t = t.Add(time.Duration(r.IntN(1000)) * time.Microsecond)
		ci := 0
		if len(channels) > 1 && r.IntN(3) == 0 {
			ci = 1 + r.IntN(len(channels)-1)
		}
		text.Reset()
		if refs := recent[ci]; len(refs) > 0 && r.IntN(4) == 0 {
			ref := refs[r.IntN(len(refs))].In(loc)
			switch r.IntN(6) {
			case 0:
				text.WriteString(ref.Format("2006/01/02#15:04:05"))
			case 1:
				text.WriteString(ref.Format("15:04:05") + "¹")
			case 2:
				text.WriteString(ref.Format("15:04"))
			default:
				text.WriteString(ref.Format("15:04:05"))
			}
			text.WriteByte(' ')
		}
		words := 2 + r.IntN(12)
		if r.IntN(10) == 0 {
			words += 20 + r.IntN(60)
		}
		for i := range words {
			if i > 0 {
				text.WriteByte(' ')
			}
			switch k := r.IntN(100); {
			case k < 2:
				text.WriteString(totoz[r.IntN(len(totoz))])
			case k < 3:
				fmt.Fprintf(&text, "%s%d", sites[r.IntN(len(sites))], r.IntN(1_000_000))
			case k < 4:
				text.WriteString("<b>" + words_(r) + "</b>")
			default:
				text.WriteString(words_(r))
			}
		}
		l := line{ID: id, Channel: channels[ci], Created: t.In(loc).Format("2006-01-02T15:04:05.000000Z07:00")}
		if r.IntN(10) < 3 {
			l.Login = logins[r.IntN(len(logins))]
			l.Info = l.Login
			if r.IntN(3) == 0 {
				l.Info = agents[r.IntN(len(agents))]
			}
		} else {
			l.Info = agents[r.IntN(len(agents))]
		}
		if step > 0 && id%step == 0 {
			fmt.Fprintf(&text, " zorglub%03d", (id/step)%rare)
		}
		l.Message = text.String()
		if err := enc.Encode(&l); err != nil {
			return err
		}
		if len(recent[ci]) < 64 {
			recent[ci] = append(recent[ci], t)
		} else {
			recent[ci][r.IntN(64)] = t
		}
	}
	return nil
}

func words_(r *rand.Rand) string { return words[r.IntN(len(words))] }
