package cli

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/server"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/version"
)

// What serve shows and serves besides the tribune: the start line, the
// health checks and the metrics, at the site's root (outside the prefix
// and the channels, whose names may not take these words).

// rootHandler serves the tribune, the health checks and, unless they have
// an address of their own or are off, the metrics; when the tribune is
// mounted under a prefix, it sends visitors of the site root to it. Every
// other request, outside the prefix or with a path to clean, goes to the
// tribune, whose middleware counts and logs it (a mux here would answer
// those itself, unseen).
func rootHandler(cfg *config.Config, t *tribune.Tribune) http.Handler {
	ops := http.NewServeMux()
	ops.Handle("GET /healthz", t.Health())
	ops.Handle("GET /readyz", t.Ready())
	metrics := cfg.Metrics && cfg.MetricsAddr == ""
	if metrics {
		ops.Handle("GET /metrics", t.Metrics())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/healthz" || p == "/readyz" || p == "/metrics" && metrics:
			ops.ServeHTTP(w, r)
		case p == "/" && cfg.Prefix != "":
			http.Redirect(w, r, cfg.Prefix+"/", http.StatusFound)
		default:
			t.ServeHTTP(w, r)
		}
	})
}

// opsHandler serves TRIBUNE_METRICS_ADDR: the metrics and the health
// checks, for a scraper and probes on a private address.
func opsHandler(t *tribune.Tribune) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", t.Metrics())
	mux.Handle("GET /healthz", t.Health())
	mux.Handle("GET /readyz", t.Ready())
	return mux
}

// logStart logs the start line: the version, where the tribune and its
// metrics are served, the database (without its password), the time zone
// by its IANA name and the streams' cap. A zone left to a machine that
// has none is said, with the way to choose one.
func logStart(log *slog.Logger, cfg *config.Config, env Env, listeners []net.Listener) {
	// The Go runtime has raised the open-file limit to the hard limit
	// already; the streams get half of it unless told otherwise.
	streams, files := server.StreamCap(cfg)
	if files > 0 && streams > files-files/4 {
		log.Warn("TRIBUNE_STREAM_MAX leaves few open files for ordinary requests", "streams", streams, "open_files", files)
	}
	zone := cfg.ZoneName()
	if zone == "" {
		zone = cfg.Location.String()
	}
	addr := "http://" + listeners[0].Addr().String()
	metrics := "off"
	switch {
	case len(listeners) > 1:
		metrics = "http://" + listeners[1].Addr().String() + "/metrics"
	case cfg.Metrics:
		metrics = addr + "/metrics"
	}
	log.Info("tribune serving", "version", version.String(), "addr", addr+cfg.Prefix+"/", "db", dbLabel(cfg.DB),
		"timezone", zone, "metrics", metrics, "max_streams", streams, "open_files", files)
	if cfg.ZoneUnset(env.LookupEnv) {
		log.Warn("no time zone is set on this machine, so the clocks show UTC: set the community's zone with TRIBUNE_TIMEZONE (-timezone Europe/Paris)",
			"timezone", zone)
	}
}

// dbLabel names the database for the log: an SQLite file, or a PostgreSQL
// URL without its password (in the user part or the query).
func dbLabel(dsn string) string {
	if !store.IsPostgres(dsn) {
		return "sqlite " + dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres"
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") || strings.EqualFold(k, "passfile") {
				q[k] = []string{"xxxxx"}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
