package board

import (
	"context"
	"errors"
	"log/slog"
	"slices"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Faster moderation: the queue a page at a time, filtered by channel, and
// one decision for several submissions at once.

// Queue pages: the default size, and the most one page lists.
const (
	QueuePageSize = 100
	maxQueuePage  = maxQueue
	// MaxBatch is the most submissions one batch decision takes.
	MaxBatch = 100
)

// QueueQuery selects a page of the queue (see store.QueuePage).
type QueueQuery = store.QueuePage

// Errors of the batch decision and the queue filter.
var (
	ErrBatchEmpty    = errors.New("select at least one message")
	ErrBatchTooLarge = errors.New("too many messages in one decision")
	ErrBadDecision   = errors.New("the decision is accept or reject")
)

// QueuePage reads a page of the queue for mod: Pending is the page, Count
// the number waiting (in the channel, when filtered), More whether a page
// follows, Recent the latest decisions.
func (b *Board) QueuePage(ctx context.Context, mod *model.User, q QueueQuery) (Queue, bool, error) {
	var out Queue
	if err := MayModerate(mod); err != nil {
		return out, false, err
	}
	if q.ByChannel {
		if _, ok, err := b.channels.get(ctx, q.Channel); err != nil {
			return out, false, err
		} else if !ok {
			return out, false, ErrNoChannel
		}
	}
	if q.Limit <= 0 || q.Limit > maxQueuePage {
		q.Limit = QueuePageSize
	}
	want := q.Limit
	q.Limit++ // one more tells whether a page follows
	subs, n, err := b.st.PendingPage(ctx, q)
	if err != nil {
		return out, false, err
	}
	more := len(subs) > want
	if more {
		subs = subs[:want]
	}
	out.Pending, out.Count = subs, n
	out.Recent, err = b.st.Decided(ctx, maxRecent)
	return out, more, err
}

// BatchResult is the fate of one submission of a batch decision: the
// record after the decision, or why it was not decided (another moderator
// was faster, or no such record).
type BatchResult struct {
	ID         int64
	Submission model.Submission
	Err        error
}

// DecideMany accepts or rejects several submissions with one reason. Each
// is decided on its own (one record's refusal does not stop the others)
// and audited as single decisions are, and the batch gets an audit line of
// its own.
func (b *Board) DecideMany(ctx context.Context, mod *model.User, decision string, ids []int64, reason string) ([]BatchResult, error) {
	if err := MayModerate(mod); err != nil {
		return nil, err
	}
	if decision != model.StatusAccepted && decision != model.StatusRejected {
		return nil, ErrBadDecision
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	switch {
	case len(ids) == 0:
		return nil, ErrBatchEmpty
	case len(ids) > MaxBatch:
		return nil, ErrBatchTooLarge
	}
	out := make([]BatchResult, 0, len(ids))
	done := 0
	for _, id := range ids {
		var sub model.Submission
		var err error
		if decision == model.StatusAccepted {
			sub, err = b.Accept(ctx, mod, id)
		} else {
			sub, err = b.Reject(ctx, mod, id, reason)
		}
		if err != nil && !errors.Is(err, ErrNoSubmission) && !errors.Is(err, ErrNotPending) {
			// The store failed: what was decided stays decided, the rest
			// is not tried.
			return out, err
		}
		if err == nil {
			done++
		}
		out = append(out, BatchResult{ID: id, Submission: sub, Err: err})
	}
	b.audit(ctx, "moderation_batch", slog.String("decision", decision), slog.String("moderator", mod.Username),
		slog.Int("asked", len(ids)), slog.Int("decided", done), slog.String("reason", cleanReason(reason)))
	return out, nil
}
