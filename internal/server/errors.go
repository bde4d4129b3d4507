package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/commands"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/moderation"
)

// Error is a failure worded for the asker: an HTTP status and a message
// safe to show, in the asker's language; the cause, if any, is only
// logged.
type Error struct {
	Status int
	Msg    string
	// Field names the form field at fault ("content"): clients read
	// djangotribune's "* content: MESSAGE".
	Field  string
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

// h adapts a handler that may fail.
func (s *Server) h(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// fail is the one place that answers a failed request. Known errors get
// their status and message: as short plain text, which every coincoin shows
// to its user as is (olcc pops the body up), or as a page for a browser on
// the site's pages; anything else is logged and answered 500 without
// details.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away (a post may still have been committed):
		// nobody reads the answer.
		s.log.DebugContext(r.Context(), "client gone", "method", r.Method, "path", r.URL.Path)
		w.WriteHeader(499)
		return
	}
	e := s.word(r, err)
	if errors.Is(err, board.ErrStorageFull) {
		// One line a minute, not one a post, while the disk is full.
		s.storageFull.note(s.log, "storage full: writes refused", err)
	}
	if e == nil {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = httpError(http.StatusInternalServerError, s.t(r, "error.internal"))
	} else if e.Err != nil {
		s.log.WarnContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "status", e.Status, "err", e.Err)
	}
	h := w.Header()
	for k, v := range e.Header {
		h[k] = v
	}
	v := visitOf(r)
	if v.answer == answerPage && s.pages != nil {
		s.errorPage(w, r, e)
		return
	}
	msg := e.Msg
	if e.Field != "" && v.client {
		msg = "* " + e.Field + ": " + msg
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(msg)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		w.Write([]byte(msg))
	}
}

// word says a refusal in the asker's language: the board's typed errors,
// and the handlers' own *Error. It is nil for a failure of the server.
func (s *Server) word(r *http.Request, err error) *Error {
	lang := langOf(r)
	t := func(status int, key string, args ...any) *Error {
		return httpError(status, i18n.T(lang, key, args...))
	}
	var (
		e        *Error
		content  *board.ContentError
		tooLong  *board.TooLongError
		command  *commands.Error
		limit    *board.LimitError
		userErr  *board.UserError
		channel  *board.ChannelError
		policyEr *board.PolicyError
		busy     *board.BusyError
	)
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, board.ErrStorageFull) {
		return t(http.StatusServiceUnavailable, "error.storage_full").withHeader("Retry-After", "60")
	}
	switch {
	case errors.Is(err, board.ErrBadToken):
		return t(http.StatusUnauthorized, "error.token_bad").withHeader("WWW-Authenticate", bearerChallenge)
	case errors.Is(err, board.ErrTokenName):
		return t(http.StatusBadRequest, "error.token_name", board.MaxTokenName)
	case errors.Is(err, board.ErrTooManyTokens):
		return t(http.StatusBadRequest, "error.token_too_many", board.MaxTokens)
	}
	for _, w := range worded {
		if errors.Is(err, w.err) {
			return t(w.status, w.key)
		}
	}
	switch {
	case errors.Is(err, board.ErrFilterTooLong):
		return t(http.StatusBadRequest, "filter.too_long", s.cfg.PostMaxLength)
	case errors.As(err, &content):
		var w *Error
		switch {
		case errors.As(err, &command):
			w = httpError(http.StatusBadRequest, command.Msg)
		case errors.As(err, &tooLong):
			w = t(http.StatusBadRequest, "error.too_long", tooLong.Max, tooLong.Got)
		case errors.Is(err, board.ErrWrongCaptcha):
			w = t(http.StatusBadRequest, "captcha.wrong")
		default:
			w = t(http.StatusBadRequest, "error.required")
		}
		w.Field = "content"
		return w
	case errors.As(err, &limit):
		key := "error.too_many" // log-ins, sign-ups
		switch limit.Limit {
		case board.LimitPosts:
			key = "error.too_many_posts"
		case board.LimitCommands:
			key = "error.too_many_commands"
		case board.LimitTotoz:
			key = "error.too_many_totoz"
		}
		return tooMany(lang, key, limit.Wait)
	case errors.As(err, &busy):
		return busyError(lang, busy.Wait)
	case errors.As(err, &userErr):
		switch {
		case errors.Is(err, board.ErrUserExists):
			return t(http.StatusConflict, "account.name_taken", userErr.Name)
		case errors.Is(err, board.ErrNoUser):
			return t(http.StatusBadRequest, "admin.no_user", userErr.Name)
		case errors.Is(err, board.ErrLookAlike):
			return t(http.StatusConflict, "account.look_alike", userErr.Name)
		case errors.Is(err, board.ErrMixedScripts):
			return t(http.StatusBadRequest, "account.mixed_scripts")
		case errors.Is(err, board.ErrBadUsername):
			return t(http.StatusBadRequest, "account.bad_username")
		}
		return t(http.StatusBadRequest, "account.bad_password")
	case errors.As(err, &policyEr):
		return t(http.StatusBadRequest, "admin.bad_policy", policyProblem(lang, policyEr))
	case errors.As(err, &channel):
		switch {
		case errors.Is(err, board.ErrChannelExists):
			return t(http.StatusBadRequest, "admin.slug_taken", channel.Slug)
		case errors.Is(err, board.ErrSlugLength):
			return t(http.StatusBadRequest, "admin.bad_slug", i18n.T(lang, "admin.slug_length"))
		case errors.Is(err, board.ErrSlugChars):
			return t(http.StatusBadRequest, "admin.bad_slug", i18n.T(lang, "admin.slug_chars"))
		case errors.Is(err, board.ErrSlugReserved):
			return t(http.StatusBadRequest, "admin.bad_slug", i18n.T(lang, "admin.slug_reserved", channel.Slug))
		}
	}
	return nil
}

