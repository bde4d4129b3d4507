package tribune_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/config"
	tmodel "github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// opsServer runs a tribune at the root of a test server, with its health
// checks and metrics mounted as a host (or tribune serve) mounts them.
func opsServer(t *testing.T, dsn string, mutate func(*tribune.Config)) (*httptest.Server, *tribune.Tribune, *tribune.Store) {
	t.Helper()
	cfg := tribune.DefaultConfig()
	cfg.DB = dsn
	cfg.PasswordHashMemoryKiB = 64
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	if mutate != nil {
		mutate(&cfg)
	}
	st, err := tribune.OpenStore(context.Background(), &cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := tribune.New(cfg, st)
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", tr.Health())
	mux.Handle("GET /readyz", tr.Ready())
	mux.Handle("GET /metrics", tr.Metrics())
	mux.Handle("/", tr)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); tr.Close(); st.Close() })
	return srv, tr, st
}

// scrape reads /metrics with the Prometheus text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	r, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("/metrics: %d", r.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return fams
}

// sample finds the series of a family with the labels given as name,
// value pairs; ok is false when there is none.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) (m *dto.Metric, ok bool) {
	f := fams[name]
	if f == nil {
		return nil, false
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		return m, true
	}
	return nil, false
}

// value is a counter's or gauge's value, -1 when the series is missing.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	m, ok := sample(fams, name, labels...)
	switch {
	case !ok:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	}
	return -1
}

func do(t *testing.T, method, target string, form url.Values, user, password string) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, r.Body)
	r.Body.Close()
	return r
}

