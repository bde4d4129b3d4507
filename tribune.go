// Package tribune is a tribune server as a library: a Go web application
// mounts it under any path prefix, the way djangotribune is embedded in a
// Django project.
//
//	cfg := tribune.DefaultConfig()
//	cfg.Prefix = "/tribune"
//	st, err := tribune.OpenStore(ctx, &cfg) // SQLite file or postgres:// URL in cfg.DB
//	t, err := tribune.New(cfg, st)
//	defer t.Close()
//	mux.Handle("/tribune/", t)
//
// The health checks and the metrics are handlers of their own, for the
// host to mount where its probes and scraper look (tribune serve puts them
// at the site's root), and live streams end at once when the host's
// server shuts down:
//
//	mux.Handle("GET /healthz", t.Health())
//	mux.Handle("GET /readyz", t.Ready())
//	mux.Handle("GET /metrics", t.Metrics()) // or t.Gatherer() beside the host's own registry
//	srv.RegisterOnShutdown(t.EndStreams)
//
// The cmd/tribune program is the same thing behind flags, environment
// variables and a config file.
package tribune

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/logctx"
	"github.com/tribune-go/tribune/internal/metrics"
	"github.com/tribune-go/tribune/internal/outbound"
	"github.com/tribune-go/tribune/internal/server"
	"github.com/tribune-go/tribune/internal/store"
)

// Config is the tribune's typed configuration. Start from DefaultConfig;
// docs/configuration.md describes every field through its setting name.
type Config = config.Config

// DefaultConfig returns the configuration with every default.
func DefaultConfig() Config { return config.Default() }

// Store is the tribune's database.
type Store = store.Store

// OpenStore opens the database named by cfg.DB for a server and, when
// cfg.Migrate is set, brings its schema up to date; otherwise it checks that
// the schema is current. An SQLite database takes one server: the store
// holds a lock beside the file until it is closed, and OpenStore fails with
// a *store.LockedError while another process holds it.
func OpenStore(ctx context.Context, cfg *Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{Location: cfg.Location, Synchronous: cfg.SQLiteSynchronous, Logger: logger(cfg),
		Lock: true})
	if err != nil {
		return nil, err
	}
	if cfg.Migrate {
		_, err = st.Migrate(ctx)
	} else {
		err = st.CheckSchema(ctx)
	}
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

func logger(cfg *Config) *slog.Logger {
	if cfg.Logger != nil {
		return cfg.Logger
	}
	return slog.Default()
}

// Tribune serves a tribune over HTTP. It is an http.Handler for the paths
// under cfg.Prefix. Its health checks and metrics are handlers of their
// own (Health, Ready, Metrics), for the host to mount at its root.
type Tribune struct {
	srv     *server.Server
	st      *Store
	log     *slog.Logger
	metrics *metrics.Metrics
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	unready throttle
}

// New builds a tribune over an open store (the store must outlive it). Its
// log lines carry the request's id (and the board's audit lines, who
// asked): cfg.Logger is wrapped to add them.
func New(cfg Config, st *Store) (*Tribune, error) {
	cfg.Logger = logctx.Wrap(logger(&cfg))
	m := metrics.New()
	b, err := newBoard(&cfg, st, m)
	if err != nil {
		return nil, err
	}
	srv, err := server.New(b, cfg.Logger, m)
	if err != nil {
		return nil, err
	}
	// The store's group commits, for the metrics (a store serves one
	// tribune: the last one built over it is told).
	st.ObserveCommits(m.Committed)
	ctx, cancel := context.WithCancel(context.Background())
	t := &Tribune{srv: srv, st: st, log: cfg.Logger, metrics: m, cancel: cancel}
	t.wg.Go(func() { b.Run(ctx) })
	return t, nil
}

// newBoard builds the application layer over an open store.
func newBoard(cfg *Config, st *Store, m board.Metrics) (*board.Board, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if st.Location().String() != cfg.Location.String() {
		return nil, fmt.Errorf("tribune: the store was opened for time zone %s, the config says %s", st.Location(), cfg.Location)
	}
	return board.New(board.Deps{Config: cfg, Store: st, Logger: logger(cfg), Outbound: outbound.New(nil),
		Reserved: server.ReservedSlugs(), Metrics: m})
}

// ServeHTTP serves the tribune's routes.
func (t *Tribune) ServeHTTP(w http.ResponseWriter, r *http.Request) { t.srv.ServeHTTP(w, r) }

// EndStreams ends the live streams at once, cleanly, and every one opened
// later: the boards reconnect, to another process if there is one. Call
// it when the HTTP server shuts down (http.Server.RegisterOnShutdown),
// whose Shutdown otherwise waits for streams that never end.
func (t *Tribune) EndStreams() { t.srv.EndStreams() }

// Close ends the live streams and stops the tribune's background work. It
// does not close the store.
func (t *Tribune) Close() error {
	t.srv.EndStreams()
	t.cancel()
	t.wg.Wait()
	return nil
}
