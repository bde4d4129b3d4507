package board

import (
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/store"
)

// newLimit is the rate limit r, named name: in the database on PostgreSQL,
// so that a cluster of N processes allows r in all, not N times r (one
// statement per post); in memory on SQLite, which one process serves.
func newLimit(st *store.Store, name string, r config.Rate) limit.Limiter {
	if st.Postgres() {
		return limit.NewShared(st, name, r.N, r.Period)
	}
	return limit.New(r.N, r.Period)
}
