package store

import (
	"context"
	"slices"
	"time"

	"github.com/tribune-go/tribune/internal/model"
)

// OwnOnBoard lists what a channel's board shows its author besides the
// published messages: the submissions still waiting for a moderator and
// those rejected since rejectedSince, so that the author learns their fate
// after a reload or without JavaScript. The newest limit are kept, oldest
// first. Anonymous authors are found by session.
func (s *Store) OwnOnBoard(ctx context.Context, channelID, userID int64, sessionID string, rejectedSince time.Time, limit int) ([]model.Submission, error) {
	const shown = `s.channel_id = $1 AND (s.status = 'pending' OR s.status = 'rejected' AND s.decided_at >= $2)`
	var subs []model.Submission
	var err error
	switch {
	case userID != 0:
		subs, err = s.querySubmissions(ctx, `WHERE `+shown+` AND s.author_id = $3 ORDER BY s.id DESC LIMIT $4`,
			channelID, micros(rejectedSince), userID, limit)
	case sessionID != "":
		subs, err = s.querySubmissions(ctx, `WHERE `+shown+` AND s.session_id = $3 AND s.author_id IS NULL ORDER BY s.id DESC LIMIT $4`,
			channelID, micros(rejectedSince), sessionID, limit)
	}
	slices.Reverse(subs)
	return subs, err
}
