package moderation

import (
	"context"
	"errors"
	"log/slog"
	"math"
)

// Failure is why a moderator gave no output. A failed moderator counts as
// neutral, like postman's None, but the record says it failed: a classifier
// that is down must not look like one that has no opinion.
type Failure string

const (
	// FailureTimeout: no answer in time (the moderator's own timeout, or
	// the chain's).
	FailureTimeout Failure = "timeout"
	// FailureError: the moderator could not ask (a network or storage
	// error, a non-2xx answer).
	FailureError Failure = "error"
	// FailureBadAnswer: an answer came, but not one the moderator can read.
	FailureBadAnswer Failure = "bad_answer"
)

// ErrBadAnswer is wrapped by the error of a moderator whose service
// answered something it cannot read; the chain records it as
// FailureBadAnswer.
var ErrBadAnswer = errors.New("malformed answer")

// maxDetail bounds a failure's description, in runes: it is shown next to
// the message on the moderation page, not a log.
const maxDetail = 200

// Result is what one moderator of a chain said about a submission, for the
// moderation record: its output (the default reason applied), or why it
// gave none. A chain's results list the moderators it asked, in order: the
// ones after a firm verdict were not asked and have no result.
type Result struct {
	Spec    string // the moderator's spec, credentials masked
	Output  Output // Neutral when Failure is set
	Failure Failure
	Detail  string // what went wrong, when Failure is set
}

// Rating returns the rating of r, or false for no opinion (neutral, failed,
// or a number that cannot be written down, such as NaN).
func (r Result) Rating() (float64, bool) {
	if r.Failure != "" || r.Output.Kind != OutputScore || math.IsNaN(r.Output.Score) || math.IsInf(r.Output.Score, 0) {
		return 0, false
	}
	return r.Output.Score, true
}

// ask rates s with m and records what it said.
func ask(ctx context.Context, m Moderator, s *Submission) Result {
	out, err := m.Rate(ctx, s)
	if err != nil {
		return Result{Spec: m.Spec(), Output: Neutral(), Failure: failureOf(err), Detail: cut(err.Error(), maxDetail)}
	}
	return Result{Spec: m.Spec(), Output: out.WithDefaultReason(m.DefaultReason())}
}

// failureOf sorts a moderator's error.
func failureOf(err error) Failure {
	var timeout interface{ Timeout() bool }
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &timeout) && timeout.Timeout():
		return FailureTimeout
	case errors.Is(err, ErrBadAnswer):
		return FailureBadAnswer
	}
	return FailureError
}

// warnFailures logs the moderators that failed. It is a warning, not an
// error: the post goes on, but an operator should know a moderator is
// blind.
func warnFailures(ctx context.Context, log *slog.Logger, results []Result) {
	if log == nil {
		log = slog.Default()
	}
	for _, r := range results {
		if r.Failure != "" {
			log.WarnContext(ctx, "moderation: moderator failed, counted as neutral",
				slog.String("moderator", r.Spec), slog.String("failure", string(r.Failure)), slog.String("error", r.Detail))
		}
	}
}

// cut keeps the first n runes of s, cutting only at rune boundaries.
func cut(s string, n int) string {
	i := 0
	for at := range s {
		if i == n {
			return s[:at]
		}
		i++
	}
	return s
}
