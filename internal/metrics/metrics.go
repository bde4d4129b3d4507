// Package metrics holds a tribune's Prometheus metrics: one registry per
// tribune (tests and host applications may run several), fed through small
// hooks by the server, the board and the store, and served in the text
// format at /metrics.
//
// Every label takes a bounded set of values: route patterns, not paths;
// methods and outcomes from fixed lists; never a channel, a user or an
// address.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// The values the fixed labels take, created at start so that every series
// exists (at 0) before anything happens: an alert on a rate needs them.
var (
	// Vias are where posts come from (board.Via).
	Vias = []string{"remote", "board"}
	// PostOutcomes are what became of an acknowledged post.
	PostOutcomes = []string{"published", "pending", "rejected"}
	// Decisions are the moderation outcomes each decider reaches: a
	// channel's auto-moderators accept, reject or hold a post for a
	// moderator (pending); a moderator accepts or rejects a held post, or
	// removes a published one.
	Decisions = map[string][]string{
		"auto":      {"accepted", "rejected", "pending"},
		"moderator": {"accepted", "rejected", "removed"},
	}
	// Limits are the rate limits and caps that refuse requests.
	Limits = []string{"posts", "commands", "signups", "logins", "captchas", "password_checks", "streams", "streams_full"}
)

// Metrics is one tribune's metrics. A nil *Metrics records nothing.
type Metrics struct {
	own     *prometheus.Registry // the tribune's own (tribune_…)
	runtime *prometheus.Registry // the Go runtime's and the process's

	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	posts     *prometheus.CounterVec
	decisions *prometheus.CounterVec
	limited   *prometheus.CounterVec
	batch     prometheus.Histogram
	commit    prometheus.Histogram
}

// New builds a tribune's metrics on registries of their own.
func New() *Metrics {
	m := &Metrics{own: prometheus.NewRegistry(), runtime: prometheus.NewRegistry()}
	m.runtime.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tribune_http_requests_total",
		Help: "HTTP requests answered, by route pattern, method and status.",
	}, []string{"route", "method", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tribune_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and method (live streams are not timed).",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	m.posts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tribune_posts_total",
		Help: "Posts acknowledged (committed), by where they came from and what became of them.",
	}, []string{"via", "outcome"})
	m.decisions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tribune_moderation_decisions_total",
		Help: "Moderation decisions, by who made them (auto-moderators or a moderator) and outcome.",
	}, []string{"by", "outcome"})
	m.limited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tribune_rate_limited_total",
		Help: "Requests refused by a rate limit or a cap, by limit.",
	}, []string{"limit"})
	m.batch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "tribune_store_commit_batch_size",
		Help:    "Writes committed together by the group committer, per transaction.",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
	m.commit = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "tribune_store_commit_seconds",
		Help:    "Time of one group commit, from the start of its transaction to the end of its commit (the disk's sync included).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	})
	m.own.MustRegister(m.requests, m.duration, m.posts, m.decisions, m.limited, m.batch, m.commit)
	for _, via := range Vias {
		for _, o := range PostOutcomes {
			m.posts.WithLabelValues(via, o)
		}
	}
	for by, outcomes := range Decisions {
		for _, o := range outcomes {
			m.decisions.WithLabelValues(by, o)
		}
	}
	for _, l := range Limits {
		m.limited.WithLabelValues(l)
	}
	return m
}

// Handler serves the tribune's metrics and the Go runtime's in Prometheus's
// text format (or what the scraper negotiates).
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(prometheus.Gatherers{m.own, m.runtime}, promhttp.HandlerOpts{})
}

// Gatherer gathers the tribune's own metrics, without the Go runtime's: a
// host application serves them beside its own registry (which has the
// runtime's already) with prometheus.Gatherers.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.own }

// Streams makes tribune_streams_open read open, the number of live
// streams open now, and tribune_streams_max tell most, the most the
// server holds at once (TRIBUNE_STREAM_MAX or derived).
func (m *Metrics) Streams(open func() int, most int) {
	if m == nil {
		return
	}
	m.own.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tribune_streams_open",
		Help: "Live streams (server-sent events) open now.",
	}, func() float64 { return float64(open()) }), prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tribune_streams_max",
		Help: "Most live streams the server holds open at once; beyond, a stream is answered 503.",
	}, func() float64 { return float64(most) }))
}

// Request records an answered request: route is the pattern that served
// it, without the tribune's prefix. took is not recorded for live streams
// (timed is false), whose length is their reader's.
func (m *Metrics) Request(route, method string, code int, took time.Duration, timed bool) {
	if m == nil {
		return
	}
	method = knownMethod(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	if timed {
		m.duration.WithLabelValues(route, method).Observe(took.Seconds())
	}
}

// knownMethod keeps the label's values few: a client may send any token.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete,
		http.MethodOptions, http.MethodPatch:
		return m
	}
	return "OTHER"
}

// Posted records an acknowledged post.
func (m *Metrics) Posted(via, outcome string) {
	if m != nil {
		m.posts.WithLabelValues(via, outcome).Inc()
	}
}

// Decided records a moderation decision.
func (m *Metrics) Decided(by, outcome string) {
	if m != nil {
		m.decisions.WithLabelValues(by, outcome).Inc()
	}
}

// Limited records a request refused by a rate limit or a cap.
func (m *Metrics) Limited(limit string) {
	if m != nil {
		m.limited.WithLabelValues(limit).Inc()
	}
}

// Committed records one group commit of size writes that took took.
func (m *Metrics) Committed(size int, took time.Duration) {
	if m != nil {
		m.batch.Observe(float64(size))
		m.commit.Observe(took.Seconds())
	}
}