// After traffic of every kind, /metrics holds each metric of
// docs/operations.md with the values the traffic makes: requests by route
// pattern (no channel's slug), posts by outcome, auto-moderators' and a
// moderator's decisions, rate-limit refusals, group commits, open
// streams, and the Go runtime's.
func TestMetricsAfterTraffic(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv, tr, st := opsServer(t, b.DSN, func(c *tribune.Config) {
				c.PostRateLimit = config.Rate{N: 5, Period: time.Hour}
				c.LoginRateLimit = config.Rate{N: 1, Period: time.Hour}
			})
			ctx := t.Context()
			for _, c := range []struct{ slug, mode, fallback string }{{"auto", "auto", "accept"}, {"manual", "manual", ""}} {
				if _, err := st.CreateChannel(ctx, c.slug, c.slug); err != nil {
					t.Fatal(err)
				}
				var specs []string
				if c.mode == "auto" {
					specs = []string{"words:spam"}
				}
				if err := st.SetModeration(ctx, c.slug, c.mode, specs, c.fallback); err != nil {
					t.Fatal(err)
				}
			}
			u := srv.URL
			post := func(path, text string) *http.Response {
				return do(t, "POST", u+path, url.Values{"content": {text}}, "", "")
			}
			for _, p := range []struct {
				path, text string
				code       int
			}{
				{"/post/", "plop", 200},
				{"/post/", "plop again", 200},
				{"/auto/post/", "hello", 200},
				{"/auto/post/", "buy spam", 403},
				{"/manual/post/", "wait for me", 202},
				{"/post/", "one too many", 429},
			} {
				if r := post(p.path, p.text); r.StatusCode != p.code {
					t.Fatalf("post %q to %s: %d, want %d", p.text, p.path, r.StatusCode, p.code)
				}
			}
			do(t, "GET", u+"/remote/xml/", nil, "", "")
			do(t, "GET", u+"/auto/remote/xml/?last_id=1", nil, "", "")

			// A moderator accepts the held post and removes another.
			if r := do(t, "POST", u+"/signup", url.Values{"username": {"modo"}, "password": {"a long password"}}, "", ""); r.StatusCode >= 400 {
				t.Fatalf("signup: %d", r.StatusCode)
			}
			if err := st.SetRole(ctx, "modo", tmodel.RoleModerator); err != nil {
				t.Fatal(err)
			}
			pending, err := st.Pending(ctx, 10)
			if err != nil || len(pending) != 1 {
				t.Fatalf("pending: %v %v", pending, err)
			}
			if r := do(t, "POST", fmt.Sprintf("%s/moderation/%d/accept", u, pending[0].ID), url.Values{}, "modo", "a long password"); r.StatusCode != 200 {
				t.Fatalf("accept: %d", r.StatusCode)
			}
			if r := do(t, "POST", u+"/moderation/1/remove", url.Values{"reason": {"no"}}, "modo", "a long password"); r.StatusCode != 200 {
				t.Fatalf("remove: %d", r.StatusCode)
			}
			// Two wrong passwords: the second is refused by the limit.
			for i, want := range []int{401, 429} {
				if r := do(t, "POST", u+"/login", url.Values{"username": {"modo"}, "password": {"wrong"}}, "", ""); r.StatusCode != want {
					t.Fatalf("log-in %d: %d, want %d", i, r.StatusCode, want)
				}
			}

			// A live stream, open while /metrics is read.
			sctx, cancel := context.WithCancel(ctx)
			req, _ := http.NewRequestWithContext(sctx, "GET", u+"/auto/remote/stream/", nil)
			stream, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if line, err := bufio.NewReader(stream.Body).ReadString('\n'); err != nil || line != "retry: 3000\n" {
				t.Fatalf("stream: %q %v", line, err)
			}
			fams := scrape(t, u)
			if v := value(fams, "tribune_streams_open"); v != 1 {
				t.Errorf("tribune_streams_open = %v with one stream open", v)
			}
			if v := value(fams, "tribune_streams_max"); v < 1 {
				t.Errorf("tribune_streams_max = %v", v)
			}
			cancel()
			stream.Body.Close()

			counters := []struct {
				name   string
				labels []string
				want   float64
			}{
				{"tribune_http_requests_total", []string{"route", "/post/{$}", "method", "POST", "code", "200"}, 2},
				{"tribune_http_requests_total", []string{"route", "/post/{$}", "method", "POST", "code", "429"}, 1},
				{"tribune_http_requests_total", []string{"route", "/{channel}/post/{$}", "method", "POST", "code", "202"}, 1},
				{"tribune_http_requests_total", []string{"route", "/{channel}/post/{$}", "method", "POST", "code", "403"}, 1},
				{"tribune_http_requests_total", []string{"route", "/remote/xml/{$}", "method", "GET", "code", "200"}, 1},
				{"tribune_http_requests_total", []string{"route", "/login", "method", "POST", "code", "429"}, 1},
				{"tribune_posts_total", []string{"via", "remote", "outcome", "published"}, 3},
				{"tribune_posts_total", []string{"via", "remote", "outcome", "rejected"}, 1},
				{"tribune_posts_total", []string{"via", "remote", "outcome", "pending"}, 1},
				{"tribune_posts_total", []string{"via", "board", "outcome", "published"}, 0},
				{"tribune_moderation_decisions_total", []string{"by", "auto", "outcome", "accepted"}, 1},
				{"tribune_moderation_decisions_total", []string{"by", "auto", "outcome", "rejected"}, 1},
				{"tribune_moderation_decisions_total", []string{"by", "auto", "outcome", "pending"}, 0}, // a manual channel asks nobody
				{"tribune_moderation_decisions_total", []string{"by", "moderator", "outcome", "accepted"}, 1},
				{"tribune_moderation_decisions_total", []string{"by", "moderator", "outcome", "removed"}, 1},
				{"tribune_moderation_decisions_total", []string{"by", "moderator", "outcome", "rejected"}, 0},
				{"tribune_rate_limited_total", []string{"limit", "posts"}, 1},
				{"tribune_rate_limited_total", []string{"limit", "logins"}, 1},
				{"tribune_rate_limited_total", []string{"limit", "signups"}, 0},
			}
			for _, c := range counters {
				if got := value(fams, c.name, c.labels...); got != c.want {
					t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
				}
			}
			// Request durations, by route pattern.
			if m, ok := sample(fams, "tribune_http_request_duration_seconds", "route", "/post/{$}", "method", "POST"); !ok ||
				m.Histogram.GetSampleCount() != 3 || m.Histogram.GetSampleSum() <= 0 {
				t.Errorf("duration of the posts: %v", m)
			}
			// Every acknowledged write went through a group commit: five
			// posts (one rejected), the sign-up's session, the decisions.
			batch, ok := sample(fams, "tribune_store_commit_batch_size")
			commit, ok2 := sample(fams, "tribune_store_commit_seconds")
			if !ok || !ok2 || batch.Histogram.GetSampleCount() < 6 || batch.Histogram.GetSampleSum() < 7 ||
				commit.Histogram.GetSampleCount() != batch.Histogram.GetSampleCount() || commit.Histogram.GetSampleSum() <= 0 {
				t.Errorf("group commits: batch %v, latency %v", batch, commit)
			}
			if v := value(fams, "go_goroutines"); v <= 0 {
				t.Errorf("go_goroutines = %v", v)
			}
			if _, ok := fams["process_resident_memory_bytes"]; !ok {
				t.Error("no process_resident_memory_bytes")
			}
			// Bounded labels: patterns, never a channel's slug or a user.
			for name, f := range fams {
				for _, m := range f.Metric {
					for _, l := range m.Label {
						if v := l.GetValue(); strings.Contains(v, "/auto/") || strings.Contains(v, "/manual/") || strings.Contains(v, "modo") {
							t.Errorf("%s has the label %s=%q", name, l.GetName(), v)
						}
					}
				}
			}

			// The stream, once ended, is counted but not timed.
			deadline := time.Now().Add(5 * time.Second)
			for {
				fams = scrape(t, u)
				if value(fams, "tribune_streams_open") == 0 &&
					value(fams, "tribune_http_requests_total", "route", "/{channel}/remote/stream/{$}", "code", "200") >= 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the stream is still counted open")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if v := value(fams, "tribune_http_requests_total", "route", "/{channel}/remote/stream/{$}", "code", "200"); v != 1 {
				t.Errorf("stream requests: %v", v)
			}
			if _, ok := sample(fams, "tribune_http_request_duration_seconds", "route", "/{channel}/remote/stream/{$}"); ok {
				t.Error("a live stream's length is in the duration histogram")
			}

			// The host's own registry: the tribune's metrics without the
			// runtime's, which the host has already.
			gathered, err := tr.Gatherer().Gather()
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, f := range gathered {
				names = append(names, f.GetName())
				if strings.HasPrefix(f.GetName(), "go_") || strings.HasPrefix(f.GetName(), "process_") {
					t.Errorf("Gatherer gathers %s", f.GetName())
				}
			}
			if !strings.Contains(strings.Join(names, " "), "tribune_posts_total") {
				t.Errorf("Gatherer: %v", names)
			}
		})
	}
}

