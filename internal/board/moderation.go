package board

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/moderation"
	"github.com/tribune-go/tribune/internal/store"
)

// gates keeps each channel's compiled moderation policy, rebuilt when the
// channel's policy changes.
type gates struct {
	mu   sync.Mutex
	byID map[int64]gateEntry
}

type gateEntry struct {
	key  string // the policy it was compiled from
	gate *moderation.Gate
}

// gate returns the compiled policy of c. A policy that no longer compiles
// (a spec edited by hand in the database) holds every message for a human
// rather than publishing what the chain would have stopped.
func (b *Board) gate(c model.Channel) *moderation.Gate {
	key := c.Mode + "\x00" + strings.Join(c.Moderators, "\x00") + "\x00" + c.AutoModerateAs
	b.gates.mu.Lock()
	defer b.gates.mu.Unlock()
	if e, ok := b.gates.byID[c.ID]; ok && e.key == key {
		return e.gate
	}
	g, err := b.compilePolicy(c.Mode, c.Moderators, c.AutoModerateAs)
	if err != nil {
		b.log.Error("board: the moderation policy of a channel does not compile: holding its messages for a moderator",
			"channel", c.Slug, "err", err)
		g = &moderation.Gate{Mode: moderation.ModeManual}
	}
	if b.gates.byID == nil {
		b.gates.byID = map[int64]gateEntry{}
	}
	b.gates.byID[c.ID] = gateEntry{key: key, gate: g}
	return g
}

// compilePolicy checks a policy and builds its gate: the one place a
// policy is read, for posting and for changing it alike. A refusal is a
// *PolicyError naming every part that is wrong.
func (b *Board) compilePolicy(mode string, specs []string, fallback string) (*moderation.Gate, error) {
	deps := moderation.Deps{Poster: b.out, History: history{b.st}, Logger: b.log,
		WebhookTimeout: b.cfg.ModerationWebhookTimeout, ChainTimeout: b.cfg.ModerationTimeout}
	site, _ := moderation.ParseFallback(b.cfg.AutoModerateAs) // checked with the configuration
	p, err := moderation.ParsePolicy(mode, specs, fallback)
	if err == nil {
		var g *moderation.Gate
		if g, err = p.Compile(deps, site); err == nil {
			return g, nil
		}
	}
	// Refused: find every part that is wrong, not only the first.
	pe := &PolicyError{Mode: mode, Fallback: fallback}
	if _, err := moderation.ParseMode(mode); err != nil {
		pe.BadMode = true
		pe.errs = append(pe.errs, err)
	}
	if _, err := moderation.ParseFallback(fallback); fallback != "" && err != nil {
		pe.BadFallback = true
		pe.errs = append(pe.errs, err)
	}
	if _, err := moderation.ParseChain(specs, deps); err != nil {
		pe.Specs = specErrors(err)
		pe.errs = append(pe.errs, err)
	}
	return nil, pe
}

// specErrors finds the refused specs in an error tree (ParseChain joins
// one error per bad spec).
func specErrors(err error) []*moderation.SpecError {
	switch e := err.(type) {
	case *moderation.SpecError:
		return []*moderation.SpecError{e}
	case interface{ Unwrap() []error }:
		var out []*moderation.SpecError
		for _, x := range e.Unwrap() {
			out = append(out, specErrors(x)...)
		}
		return out
	case interface{ Unwrap() error }:
		return specErrors(e.Unwrap())
	}
	return nil
}

// history answers the flood and duplicate moderators from the moderation
// records, so that every process sees the same counts.
type history struct{ st *store.Store }

func (h history) CountSince(ctx context.Context, channel string, who moderation.Identity, since time.Time) (int, error) {
	return h.st.CountSince(ctx, channel, who.Login, who.Address, since)
}

func (h history) SameTextSince(ctx context.Context, channel string, who moderation.Identity, text string, since time.Time) (bool, error) {
	return h.st.SameTextSince(ctx, channel, who.Login, who.Address, text, since)
}

