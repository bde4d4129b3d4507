package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/history"
	"github.com/tribune-go/tribune/internal/server"
	"github.com/tribune-go/tribune/internal/store"
)

// tribune export and tribune import (docs/history.md).

func export(ctx context.Context, args []string, env Env) error {
	const synopsis = "export [-channel SLUG] [-since YYYY-MM-DD] > FILE\n\n" +
		"Writes the published messages, oldest first, as JSON Lines on standard output\n" +
		"(one message a line: id, channel, created, info, login, message). -channel ''\n" +
		"selects the default channel; -since is a day in the tribune's time zone."
	fs, cf := flagSet("export", synopsis, env, "channel", "since")
	slug := fs.String("channel", "", "export only this channel ('' is the default channel)")
	since := fs.String("since", "", "export only the messages of this day (YYYY-MM-DD, the tribune's zone) and later")
	cfg, rest, err := load(fs, cf, args, env)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{"export takes no arguments: it writes to standard output"}
	}
	var opt history.ExportOptions
	if *since != "" {
		day, err := time.ParseInLocation("2006-01-02", *since, cfg.Location)
		if err != nil {
			return usageError{fmt.Sprintf("-since %q is not a day (YYYY-MM-DD)", *since)}
		}
		opt.Since = day
	}
	_, st, closeDB, err := openHistory(ctx, &cfg, false)
	if err != nil {
		return err
	}
	defer closeDB()
	channelGiven := false
	fs.Visit(func(f *flag.Flag) { channelGiven = channelGiven || f.Name == "channel" })
	if channelGiven {
		c, err := st.Channel(ctx, *slug)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no channel %q", *slug)
		}
		if err != nil {
			return err
		}
		opt.ChannelID = c.ID
	}
	_, err = history.Export(ctx, st, env.Stdout, opt)
	return err
}

func importHistory(ctx context.Context, args []string, env Env) error {
	const synopsis = "import [-renumber] [-from tribune|djangotribune] FILE (- for standard input)\n\n" +
		"Reads an export (JSON Lines, as tribune export writes it) or, with -from djangotribune,\n" +
		"a djangotribune site's 'manage.py dumpdata' JSON, into the database, in one transaction:\n" +
		"all of it or nothing. Messages are rendered again; channels are created when missing;\n" +
		"message ids are kept (an id already taken is an error, unless -renumber). On SQLite\n" +
		"no server may run on the database meanwhile; on PostgreSQL posts wait for the import.\n" +
		"Naive times of a dump are read in the tribune's time zone (-timezone)."
	fs, cf := flagSet("import", synopsis, env, "renumber", "from")
	renumber := fs.Bool("renumber", false, "give every message the next free id, in the file's order, instead of its own")
	from := fs.String("from", "tribune", "what the file is: tribune (an export) or djangotribune (a dumpdata JSON)")
	cfg, rest, err := load(fs, cf, args, env)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{"import takes one file (- for standard input)"}
	}
	if *from != "tribune" && *from != "djangotribune" {
		return usageError{fmt.Sprintf("-from %q: tribune or djangotribune", *from)}
	}
	in, size, err := openInput(rest[0], env)
	if err != nil {
		return err
	}
	defer in.Close()
	b, st, closeDB, err := openHistory(ctx, &cfg, true)
	if err != nil {
		return err
	}
	defer closeDB()
	opt := history.Options{Renumber: *renumber}
	began := time.Now()
	var bar *progress
	if f, ok := env.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar = &progress{w: env.Stderr, size: size, began: began}
		opt.Progress = bar.show
	}
	var rep *history.Report
	if *from == "djangotribune" {
		rep, err = history.ImportDjango(ctx, b, st, in, opt)
	} else {
		rep, err = history.Import(ctx, b, st, in, opt)
	}
	bar.end()
	if err != nil {
		return fmt.Errorf("nothing was imported: %w", err)
	}
	took := time.Since(began)
	fmt.Fprintf(env.Stdout, "imported %d message(s) in %s (%.0f/s)\n", rep.Messages, took.Round(10*time.Millisecond),
		float64(rep.Messages)/max(took.Seconds(), 1e-3))
	if len(rep.Channels) > 0 {
		fmt.Fprintf(env.Stdout, "created channel(s): %s\n", strings.Join(rep.Channels, ", "))
	}
	if *from == "djangotribune" {
		fmt.Fprintf(env.Stdout, "imported %d account(s), %d saved filter(s), %d URL(s) of the old URL archive\n",
			rep.Users, rep.Filters, rep.URLs)
		if len(rep.NoPassword) > 0 {
			fmt.Fprintf(env.Stdout, "without a usable password (an admin sets one with 'tribune user passwd'): %s\n",
				strings.Join(rep.NoPassword, ", "))
		}
		for _, r := range rep.RefusedUsers {
			fmt.Fprintf(env.Stdout, "not imported: %s\n", r)
		}
		if rep.SkippedFilters > 0 {
			fmt.Fprintf(env.Stdout, "skipped %d filter(s) of a kind this tribune lacks\n", rep.SkippedFilters)
		}
		for model, n := range rep.Skipped {
			fmt.Fprintf(env.Stdout, "skipped %d %s object(s) (not used here)\n", n, model)
		}
	}
	return nil
}

