package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/tribune-go/tribune/internal/model"
)

const submissionColumns = `s.id, s.channel_id, c.slug, s.submitted, s.info, COALESCE(s.author_id, 0), s.login,
	s.raw, s.web, s.remote, s.session_id, s.ip, s.status, s.reason, s.decided_by, s.decided_at, COALESCE(s.message_id, 0),
	s.moderators`

func scanSubmission(row interface{ Scan(...any) error }) (model.Submission, error) {
	var sub model.Submission
	var submitted int64
	var decided sql.NullInt64
	var moderators string
	err := row.Scan(&sub.ID, &sub.ChannelID, &sub.ChannelSlug, &submitted, &sub.Info, &sub.AuthorID, &sub.Login,
		&sub.Raw, &sub.Web, &sub.Remote, &sub.SessionID, &sub.IP, &sub.Status, &sub.Reason, &sub.DecidedBy, &decided, &sub.MessageID,
		&moderators)
	sub.Submitted = fromMicros(submitted)
	sub.DecidedAt = nullMicros(decided)
	if err == nil && moderators != "" {
		// Only we write this column; a value edited by hand into something
		// unreadable loses the results, not the record (nor the queue).
		if json.Unmarshal([]byte(moderators), &sub.Moderators) != nil {
			sub.Moderators = nil
		}
	}
	return sub, err
}

// moderatorsColumn is the stored form of a submission's moderator results:
// a JSON array, or ” for none.
func moderatorsColumn(results []model.ModeratorResult) (string, error) {
	if len(results) == 0 {
		return "", nil
	}
	b, err := json.Marshal(results)
	if err != nil {
		return "", classify(fmt.Errorf("store: moderator results: %w", err))
	}
	return string(b), nil
}

func (s *Store) querySubmissions(ctx context.Context, where string, args ...any) ([]model.Submission, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+submissionColumns+` FROM submissions s
		JOIN channels c ON c.id = s.channel_id `+where, args...)
	if err != nil {
		return nil, classify(fmt.Errorf("store: submissions: %w", err))
	}
	defer rows.Close()
	var subs []model.Submission
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, classify(fmt.Errorf("store: submissions: %w", err))
		}
		subs = append(subs, sub)
	}
	return subs, rows.Err()
}

// Submission reads one moderation record.
func (s *Store) Submission(ctx context.Context, id int64) (model.Submission, error) {
	subs, err := s.querySubmissions(ctx, `WHERE s.id = $1`, id)
	if err != nil {
		return model.Submission{}, err
	}
	if len(subs) == 0 {
		return model.Submission{}, ErrNotFound
	}
	return subs[0], nil
}

// Pending lists the moderation queue, oldest first (the order a moderator
// works through it), up to limit entries.
func (s *Store) Pending(ctx context.Context, limit int) ([]model.Submission, error) {
	return s.querySubmissions(ctx, `WHERE s.status = 'pending' ORDER BY s.id LIMIT $1`, limit)
}

// CountPending counts the messages waiting for a moderator.
func (s *Store) CountPending(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, classify(fmt.Errorf("store: count pending: %w", err))
	}
	return n, nil
}

// SubmissionsOf lists the moderation records of one author (by account, or
// by session for anonymous authors), newest first.
func (s *Store) SubmissionsOf(ctx context.Context, userID int64, sessionID string, limit int) ([]model.Submission, error) {
	if userID != 0 {
		return s.querySubmissions(ctx, `WHERE s.author_id = $1 ORDER BY s.id DESC LIMIT $2`, userID, limit)
	}
	if sessionID == "" {
		return nil, nil
	}
	return s.querySubmissions(ctx, `WHERE s.session_id = $1 AND s.author_id IS NULL ORDER BY s.id DESC LIMIT $2`, sessionID, limit)
}

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

// identityClause selects an identity's submissions: registered authors by
// login, anonymous ones by client address.
func identityClause(login, address string, n int) (string, any) {
	if login != "" {
		return fmt.Sprintf(`s.login = $%d`, n), login
	}
	return fmt.Sprintf(`s.login = '' AND s.ip = $%d`, n), address
}

// CountSince counts an identity's submissions to a channel since a time
// (flood control).
func (s *Store) CountSince(ctx context.Context, channelSlug, login, address string, since time.Time) (int, error) {
	clause, who := identityClause(login, address, 3)
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM submissions s JOIN channels c ON c.id = s.channel_id
		WHERE c.slug = $1 AND s.submitted >= $2 AND `+clause, channelSlug, micros(since), who).Scan(&n)
	if err != nil {
		return 0, classify(fmt.Errorf("store: count submissions: %w", err))
	}
	return n, nil
}

// SameTextSince reports whether an identity sent exactly text to a channel
// since a time (duplicate control).
func (s *Store) SameTextSince(ctx context.Context, channelSlug, login, address, text string, since time.Time) (bool, error) {
	clause, who := identityClause(login, address, 4)
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM submissions s JOIN channels c ON c.id = s.channel_id
		WHERE c.slug = $1 AND s.submitted >= $2 AND s.raw = $3 AND `+clause+` LIMIT 1`,
		channelSlug, micros(since), text, who).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, classify(fmt.Errorf("store: duplicate check: %w", err))
	}
	return true, nil
}

// Decided lists the latest moderation decisions, newest first.
func (s *Store) Decided(ctx context.Context, limit int) ([]model.Submission, error) {
	return s.querySubmissions(ctx, `WHERE s.status <> 'pending' ORDER BY s.decided_at DESC, s.id DESC LIMIT $1`, limit)
}
