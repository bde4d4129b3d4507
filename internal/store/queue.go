package store

import (
	"context"
	"fmt"

	"github.com/tribune-go/tribune/internal/model"
)

// QueuePage selects a page of the moderation queue: the pending
// submissions with an id above After, oldest first, at most Limit, of one
// channel when ByChannel (Channel is its slug, "" for the default one).
type QueuePage struct {
	After     int64
	Limit     int
	ByChannel bool
	Channel   string
}

// PendingPage reads a page of the queue and how many submissions wait in
// all (in the channel, when the page is a channel's). Paging by id keeps a
// page stable while others decide: what was decided leaves, nothing moves.
func (s *Store) PendingPage(ctx context.Context, q QueuePage) ([]model.Submission, int, error) {
	where, args := `WHERE s.status = 'pending' AND s.id > $1`, []any{q.After}
	count, cargs := `SELECT COUNT(*) FROM submissions s JOIN channels c ON c.id = s.channel_id WHERE s.status = 'pending'`, []any{}
	if q.ByChannel {
		where += ` AND c.slug = $2`
		args = append(args, q.Channel)
		count += ` AND c.slug = $1`
		cargs = append(cargs, q.Channel)
	}
	args = append(args, q.Limit)
	subs, err := s.querySubmissions(ctx, where+fmt.Sprintf(` ORDER BY s.id LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	var n int
	if err := s.r.QueryRowContext(ctx, count, cargs...).Scan(&n); err != nil {
		return nil, 0, classify(fmt.Errorf("store: count pending: %w", err))
	}
	return subs, n, nil
}
