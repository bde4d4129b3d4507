package board

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/model"
)

// The audit trail and the metrics hooks. Every change of who may do what
// (log-ins, sign-ups, accounts, roles), of the channels and every
// moderator's decision is logged at INFO, as msg=audit with an event name,
// where it happens: here, whoever asked (a page, a client, the command
// line). The caller's context adds who asked and the request's id
// (internal/logctx). Passwords and tokens are never logged.

// Metrics counts what the board does; internal/metrics has the real one.
// The label values come from fixed lists (metrics.Vias, PostOutcomes…).
type Metrics interface {
	Posted(via, outcome string) // an acknowledged post
	Decided(by, outcome string) // a moderation decision
	Limited(limit string)       // a request refused by a rate limit
}

type noMetrics struct{}

func (noMetrics) Posted(string, string)  {}
func (noMetrics) Decided(string, string) {}
func (noMetrics) Limited(string)         {}

// audit logs one event of the audit trail.
func (b *Board) audit(ctx context.Context, event string, attrs ...slog.Attr) {
	b.log.LogAttrs(ctx, slog.LevelInfo, "audit", append([]slog.Attr{slog.String("event", event)}, attrs...)...)
}

// limited counts a refusal of a rate limit and returns err.
func (b *Board) limited(which string, err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		b.metrics.Limited(which)
	}
	return err
}

// typedName is a name a client typed, as an audit line shows it: valid
// UTF-8, at most 64 characters (it may be anything, a password typed in
// the wrong field included, so it is kept short).
func typedName(name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	if utf8.RuneCountInString(name) > 64 {
		name = string([]rune(name)[:64]) + "…"
	}
	return name
}

// channelName is a channel as the audit trail names it: the default
// channel, whose slug is empty, as the command line names it.
func channelName(slug string) string {
	if slug == model.DefaultSlug {
		return "default"
	}
	return slug
}

// metric is the metrics label of a rate limit.
func (l Limit) metric() string {
	switch l {
	case LimitPosts:
		return "posts"
	case LimitCommands:
		return "commands"
	case LimitLogins:
		return "logins"
	case LimitSignups:
		return "signups"
	}
	return "posts"
}

// viaMetric is the metrics label of where a post comes from.
func viaMetric(v Via) string {
	if v == ViaBoard {
		return "board"
	}
	return "remote"
}
