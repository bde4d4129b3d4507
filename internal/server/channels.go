package server

import (
	"context"
	"errors"
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
// (PostgreSQL notifications), every few seconds, and whenever a slug is not
// found.
type registry struct {
	st    *store.Store
	mu    sync.RWMutex
	bySlg map[string]model.Channel
	dirty atomic.Bool
}

const registryRefresh = 5 * time.Second

func newRegistry(ctx context.Context, st *store.Store) (*registry, error) {
	r := &registry{st: st}
	return r, r.reload(ctx)
}

func (r *registry) reload(ctx context.Context) error {
	cs, err := r.st.Channels(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]model.Channel, len(cs))
	for _, c := range cs {
		m[c.Slug] = c
	}
	r.mu.Lock()
	r.bySlg = m
	r.mu.Unlock()
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
	r.mu.RLock()
	c, ok := r.bySlg[slug]
	r.mu.RUnlock()
	if ok {
		return c, true, nil
	}
	// Maybe created by another process a moment ago.
	c, err := r.st.Channel(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	r.mu.Lock()
	r.bySlg[slug] = c
	r.mu.Unlock()
	return c, true, nil
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
