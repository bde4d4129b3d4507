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
// under cfg.Prefix.
type Tribune struct {
	srv    *server.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds a tribune over an open store (the store must outlive it).
func New(cfg Config, st *Store) (*Tribune, error) {
	b, err := newBoard(&cfg, st)
	if err != nil {
		return nil, err
	}
	srv, err := server.New(b, logger(&cfg))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	t := &Tribune{srv: srv, cancel: cancel}
	t.wg.Go(func() { b.Run(ctx) })
	return t, nil
}

// newBoard builds the application layer over an open store.
func newBoard(cfg *Config, st *Store) (*board.Board, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if st.Location().String() != cfg.Location.String() {
		return nil, fmt.Errorf("tribune: the store was opened for time zone %s, the config says %s", st.Location(), cfg.Location)
	}
	return board.New(board.Deps{Config: cfg, Store: st, Logger: logger(cfg), Outbound: outbound.New(nil),
		Reserved: server.ReservedSlugs()})
}

// ServeHTTP serves the tribune's routes.
func (t *Tribune) ServeHTTP(w http.ResponseWriter, r *http.Request) { t.srv.ServeHTTP(w, r) }

// Close stops the tribune's background work. It does not close the store.
func (t *Tribune) Close() error {
	t.cancel()
	t.wg.Wait()
	return nil
}
