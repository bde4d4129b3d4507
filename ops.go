package tribune

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tribune-go/tribune/internal/store"
)

// The operator's routes. They are not under the tribune's prefix nor in a
// channel: `tribune serve` mounts them at the site's root (/healthz,
// /readyz, /metrics), and a host application mounts them where its
// probes and scraper look.

// Health answers 200 "ok" while the process serves requests: the liveness
// check.
func (t *Tribune) Health() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plain(w, r, http.StatusOK, "ok\n")
	})
}

// readyTimeout bounds the readiness check's query.
const readyTimeout = 2 * time.Second

// Ready answers 200 "ready" when the database answers and its schema is
// the binary's, else 503 with the reason: the readiness check, for a load
// balancer to send requests elsewhere.
func (t *Tribune) Ready() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		err := t.st.Ready(ctx)
		if err == nil {
			plain(w, r, http.StatusOK, "ready\n")
			return
		}
		// Probes come every few seconds: one line a minute.
		t.unready.note(t.log, err)
		msg := "not ready: the database does not answer\n"
		if errors.Is(err, store.ErrSchema) {
			msg = "not ready: the database schema is not this binary's (run tribune migrate)\n"
		}
		w.Header().Set("Retry-After", "5")
		plain(w, r, http.StatusServiceUnavailable, msg)
	})
}

// Metrics serves the tribune's metrics and the Go runtime's in
// Prometheus's text format.
func (t *Tribune) Metrics() http.Handler { return t.metrics.Handler() }

// Gatherer gathers the tribune's own metrics (tribune_…), without the Go
// runtime's: a host application with a registry of its own serves both
// with prometheus.Gatherers{registry, t.Gatherer()}.
func (t *Tribune) Gatherer() prometheus.Gatherer { return t.metrics.Gatherer() }

func plain(w http.ResponseWriter, r *http.Request, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		io.WriteString(w, body)
	}
}

// throttle logs a failing readiness check at most once a minute.
type throttle struct {
	mu   sync.Mutex
	last time.Time
}

func (th *throttle) note(log *slog.Logger, err error) {
	th.mu.Lock()
	defer th.mu.Unlock()
	if time.Since(th.last) < time.Minute {
		return
	}
	th.last = time.Now()
	log.Warn("not ready", "err", err)
}
