package hub

import "github.com/tribune-go/tribune/internal/store"

// Apply hands the hub a change as the store would.
func (h *Hub) Apply(c store.Change) { h.apply(c) }