// moderate decides what happens to m on its channel: "" for an open channel
// (published, no moderation record), else the status and reason to record,
// with what each auto-moderator said. links is the number of links the
// renderer found in m. The chain outlives ctx (see moderation.Gate.Judge):
// a poster who hangs up does not get a say.
func (b *Board) moderate(ctx context.Context, c model.Channel, m *model.Message, links int) (status, reason string, said []model.ModeratorResult) {
	g := b.gate(c)
	if g.Mode == moderation.ModeOpen {
		return "", "", nil
	}
	d, results := g.Judge(ctx, &moderation.Submission{Channel: c.Slug, Content: m.Raw, Info: m.Info, Login: m.Login,
		Address: m.IP, Links: &links})
	said = moderatorResults(results)
	switch d.Verdict {
	case moderation.Accepted:
		return model.StatusAccepted, "", said
	case moderation.Rejected:
		return model.StatusRejected, storable(d.Reason), said
	}
	return model.StatusPending, "", said
}

// moderatorResults is what the chain said, as the record keeps it.
func moderatorResults(results []moderation.Result) []model.ModeratorResult {
	if len(results) == 0 {
		return nil
	}
	out := make([]model.ModeratorResult, len(results))
	for i, r := range results {
		out[i] = model.ModeratorResult{Spec: storable(r.Spec), Failure: string(r.Failure), Detail: storable(r.Detail)}
		if score, ok := r.Rating(); ok {
			out[i].Rating, out[i].Reason = &score, storable(r.Output.Reason)
		}
	}
	return out
}

// notifyQueue calls TRIBUNE_MODERATION_WEBHOOK when a message enters the
// moderation queue, so that a team is told (postman told nobody). It runs
// in the background; a failure is logged, never shown to the poster.
// site is the tribune's public URL, for the link to the queue.
func (b *Board) notifyQueue(sub model.Submission, c model.Channel, site string) {
	if b.cfg.ModerationWebhook == "" || b.out == nil {
		return
	}
	var login *string
	if sub.Login != "" {
		login = &sub.Login
	}
	event := map[string]any{
		"event": "pending", "id": sub.ID, "channel": c.Slug, "channel_title": c.Title,
		"content": sub.Raw, "info": sub.Info, "login": login, "address": sub.IP,
		"submitted": sub.Submitted.In(b.cfg.Location).Format(time.RFC3339), "queue_url": site + b.cfg.Prefix + "/moderation/",
	}
	body, _ := json.Marshal(event)
	b.background.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		status, _, err := b.out.Post(ctx, b.cfg.ModerationWebhook, "application/json", body, 0)
		switch {
		case err != nil:
			b.log.Warn("moderation webhook", "err", err)
		case status/100 != 2:
			b.log.Warn("moderation webhook", "status", status)
		}
	})
}

// MayModerate tells whether u may moderate: ErrLoginNeeded for nobody,
// ErrForbidden for a plain user.
func MayModerate(u *model.User) error {
	switch {
	case u == nil:
		return ErrLoginNeeded
	case !u.Role.CanModerate():
		return ErrForbidden
	}
	return nil
}

// Queue is what moderators see: the waiting messages, oldest first, their
// number, and the latest decisions (removals included), newest first.
type Queue struct {
	Pending []model.Submission
	Count   int
	Recent  []model.Submission
}

// Most submissions one look at the queue lists, and most latest decisions.
const (
	maxQueue  = 500
	maxRecent = 20
)

// Queue reads the moderation queue for mod.
func (b *Board) Queue(ctx context.Context, mod *model.User) (Queue, error) {
	var q Queue
	if err := MayModerate(mod); err != nil {
		return q, err
	}
	var err error
	if q.Pending, err = b.st.Pending(ctx, maxQueue); err != nil {
		return q, err
	}
	if q.Count, err = b.st.CountPending(ctx); err != nil {
		return q, err
	}
	q.Recent, err = b.st.Decided(ctx, maxRecent)
	return q, err
}

