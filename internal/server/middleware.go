package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/logctx"
	"github.com/tribune-go/tribune/internal/model"
)

// visit is the per-request state the middleware, the route table and the
// handlers share. It is created once per request; the session is read only
// when a handler needs it.
type visit struct {
	ip      string
	lang    i18n.Lang
	answer  answerKind    // how the asker wants its answers (routes.go)
	client  bool          // a client's route: coincoins and scripts
	channel model.Channel // on channel routes
	sess    *board.Session
	basic   *basicAnswer // HTTP Basic credentials, once checked
	token   *tokenAnswer // the access token it carries, checked (tokens.go)
	foreign bool         // a browser posting for another site: no cookies, no credentials (routes.go)
}

// answer is the kind of answer the asker reads, decided once per request by
// the route table.
type answerKind int

const (
	answerText answerKind = iota // plain text: coincoins, scripts
	answerPage                   // HTML pages: browsers
	answerJSON                   // JSON: board.js
)

type visitKey struct{}

func visitOf(r *http.Request) *visit {
	v, _ := r.Context().Value(visitKey{}).(*visit)
	if v == nil {
		return &visit{lang: i18n.EN}
	}
	return v
}

func langOf(r *http.Request) i18n.Lang { return visitOf(r).lang }

// t translates key in the asker's language.
func (s *Server) t(r *http.Request, key string, args ...any) string {
	return i18n.T(langOf(r), key, args...)
}

// middleware wraps every request: panic recovery, the request's id, the
// client address, the language, nosniff, the metrics and the optional
// request log. It is the only chain; per-route needs are small wrappers in
// routes.go.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestID(r.Header.Get("X-Request-Id"))
		h := w.Header()
		h.Set("X-Request-Id", id)
		// Every answer is of the type it says: a browser must not read a
		// backend (or a message in it) as HTML or a script.
		h.Set("X-Content-Type-Options", "nosniff")
		v := &visit{ip: s.clientIP(r), lang: requestLang(r)}
		ctx := logctx.With(r.Context(), slog.String("request_id", id))
		r = r.WithContext(context.WithValue(ctx, visitKey{}, v))
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.fail(rec, r, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
			took := time.Since(start)
			// The route's pattern, set by the innermost mux on r: a
			// bounded label, unlike the path.
			route := strings.TrimPrefix(r.Pattern, s.cfg.Prefix)
			if route == "" || route[0] != '/' {
				route = "/" + route
			}
			if r.Pattern == "" {
				route = "none" // redirected by the mux, before any route
			}
			stream := strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream")
			s.metrics.Request(route, r.Method, rec.status, took, !stream)
			if s.cfg.LogRequests {
				s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
					slog.Group("request", "method", r.Method, "path", clip(r.URL.Path, 512),
						"query", loggedQuery(r.URL.RawQuery), "ip", v.ip, "user_agent", clip(r.UserAgent(), 256)),
					slog.Group("response", "status", rec.status, "bytes", rec.bytes, "duration", took))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// requestID is the id of a request: the one its client or proxy sent in
// X-Request-Id when it is short and printable (it goes into logs as it
// is), else a new one.
func requestID(given string) string {
	if len(given) > 0 && len(given) <= 64 && !strings.ContainsFunc(given, func(c rune) bool { return c <= ' ' || c > '~' }) {
		return given
	}
	var b [12]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// secretParams are query parameters whose values the request log masks: a
// script may put a password or a token in a URL.
var secretParams = []string{"password", "passwd", "pass", "token", "access_token", "api_key", "apikey", "key",
	"secret", "auth", "authorization", "session", "sessionid", "signature", "sig"}

// loggedQuery is a query string as the request log shows it: cut, and the
// values of the parameters that may hold a secret masked.
func loggedQuery(q string) string {
	if q == "" {
		return ""
	}
	parts := strings.Split(clip(q, 512), "&")
	for i, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if slices.Contains(secretParams, strings.ToLower(name)) {
			parts[i] = k + "=********"
		}
	}
	return strings.Join(parts, "&")
}

// clip cuts s to at most n bytes for a log line.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// requestLang is the language chosen with the switch, else the browser's.
func requestLang(r *http.Request) i18n.Lang {
	if c, err := r.Cookie(langCookie); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// statusRecorder keeps the status and size of an answer, for the metrics
// and the request log.
type statusRecorder struct {
	http.ResponseWriter
	status  int
	bytes   int64
	written bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.written && code >= 200 {
		// The first final status is the answer's (1xx are interim).
		r.status, r.written = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.written = true
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (live streams).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// clientIP is the request's peer address, or, when the peer is a trusted
// proxy, the right-most address of X-Forwarded-For that is not itself a
// trusted proxy. An IPv4-mapped address is given as the IPv4 address it
// maps (a dual-stack proxy writes ::ffff:192.0.2.1 for 192.0.2.1): one
// client, one address, in the limits and in the moderators' records.
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	addr = addr.Unmap()
	if len(s.cfg.TrustedProxies) == 0 || !s.trusted(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		addr = a.Unmap()
		if !s.trusted(addr) {
			break
		}
	}
	return addr.String()
}

// fromTrustedProxy reports whether the request's peer is a trusted proxy.
func (s *Server) fromTrustedProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	a, err := netip.ParseAddr(host)
	return err == nil && s.trusted(a)
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
