package server

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

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
	bySlg     map[string]model.Channel
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
	old := r.bySlg
	r.bySlg = m
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
	c, ok := r.bySlg[slug]
	return c, ok
}

// all lists the channels, default first, then by slug.
func (r *registry) all() []model.Channel {
	r.mu.RLock()
	defer r.mu.RUnlock()
	cs := make([]model.Channel, 0, len(r.bySlg))
	for _, c := range r.bySlg {
		cs = append(cs, c)
	}
	sortChannels(cs)
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
				log.Warn("server: reloading channels", "err", err)
			}
		}
	}
}

func sortChannels(cs []model.Channel) {
	slices.SortFunc(cs, func(a, b model.Channel) int { return strings.Compare(a.Slug, b.Slug) })
}
