package board

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Channel resolves a slug ("" is the default channel); ok is false for an
// unknown channel. It answers from memory (see registry).
func (b *Board) Channel(ctx context.Context, slug string) (c model.Channel, ok bool, err error) {
	return b.channels.get(ctx, slug)
}

// Channels lists the channels as last loaded, by slug (the default one,
// whose slug is empty, first).
func (b *Board) Channels() []model.Channel { return b.channels.all() }

// ReadChannels reads the channels from the database, by slug.
func (b *Board) ReadChannels(ctx context.Context) ([]model.Channel, error) { return b.st.Channels(ctx) }

// CreateChannel adds a channel. The slug must be valid (ValidSlug), the
// title 1 to 100 characters once trimmed.
func (b *Board) CreateChannel(ctx context.Context, slug, title string) (model.Channel, error) {
	if err := b.ValidSlug(slug); err != nil {
		return model.Channel{}, &ChannelError{Slug: slug, Err: err}
	}
	title, err := cleanTitle(title)
	if err != nil {
		return model.Channel{}, &ChannelError{Slug: slug, Err: err}
	}
	c, err := b.st.CreateChannel(ctx, slug, title)
	if errors.Is(err, store.ErrConflict) {
		return c, &ChannelError{Slug: slug, Err: ErrChannelExists}
	}
	if err == nil {
		b.audit(ctx, "channel_created", slog.String("channel", channelName(c.Slug)), slog.String("title", c.Title))
	}
	return c, err
}

// RenameChannel changes a channel's title; it returns the title kept.
func (b *Board) RenameChannel(ctx context.Context, slug, title string) (string, error) {
	title, err := cleanTitle(title)
	if err != nil {
		return "", &ChannelError{Slug: slug, Err: err}
	}
	if err := b.st.RenameChannel(ctx, slug, title); err != nil {
		return "", channelError(err, slug)
	}
	b.audit(ctx, "channel_renamed", slog.String("channel", channelName(slug)), slog.String("title", title))
	return title, nil
}

// DeleteChannel removes a channel and its messages; its live streams end.
func (b *Board) DeleteChannel(ctx context.Context, slug string) error {
	if slug == model.DefaultSlug {
		return &ChannelError{Slug: slug, Err: ErrDefaultChannel}
	}
	c, err := b.st.Channel(ctx, slug)
	if err != nil {
		return channelError(err, slug)
	}
	if err := b.st.DeleteChannel(ctx, slug); err != nil {
		return channelError(err, slug)
	}
	b.hub.Forget(c.ID)
	b.audit(ctx, "channel_deleted", slog.String("channel", channelName(slug)))
	return nil
}

// SetModeration stores a channel's moderation policy: a mode (open, auto,
// manual), the auto-moderator specs in chain order, and the verdict when
// none of them rates ("" is the site's, TRIBUNE_AUTO_MODERATE_AS). A policy
// that does not compile is refused with a *PolicyError.
func (b *Board) SetModeration(ctx context.Context, slug, mode string, specs []string, fallback string) error {
	if _, err := b.compilePolicy(mode, specs, fallback); err != nil {
		return &ChannelError{Slug: slug, Err: err}
	}
	if err := b.st.SetModeration(ctx, slug, mode, specs, fallback); err != nil {
		return channelError(err, slug)
	}
	// The specs may hold a webhook's credentials: their number only.
	b.audit(ctx, "channel_moderation", slog.String("channel", channelName(slug)), slog.String("mode", mode),
		slog.Int("moderators", len(specs)), slog.String("auto_moderate_as", fallback))
	return nil
}

// channelError names the channel of the store's "not found".
func channelError(err error, slug string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &ChannelError{Slug: slug, Err: ErrNoChannel}
	}
	return err
}

