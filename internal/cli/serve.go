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
	db := "sqlite " + cfg.DB
	if store.IsPostgres(cfg.DB) {
		db = "postgres"
	}
	// The Go runtime has raised the open-file limit to the hard limit
	// already; the streams get half of it unless told otherwise.
	streams, files := server.StreamCap(&cfg)
	if files > 0 && streams > files-files/4 {
		log.Warn("TRIBUNE_STREAM_MAX leaves few open files for ordinary requests", "streams", streams, "open_files", files)
	}
	log.Info("tribune serving", "addr", "http://"+ln.Addr().String()+cfg.Prefix+"/", "db", db, "timezone", cfg.Location.String(),
		"max_streams", streams, "open_files", files)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("tribune stopping")
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// rootHandler serves the tribune, and when it is mounted under a prefix,
// sends visitors of the site root to it.
func rootHandler(cfg *config.Config, t http.Handler) http.Handler {
	if cfg.Prefix == "" {
		return t
	}
	mux := http.NewServeMux()
	mux.Handle(cfg.Prefix+"/", t)
	mux.Handle(cfg.Prefix, t)
	mux.Handle("/{$}", http.RedirectHandler(cfg.Prefix+"/", http.StatusFound))
	return mux
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
// real one). An older schema is migrated like serve does, or with
// -migrate=false refused. close closes the database. It takes no lock: the
// commands work while a server runs.
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

// readySchema refuses a database without a tribune and brings an older
// schema up to date (or, with -migrate=false, refuses it).
func readySchema(ctx context.Context, st *store.Store, cfg *config.Config) error {
	current, _, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if current == 0 {
		return noDatabase(cfg.DB)
	}
	if cfg.Migrate {
		_, err = st.Migrate(ctx)
		return err
	}
	return st.CheckSchema(ctx)
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