// CountPending counts the messages waiting for a moderator.
func (b *Board) CountPending(ctx context.Context) (int, error) { return b.st.CountPending(ctx) }

// RecountPending has the moderation queue's size sent to every live
// stream, in order with the moderation events (hub.RecountPending).
func (b *Board) RecountPending() { b.hub.RecountPending() }

// Accept publishes a pending message. It gets its public id and clock
// now, so clients polling by id receive it like any new message.
func (b *Board) Accept(ctx context.Context, mod *model.User, id int64) (model.Submission, error) {
	if err := MayModerate(mod); err != nil {
		return model.Submission{}, err
	}
	// The URLs to archive, found before the write: the store's write path
	// never calls back into the renderer. A submission's text never
	// changes, so reading it first is safe.
	sub, err := b.st.Submission(ctx, id)
	if err != nil {
		return sub, decisionError(err)
	}
	urls := b.archivedURLs(b.markup.Render(sub.Raw).URLs)
	sub, _, err = b.st.Accept(ctx, id, mod.Username, urls)
	if err == nil {
		b.decided(ctx, mod, model.StatusAccepted, id, sub.MessageID, "")
	}
	return sub, decisionError(err)
}

// Reject refuses a pending message, with a reason (trimmed, cut to
// moderation.MaxReasonLength characters).
func (b *Board) Reject(ctx context.Context, mod *model.User, id int64, reason string) (model.Submission, error) {
	if err := MayModerate(mod); err != nil {
		return model.Submission{}, err
	}
	sub, err := b.st.Reject(ctx, id, mod.Username, cleanReason(reason))
	if err == nil {
		b.decided(ctx, mod, model.StatusRejected, id, 0, sub.Reason)
	}
	return sub, decisionError(err)
}

// Remove takes a published message down: it disappears from every backend,
// and its id is never given again. Its author is told, with the reason.
func (b *Board) Remove(ctx context.Context, mod *model.User, id int64, reason string) (model.Message, error) {
	if err := MayModerate(mod); err != nil {
		return model.Message{}, err
	}
	reason = cleanReason(reason)
	m, err := b.st.Remove(ctx, id, mod.Username, reason)
	if errors.Is(err, store.ErrNotFound) {
		return m, ErrNoMessage
	}
	if err == nil {
		b.decided(ctx, mod, model.StatusRemoved, 0, id, reason)
	}
	return m, err
}

// decided counts a moderator's decision and puts it in the audit trail:
// the moderation record (submission), the message, or both.
func (b *Board) decided(ctx context.Context, mod *model.User, decision string, submission, message int64, reason string) {
	b.metrics.Decided("moderator", decision)
	attrs := []slog.Attr{slog.String("decision", decision), slog.String("moderator", mod.Username)}
	if submission != 0 {
		attrs = append(attrs, slog.Int64("submission", submission))
	}
	if message != 0 {
		attrs = append(attrs, slog.Int64("message", message))
	}
	if reason != "" {
		attrs = append(attrs, slog.String("reason", reason))
	}
	b.audit(ctx, "moderation", attrs...)
}

// decisionError names the store's answers to a decision.
func decisionError(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrNoSubmission
	case errors.Is(err, store.ErrNotPending):
		return ErrNotPending
	}
	return err
}

// storable is a text an auto-moderator gave (a webhook's reason) as the
// record keeps it: as decided, spaces and tabs included, but without what
// XML and the databases cannot carry (NUL and other control characters,
// noncharacters, invalid UTF-8), which could otherwise lose the post.
func storable(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20 || r >= 0x7f && r <= 0x9f || r == 0xFFFE || r == 0xFFFF || r >= 0xFDD0 && r <= 0xFDEF:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// cleanReason cleans a moderator's reason as a message's text is cleaned,
// trims it and keeps at most moderation.MaxReasonLength characters, the
// length postman keeps. (An auto-moderator's reason is recorded as it was
// decided, but storable.)
func cleanReason(reason string) string {
	return markup.Cut(strings.TrimSpace(markup.Sanitize(reason)), moderation.MaxReasonLength)
}