// /readyz answers 503 when the schema is not the binary's and when the
// database does not answer; /healthz answers as long as the process does.
func TestReadiness(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			srv, _, st := opsServer(t, b.DSN, nil)
			check := func(path string, code int, body string) {
				t.Helper()
				r, err := http.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(r.Body)
				r.Body.Close()
				if r.StatusCode != code || !strings.Contains(string(got), body) {
					t.Errorf("%s: %d %q, want %d %q", path, r.StatusCode, got, code, body)
				}
			}
			check("/healthz", 200, "ok")
			check("/readyz", 200, "ready")

			// The schema behind: another process (an older binary's
			// migration undone, say) left it a version short.
			driver := "sqlite"
			if store.IsPostgres(b.DSN) {
				driver = "pgx"
			}
			db, err := sql.Open(driver, b.DSN)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			_, latest, err := st.SchemaVersion(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`DELETE FROM schema_version WHERE version = $1`, latest); err != nil {
				t.Fatal(err)
			}
			check("/readyz", 503, "schema")
			check("/healthz", 200, "ok")
			if _, err := db.Exec(`INSERT INTO schema_version (version) VALUES ($1)`, latest); err != nil {
				t.Fatal(err)
			}
			check("/readyz", 200, "ready")

			// The database closed under the tribune.
			st.Close()
			check("/readyz", 503, "the database does not answer")
			check("/healthz", 200, "ok")
		})
	}
}
