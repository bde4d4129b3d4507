package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/tribune-go/tribune/internal/i18n"
)

// Error is a failure with an HTTP status and a message safe to show; the
// cause, if any, is only logged.
type Error struct {
	Status int
	Msg    string      // already in the requester's language
	Header http.Header // extra headers (Retry-After, X-Moderation…)
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Msg, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// httpError builds an Error.
func httpError(status int, msg string) *Error { return &Error{Status: status, Msg: msg} }

// withHeader adds a header to the error's answer.
func (e *Error) withHeader(k, v string) *Error {
	if e.Header == nil {
		e.Header = http.Header{}
	}
	e.Header.Set(k, v)
	return e
}

// tooMany is a 429 with the Retry-After the client should honour, worded
// by key (error.too_many, error.too_many_posts…), whose "_one" variant
// says 1 second.
func tooMany(lang i18n.Lang, key string, wait time.Duration) *Error {
	// Whole seconds, rounded up, ignoring the float dust of the bucket
	// arithmetic (20.000000001 s is 20 s).
	secs := max(1, int(math.Ceil((wait - time.Millisecond).Seconds())))
	if secs == 1 {
		key += "_one"
	}
	return httpError(http.StatusTooManyRequests, i18n.T(lang, key, secs)).
		withHeader("Retry-After", strconv.Itoa(secs))
}

// handler is a handler that may fail; fail renders its error.
type handler func(w http.ResponseWriter, r *http.Request) error

// fail is the one place that answers a failed request. Known errors get
// their status and message as short plain text, which every coincoin shows
// to its user as is (olcc pops the body up), or as a page for a browser on
// the site's pages; anything else is logged and answered 500 without
// details.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var e *Error
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away (a post may still have been committed):
		// nobody reads the answer.
		s.log.Debug("client gone", "method", r.Method, "path", r.URL.Path)
		w.WriteHeader(499)
		return
	}
	if !errors.As(err, &e) {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = httpError(http.StatusInternalServerError, i18n.T(langOf(r), "error.internal"))
	} else if e.Err != nil {
		s.log.Warn("request refused", "method", r.Method, "path", r.URL.Path, "status", e.Status, "err", e.Err)
	}
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	if wantsHTML(r) && !visitOf(r).plain && s.pages != nil {
		s.errorPage(w, r, e)
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(e.Msg)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		w.Write([]byte(e.Msg))
	}
}
