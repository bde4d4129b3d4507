package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/server"
	"github.com/tribune-go/tribune/internal/store"
)

func serve(ctx context.Context, args []string, env Env) error {
	fs, cf := flagSet("serve", "serve [FLAGS]", env)
	cfg, rest, err := load(fs, cf, args, env)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{"serve takes no arguments"}
	}
	log := cfg.Logger
	st, err := tribune.OpenStore(ctx, &cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := tribune.New(cfg, st)
	if err != nil {
		return err
	}
	defer t.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           rootHandler(&cfg, t),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Live streams extend their own write deadline per event.
		WriteTimeout:   30 * time.Second,
		IdleTimeout:    120 * time.Second,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       nil,
	}
	// Shutdown waits for the requests in flight, which live streams never
	// stop being: they end at once, cleanly, and the boards reconnect.
	srv.RegisterOnShutdown(t.EndStreams)
	servers, listeners := []*http.Server{srv}, []net.Listener{ln}
	if cfg.Metrics && cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("metrics: %w", err)
		}
		servers = append(servers, &http.Server{Handler: opsHandler(t), ReadHeaderTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second})
		listeners = append(listeners, mln)
	}
	logStart(log, &cfg, env, listeners)
	errc := make(chan error, len(servers))
	for i := range servers {
		go func() { errc <- servers[i].Serve(listeners[i]) }()
	}
	select {
	case err := <-errc:
		for _, s := range servers {
			s.Close()
		}
		return err
	case <-ctx.Done():
	}
	log.Info("tribune stopping")
	began := time.Now()
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	var errs []error
	for _, s := range servers {
		if err := s.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
		}
	}
	t.Close() // the background work: the stop is over when it is
	log.Info("tribune stopped", "took", time.Since(began).Round(time.Millisecond))
	return errors.Join(errs...)
}

func migrate(ctx context.Context, args []string, env Env) error {
	fs, cf := flagSet("migrate", "migrate [FLAGS]", env)
	cfg, rest, err := load(fs, cf, args, env)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{"migrate takes no arguments"}
	}
	st, err := store.Open(ctx, cfg.DB, storeOptions(&cfg))
	if err != nil {
		return err
	}
	defer st.Close()
	n, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	current, _, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "applied %d migration(s); schema at version %d\n", n, current)
	return nil
}

func storeOptions(cfg *config.Config) store.Options {
	return store.Options{Location: cfg.Location, Synchronous: cfg.SQLiteSynchronous, Logger: cfg.Logger}
}

// openBoard opens the configured database and the board over it for a
// management command. It creates no database: a missing SQLite file, or a
// database without the tribune's schema, is an error naming it (a command
// run from the wrong directory must not make an empty tribune beside the
// real one). Nor does it migrate: an older schema is refused with the way
// to upgrade it, since a running server of the previous version may share
// the database (only serve and migrate change the schema). close closes
// the database. It takes no lock: the commands work while a server runs.
func openBoard(ctx context.Context, cfg *config.Config) (b *board.Board, close func(), err error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	opts := storeOptions(cfg)
	opts.Existing = true
	st, err := store.Open(ctx, cfg.DB, opts)
	if errors.Is(err, store.ErrNoDatabase) {
		return nil, nil, noDatabase(cfg.DB)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := readySchema(ctx, st, cfg); err != nil {
		st.Close()
		return nil, nil, err
	}
	// Management commands render no message: they need not read the URL
	// labels file (which the server's account may be the only one to read).
	bcfg := *cfg
	bcfg.URLLabelsFile = ""
	b, err = board.New(board.Deps{Config: &bcfg, Store: st, Logger: cfg.Logger, Reserved: server.ReservedSlugs()})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return b, func() { st.Close() }, nil
}

// readySchema refuses a database without a tribune, or with a schema
// other than this version's.
func readySchema(ctx context.Context, st *store.Store, cfg *config.Config) error {
	current, _, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if current == 0 {
		return noDatabase(cfg.DB)
	}
	return st.CheckSchema(ctx) // it says to run tribune migrate
}

// noDatabase says that dsn holds no tribune, and what to do.
func noDatabase(dsn string) error {
	const fix = "set TRIBUNE_DB (or -db) to the server's database; 'tribune migrate' or 'tribune serve' creates a new one"
	if store.IsPostgres(dsn) {
		where := dsn
		if u, err := url.Parse(dsn); err == nil {
			where = u.Redacted()
		}
		return fmt.Errorf("the PostgreSQL database %s holds no tribune (no schema): %s", where, fix)
	}
	path := store.SQLitePath(dsn)
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return fmt.Errorf("no tribune database at %s: %s", path, fix)
}