// worded are the board's refusals that need no more than a status and a
// sentence.
var worded = []struct {
	err    error
	status int
	key    string
}{
	{board.ErrAnonymousPost, http.StatusForbidden, "error.anonymous_post"},
	{board.ErrChannelGone, http.StatusNotFound, "error.not_found"},
	{board.ErrBadCredentials, http.StatusUnauthorized, "error.bad_credentials"},
	{board.ErrSignupClosed, http.StatusForbidden, "account.signup_closed"},
	{board.ErrLoginNeeded, http.StatusUnauthorized, "moderation.login_needed"},
	{board.ErrForbidden, http.StatusForbidden, "moderation.forbidden"},
	{board.ErrNoSubmission, http.StatusNotFound, "moderation.unknown"},
	{board.ErrNotPending, http.StatusConflict, "moderation.not_pending"},
	{board.ErrNoMessage, http.StatusNotFound, "moderation.unknown_message"},
	{board.ErrDemoteSelf, http.StatusBadRequest, "admin.not_yourself"},
	{board.ErrPasswordsDiffer, http.StatusBadRequest, "account.passwords_differ"},
	{board.ErrBadInterval, http.StatusBadRequest, "prefs.bad_interval"},
	{board.ErrBadTheme, http.StatusBadRequest, "prefs.bad_theme"},
	{board.ErrFilterOp, http.StatusBadRequest, "filter.bad_op"},
	{board.ErrFilterTarget, http.StatusBadRequest, "filter.bad_target"},
	{board.ErrFilterKind, http.StatusBadRequest, "filter.bad_kind"},
	{board.ErrFilterPattern, http.StatusBadRequest, "filter.need_pattern"},
	{board.ErrDefaultChannel, http.StatusBadRequest, "admin.default_undeletable"},
	{board.ErrBadTitle, http.StatusBadRequest, "admin.bad_title"},
	{board.ErrNoChannel, http.StatusBadRequest, "error.unknown_channel"},
	{board.ErrTokenScope, http.StatusForbidden, "error.token_scope"},
	{board.ErrScopeRole, http.StatusForbidden, "error.token_scope_role"},
	{board.ErrBadScope, http.StatusBadRequest, "error.token_bad_scope"},
	{board.ErrNoToken, http.StatusNotFound, "error.token_unknown"},
	{board.ErrBadDecision, http.StatusBadRequest, "moderation.bad_decision"},
	{board.ErrBatchEmpty, http.StatusBadRequest, "moderation.batch_empty"},
	{board.ErrSearchTooLong, http.StatusBadRequest, "search.error_slow"},
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

// busyError is a 503 with the Retry-After the client should honour: the
// server runs as many password checks as it can afford.
func busyError(lang i18n.Lang, wait time.Duration) *Error {
	secs := max(1, int(math.Ceil((wait - time.Millisecond).Seconds())))
	key := "error.busy"
	if secs == 1 {
		key += "_one"
	}
	return httpError(http.StatusServiceUnavailable, i18n.T(lang, key, secs)).
		withHeader("Retry-After", strconv.Itoa(secs))
}

// policyProblem says in lang what is wrong with a refused moderation
// policy: each refused spec named with the part of it that is wrong, then
// the mode and the verdict when they are not ones.
func policyProblem(lang i18n.Lang, e *board.PolicyError) string {
	var problems []string
	for _, spec := range e.Specs {
		problems = append(problems, specProblem(lang, spec))
	}
	if e.BadMode {
		problems = append(problems, i18n.T(lang, "admin.policy_mode", e.Mode))
	}
	if e.BadFallback {
		problems = append(problems, i18n.T(lang, "admin.policy_fallback", e.Fallback))
	}
	if len(problems) == 0 {
		return i18n.T(lang, "admin.policy_invalid")
	}
	return strings.Join(problems, " ")
}

// specProblem says in lang what is wrong with a refused auto-moderator
// spec.
func specProblem(lang i18n.Lang, e *moderation.SpecError) string {
	switch {
	case errors.Is(e, moderation.ErrShape):
		return i18n.T(lang, "admin.spec_shape", e.Spec)
	case errors.Is(e, moderation.ErrKind):
		return i18n.T(lang, "admin.spec_kind", e.Spec)
	case errors.Is(e, moderation.ErrNoArgument):
		return i18n.T(lang, "admin.spec_argument", e.Spec)
	}
	return i18n.T(lang, "admin.spec_invalid", e.Spec, e.Kind)
}

// throttle logs a recurring failure at most once per minute, with how many
// times it happened since the last line.
type throttle struct {
	mu    sync.Mutex
	last  time.Time
	count int
}

func (t *throttle) note(log *slog.Logger, msg string, err error) {
	t.mu.Lock()
	t.count++
	if time.Since(t.last) < time.Minute {
		t.mu.Unlock()
		return
	}
	n := t.count
	t.last, t.count = time.Now(), 0
	t.mu.Unlock()
	log.Error(msg, "err", err, "count", n)
}
