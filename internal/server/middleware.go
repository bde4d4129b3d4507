package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/i18n"
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

// middleware wraps every request: panic recovery, the client address, the
// language, nosniff, and the optional request log. It is the only chain;
// per-route needs are small wrappers in routes.go.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// Every answer is of the type it says: a browser must not read a
		// backend (or a message in it) as HTML or a script.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		v := &visit{ip: s.clientIP(r), lang: requestLang(r)}
		r = r.WithContext(context.WithValue(r.Context(), visitKey{}, v))
		var rec *statusRecorder
		if s.cfg.LogRequests {
			rec = &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			w = rec
		}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.fail(w, r, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
			if rec != nil {
				s.log.Info("request", slog.Group("request", "method", r.Method, "path", r.URL.Path, "ip", v.ip),
					slog.Group("response", "status", rec.status, "duration", time.Since(start)))
			}
		}()
		next.ServeHTTP(w, r)
	})
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

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
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
