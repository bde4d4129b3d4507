// Package server is the tribune's HTTP layer: the route table, the
// handlers (methods on Server, one file per page or action), the middleware
// and the one place that renders errors. It is the only package that sees
// http.Request; everything it does with messages goes through the store,
// the hub and the domain packages.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/commands"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/outbound"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/ui"
)

// Server holds the dependencies of every handler.
type Server struct {
	cfg      *config.Config
	st       *store.Store
	hub      *hub.Hub
	markup   *markup.Renderer
	log      *slog.Logger
	channels *registry
	handler  http.Handler
	site     *http.ServeMux // the route table (routes.go)
	pages    *ui.Engine
	csrf     *http.CrossOriginProtection

	logins loginLimiter
	posts  *limit.Keyed
	// commandLimit: commands have a budget of their own, as large as the
	// posts' (TRIBUNE_POST_RATE_LIMIT).
	commandLimit *limit.Keyed
	signups      *limit.Keyed
	dummyHash    string // checked against when an account does not exist
	lastfm       *commands.LastFM

	gates      gates
	streams    streamCounter
	hookClient *outbound.Client // webhooks: moderators and the queue notification
	background sync.WaitGroup   // webhook calls in flight

	watchers sessionWatchers // the live streams of each session
	backlog  int             // most messages a resuming stream is sent; 0: maxBacklog
}

// New builds the HTTP side of a tribune over a migrated store and its hub.
func New(cfg *config.Config, st *store.Store, h *hub.Hub, log *slog.Logger) (*Server, error) {
	opts := markup.Options{SmileysURL: cfg.SmileysURL, TruncatedURL: cfg.ShowTruncatedURL}
	if cfg.URLLabelsFile != "" {
		f, err := os.Open(cfg.URLLabelsFile)
		if err != nil {
			return nil, fmt.Errorf("server: URL labels: %w", err)
		}
		opts.Labels, err = markup.ParseLabels(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("server: URL labels in %s: %w", cfg.URLLabelsFile, err)
		}
	}
	r, err := markup.NewRenderer(opts)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s := &Server{cfg: cfg, st: st, hub: h, markup: r, log: log,
		logins:       newLoginLimiter(cfg.LoginRateLimit.N, cfg.LoginRateLimit.Period),
		posts:        limit.New(cfg.PostRateLimit.N, cfg.PostRateLimit.Period),
		commandLimit: limit.New(cfg.PostRateLimit.N, cfg.PostRateLimit.Period),
		signups:      limit.New(cfg.SignupRateLimit.N, cfg.SignupRateLimit.Period),
		csrf:         http.NewCrossOriginProtection(),
		hookClient:   outbound.New(nil), // each call has its own deadline
		lastfm:       &commands.LastFM{URL: cfg.LastFMAPIURL, Key: cfg.LastFMAPIKey, Client: outbound.New(nil)}}
	s.dummyHash, err = auth.Hash("not a password", s.passwordParams())
	if err != nil {
		return nil, err
	}
	if s.pages, err = ui.New(nil); err != nil {
		return nil, err
	}
	s.pages.Static.SetPrefix(cfg.Prefix + "/static/")
	s.csrf.SetDenyHandler(s.h(func(w http.ResponseWriter, r *http.Request) error {
		return httpError(http.StatusForbidden, i18n.T(langOf(r), "error.cross_origin"))
	}))
	s.channels, err = newRegistry(context.Background(), st, h.Forget)
	if err != nil {
		return nil, err
	}
	channelsChanged := func(c store.Change) {
		if c.Channels {
			s.channels.stale()
		}
	}
	st.OnChange(channelsChanged) // this process's changes
	h.OnForeign(channelsChanged) // the others', on PostgreSQL
	s.handler = s.middleware(s.routes())
	return s, nil
}

// ServeHTTP serves the tribune.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Run does the server's background work (channel list refresh, purge of
// expired sessions and captchas) until ctx ends.
func (s *Server) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.purge(ctx) })
	s.channels.run(ctx, s.log)
	wg.Wait()
	s.background.Wait()
}

func (s *Server) purge(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := s.st.PurgeSessions(ctx, time.Now()); err != nil && ctx.Err() == nil {
			s.log.Warn("server: purging sessions", "err", err)
		}
		if _, err := s.st.PurgeCaptchas(ctx, time.Now()); err != nil && ctx.Err() == nil {
			s.log.Warn("server: purging captchas", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// passwordParams are the argon2id costs of new password hashes.
func (s *Server) passwordParams() auth.Params {
	p := auth.DefaultParams
	p.MemoryKiB = s.cfg.PasswordHashMemoryKiB
	return p
}

// title picks a board title at random.
func (s *Server) title() string {
	return s.cfg.Titles[rand.IntN(len(s.cfg.Titles))]
}