// ValidSlug checks a new channel's slug: 1 to 75 ASCII letters, digits,
// "-" or "_", and not a word the tribune's routes use, whatever its case.
func (b *Board) ValidSlug(slug string) error {
	if slug == "" || len(slug) > 75 {
		return ErrSlugLength
	}
	for _, c := range []byte(slug) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("%w (not %q)", ErrSlugChars, c)
		}
	}
	if b.reserved[strings.ToLower(slug)] {
		return ErrSlugReserved
	}
	return nil
}

// cleanTitle cleans a channel title as messages are cleaned (one line, no
// control characters: it goes into XML attributes), trims it and checks
// its length.
func cleanTitle(title string) (string, error) {
	title = strings.TrimSpace(markup.Sanitize(title))
	if n := utf8.RuneCountInString(title); n == 0 || n > 100 {
		return "", ErrBadTitle
	}
	return title, nil
}

// registry is the in-memory list of channels every request resolves its
// slug against. Channels change rarely and may be changed by another
// process (tribune channel create, or another server on PostgreSQL), so
// the list is reloaded when this process changes it, when another tells it
// (PostgreSQL notifications), every few seconds, and when a slug is not
// found, at most once a second: unknown paths (/favicon.ico, a scanner's
// guesses) then cost no query each.
type registry struct {
	st        *store.Store
	gone      func(channelID int64) // told of channels deleted meanwhile
	missEvery time.Duration         // least time between reloads for unknown slugs
	mu        sync.RWMutex
	bySlug    map[string]model.Channel
	dirty     atomic.Bool
	lastMiss  atomic.Int64 // unix nanoseconds of the last reload for an unknown slug
}

const (
	registryRefresh = 5 * time.Second
	registryMiss    = time.Second
)

func newRegistry(ctx context.Context, st *store.Store, gone func(channelID int64)) (*registry, error) {
	r := &registry{st: st, gone: gone, missEvery: registryMiss}
	return r, r.reload(ctx)
}

func (r *registry) reload(ctx context.Context) error {
	cs, err := r.st.Channels(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]model.Channel, len(cs))
	ids := make(map[int64]bool, len(cs))
	for _, c := range cs {
		m[c.Slug] = c
		ids[c.ID] = true
	}
	r.mu.Lock()
	old := r.bySlug
	r.bySlug = m
	r.mu.Unlock()
	for _, c := range old {
		if !ids[c.ID] && r.gone != nil {
			r.gone(c.ID) // its cached messages and live streams
		}
	}
	return nil
}

func (r *registry) stale() { r.dirty.Store(true) }

// get resolves a slug; ok is false for an unknown channel.
func (r *registry) get(ctx context.Context, slug string) (model.Channel, bool, error) {
	if r.dirty.Swap(false) {
		if err := r.reload(ctx); err != nil {
			r.dirty.Store(true)
			return model.Channel{}, false, err
		}
	}
	if c, ok := r.lookup(slug); ok {
		return c, true, nil
	}
	// Maybe created by another process a moment ago (on SQLite, nothing
	// tells this one).
	now, last := time.Now().UnixNano(), r.lastMiss.Load()
	if now-last < int64(r.missEvery) || !r.lastMiss.CompareAndSwap(last, now) {
		return model.Channel{}, false, nil
	}
	if err := r.reload(ctx); err != nil {
		return model.Channel{}, false, err
	}
	c, ok := r.lookup(slug)
	return c, ok, nil
}

func (r *registry) lookup(slug string) (model.Channel, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, ok := r.bySlug[slug]
	return c, ok
}

// all lists the channels by slug.
func (r *registry) all() []model.Channel {
	r.mu.RLock()
	defer r.mu.RUnlock()
	cs := make([]model.Channel, 0, len(r.bySlug))
	for _, c := range r.bySlug {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b model.Channel) int { return strings.Compare(a.Slug, b.Slug) })
	return cs
}

func (r *registry) run(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(registryRefresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.reload(ctx); err != nil && ctx.Err() == nil {
				log.Warn("board: reloading channels", "err", err)
			}
		}
	}
}