// openInput opens the file to import; size is its size when known (0 for a
// pipe), for the time left.
func openInput(name string, env Env) (io.ReadCloser, int64, error) {
	if name == "-" {
		var size int64
		if f, ok := env.Stdin.(*os.File); ok {
			if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
				size = fi.Size()
			}
		}
		return io.NopCloser(env.Stdin), size, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if fi.IsDir() {
		f.Close()
		return nil, 0, fmt.Errorf("%s is a directory", name)
	}
	return f, fi.Size(), nil
}

// openHistory opens the database and a board over it for export and
// import. Like the management commands, it creates no database. An import
// takes the SQLite database's lock, as a server does: it cannot run while
// a server serves the file (the server's snapshots would not see it), and
// no server starts while it runs.
func openHistory(ctx context.Context, cfg *config.Config, lock bool) (*board.Board, *store.Store, func(), error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, nil, err
	}
	opts := storeOptions(cfg)
	opts.Existing, opts.Lock = true, lock
	st, err := store.Open(ctx, cfg.DB, opts)
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, nil, nil, noDatabase(cfg.DB)
	}
	var locked *store.LockedError
	if errors.As(err, &locked) {
		return nil, nil, nil, fmt.Errorf("%w: stop the server for the import (an SQLite database takes one writer that caches what it serves)", err)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	if err := readySchema(ctx, st, cfg); err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	b, err := board.New(board.Deps{Config: cfg, Store: st, Logger: cfg.Logger, Reserved: server.ReservedSlugs()})
	if err != nil {
		st.Close()
		return nil, nil, nil, err
	}
	return b, st, func() { st.Close() }, nil
}

// progress shows an import's progress on a terminal: messages, rate and,
// when the input's size is known, the time left.
type progress struct {
	w     io.Writer
	size  int64
	began time.Time
	last  time.Time
	shown bool
}

func (p *progress) show(n int, pos int64) {
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	elapsed := now.Sub(p.began).Seconds()
	line := fmt.Sprintf("\r%d messages, %.0f/s", n, float64(n)/max(elapsed, 1e-3))
	if p.size > 0 && pos > 0 {
		left := time.Duration(elapsed * float64(p.size-pos) / float64(pos) * float64(time.Second))
		line += fmt.Sprintf(", %d%%, %s left", min(100, pos*100/p.size), left.Round(time.Second))
	}
	fmt.Fprintf(p.w, "%-60s", line)
}

func (p *progress) end() {
	if p != nil && p.shown {
		fmt.Fprintln(p.w)
	}
}
