// Package board is the tribune's application layer: the operations of a
// tribune as plain Go calls. Post a message or a command, read a channel,
// manage channels and accounts, decide on a moderated message: each takes
// plain values (who asks, what, where) and returns plain values and typed
// errors (errors.go), which the HTTP layer and the command line word for
// their audience.
//
// The Board owns what the operations share: the store and the hub, the
// message renderer, each channel's moderation gate, the channel registry,
// the rate limits and the hooks. Nothing here knows HTTP: a test, a CLI
// command or an importer posts a message with Post, without a request.
package board

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/commands"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/store"
)

// Outbound makes the tribune's own HTTP calls (webhooks, LastFM, the totoz
// search) and returns the answer's status and at most maxAnswer bytes of it.
// The outbound package has the real one; the interface keeps HTTP out of
// this package.
type Outbound interface {
	Post(ctx context.Context, url, contentType string, body []byte, maxAnswer int) (status int, answer []byte, err error)
	// Get asks url for a document of type accept (the totoz search).
	Get(ctx context.Context, url, accept string, maxAnswer int) (status int, answer []byte, err error)
}

// Deps is what a Board is built from.
type Deps struct {
	Config *config.Config // validated
	Store  *store.Store
	Logger *slog.Logger
	// Outbound makes the webhook and LastFM calls; nil makes none (they
	// fail as unreachable).
	Outbound Outbound
	// Reserved are the words no channel may be named (the first path
	// segments of the tribune's own routes), compared without case.
	Reserved []string
	// Metrics counts posts, moderation decisions and rate-limit
	// refusals; nil counts nothing.
	Metrics Metrics
}

// Board is a tribune's application layer. Its methods are safe for
// concurrent use.
type Board struct {
	cfg      *config.Config
	st       *store.Store
	hub      *hub.Hub
	log      *slog.Logger
	markup   *markup.Renderer
	out      Outbound
	lastfm   *commands.LastFM
	channels *registry
	reserved map[string]bool
	gates    gates
	sessions watchers
	totoz    *totozSearch
	signer   signer // session tokens and captcha ids
	// tokenTouches is when this process last wrote each access token's
	// last use.
	tokenTouches touches
	metrics      Metrics

	// The rate limits (limits.go): in memory on SQLite, in the database
	// on PostgreSQL, where every process shares them.
	posts    limit.Limiter      // messages, per account or address
	commands limit.Limiter      // commands that post nothing, as many as posts
	signups  limit.Limiter      // per address
	captchas limit.Limiter      // captchas drawn, per address, as many as posts
	logins   loginLimiter       // failed log-ins
	checks   *checkGate         // password checks running and waiting
	creds    *credCache         // right passwords, for a while
	flights  singleflight.Group // checks of the same credentials at once
	// dummyHash is checked against when an account does not exist, so a
	// failed log-in costs the same either way. Made on first use: the
	// command line's boards check no password.
	dummyHash func() (string, error)

	background sync.WaitGroup // webhook calls in flight
}

// New builds a Board over a migrated store.
func New(d Deps) (*Board, error) {
	cfg := d.Config
	log := d.Logger
	if log == nil {
		log = slog.Default()
	}
	r, err := newRenderer(cfg)
	if err != nil {
		return nil, err
	}
	h := hub.New(d.Store, cfg.MaxLimit, log)
	b := &Board{cfg: cfg, st: d.Store, hub: h, log: log, markup: r, out: d.Outbound, metrics: d.Metrics,
		lastfm:   &commands.LastFM{URL: cfg.LastFMAPIURL, Key: cfg.LastFMAPIKey, Timeout: cfg.LastFMTimeout, Client: d.Outbound},
		reserved: map[string]bool{},
		totoz:    newTotozSearch(cfg.TotozSearch(), cfg.TotozSearchRateLimit.N, cfg.TotozSearchRateLimit.Period),
		posts:    newLimit(d.Store, "posts", cfg.PostRateLimit),
		commands: newLimit(d.Store, "commands", cfg.PostRateLimit),
		signups:  newLimit(d.Store, "signups", cfg.SignupRateLimit),
		captchas: newLimit(d.Store, "captchas", cfg.PostRateLimit),
		logins:   newLoginLimiter(cfg, func(name string, r config.Rate) limit.Limiter { return newLimit(d.Store, name, r) }),
		checks:   newCheckGate(cfg.PasswordChecks, cfg.PasswordHashMemoryKiB),
		creds:    newCredCache(cfg.PasswordCache),
	}
	if b.metrics == nil {
		b.metrics = noMetrics{}
	}
	for _, w := range d.Reserved {
		b.reserved[strings.ToLower(w)] = true
	}
	b.dummyHash = sync.OnceValues(func() (string, error) { return auth.Hash("not a password", b.passwordParams()) })
	if b.signer, err = newSigner(context.Background(), d.Store); err != nil {
		return nil, err
	}
	if b.channels, err = newRegistry(context.Background(), d.Store, h.Forget); err != nil {
		return nil, err
	}
	channelsChanged := func(c store.Change) {
		if c.Channels {
			b.channels.stale()
		}
	}
	d.Store.OnChange(channelsChanged) // this process's changes
	h.OnForeign(channelsChanged)      // the others', on PostgreSQL
	return b, nil
}

// newRenderer builds the message renderer from the configuration.
func newRenderer(cfg *config.Config) (*markup.Renderer, error) {
	// {name} is the totoz servers' own notation, {0} djangotribune's.
	opts := markup.Options{SmileysURL: strings.ReplaceAll(cfg.SmileysURL, "{name}", "{0}"), TruncatedURL: cfg.ShowTruncatedURL}
	if cfg.URLLabelsFile != "" {
		f, err := os.Open(cfg.URLLabelsFile)
		if err != nil {
			return nil, fmt.Errorf("board: URL labels: %w", err)
		}
		opts.Labels, err = markup.ParseLabels(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("board: URL labels in %s: %w", cfg.URLLabelsFile, err)
		}
	}
	r, err := markup.NewRenderer(opts)
	if err != nil {
		return nil, fmt.Errorf("board: %w", err)
	}
	return r, nil
}

// Run does the board's background work until ctx ends: the hub follows
// other processes' commits, the channel list is refreshed, expired sessions
// and captchas and full rate-limit buckets are purged. It returns once
// webhook calls in flight are done.
func (b *Board) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { b.dummyHash() }) // before the first log-in, whose time it would tell
	wg.Go(func() {
		if err := b.fillSkeletons(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("board: the skeletons of account names", "err", err)
		}
	})
	wg.Go(func() { b.hub.Run(ctx) })
	wg.Go(func() { b.purge(ctx) })
	b.channels.run(ctx, b.log)
	wg.Wait()
	b.background.Wait()
}

func (b *Board) purge(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if _, err := b.st.PurgeSessions(ctx, time.Now()); err != nil && ctx.Err() == nil {
			b.log.Warn("board: purging sessions", "err", err)
		}
		if _, err := b.st.PurgeCaptchas(ctx, time.Now()); err != nil && ctx.Err() == nil {
			b.log.Warn("board: purging captchas", "err", err)
		}
		if _, err := b.st.PurgeTokens(ctx); err != nil && ctx.Err() == nil {
			b.log.Warn("board: purging rate limits", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Config is the configuration the board runs with. Callers must not
// change it.
func (b *Board) Config() *config.Config { return b.cfg }

// passwordParams are the argon2id costs of new password hashes.
func (b *Board) passwordParams() auth.Params {
	p := auth.DefaultParams
	p.MemoryKiB = b.cfg.PasswordHashMemoryKiB
	return p
}
