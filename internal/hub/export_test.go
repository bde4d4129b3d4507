package hub

import (
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Apply hands the hub a change as the store would.
func (h *Hub) Apply(c store.Change) { h.apply(c) }

// Dropped reports whether the hub closed the subscription because its
// client could not keep up (or the channel went away).
func (s *Subscription) Dropped() bool {
	s.channel.subs.mu.Lock()
	defer s.channel.subs.mu.Unlock()
	return s.dropped
}

// Messages is the snapshot's content, newest first. Callers must not modify
// it.
func (s *Snapshot) Messages() []model.Message { return s.messages }
