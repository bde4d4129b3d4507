package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/tribune-go/tribune/internal/model"
)

// Change describes what a commit changed, for caches and live streams.
type Change struct {
	Published []model.Message    // newly published messages, in id order
	Removed   []model.Message    // messages a moderator removed (ID and ChannelID set)
	Decided   []model.Submission // submissions queued or decided
	Channels  bool               // channels were created, edited or deleted
	// Foreign is set when another process made the change: it then carries
	// ids only (Published is empty, Ranges lists what was published,
	// Decided holds only submission ids), to be read back from the store.
	Foreign bool
	Ranges  []IDRange
	// Resync says that changes may have been missed: reload everything.
	Resync bool
	// History lists the channels whose history an import changed: their
	// snapshots are read again; live streams are sent nothing.
	History []int64
}

// IDRange names messages published in a channel by another process: ids
// from First to Last inclusive (some may belong to other channels).
type IDRange struct{ ChannelID, First, Last int64 }

func (c Change) empty() bool {
	return len(c.Published) == 0 && len(c.Removed) == 0 && len(c.Decided) == 0 && !c.Channels && len(c.History) == 0
}

// Post is a message on its way into the store. For a moderated channel,
// Status is the moderation outcome (accepted, pending or rejected) and the
// submission is recorded, with what the auto-moderators said; for an open
// channel Status is "".
type Post struct {
	Message    model.Message // ChannelID, identity, renders, session, IP, Submitted
	URLs       []string      // URLs to archive (already limited by the caller)
	Status     string
	Reason     string
	Moderators []model.ModeratorResult
}

// PostResult tells what became of a post.
type PostResult struct {
	Message    model.Message    // ID != 0 when published
	Submission model.Submission // ID != 0 when a moderation record was written
}

// Post commits a message through the group committer and returns once it is
// on disk.
func (s *Store) Post(ctx context.Context, p Post) (PostResult, error) {
	var res PostResult
	switch p.Status {
	case "", model.StatusAccepted, model.StatusPending, model.StatusRejected:
	default:
		return res, fmt.Errorf("store: bad status %q", p.Status)
	}
	moderators, err := moderatorsColumn(p.Moderators)
	if err != nil {
		return res, err
	}
	apply := func(ctx context.Context, b *batch) error {
		res = PostResult{}
		m := p.Message
		if m.Submitted.IsZero() {
			m.Submitted = b.s.now()
		}
		// Keep what the database keeps, so callers see the stored value.
		m.Submitted = m.Submitted.UTC().Truncate(time.Microsecond)
		if p.Status != "" {
			sub := submissionOf(&m, p.Status, p.Reason)
			sub.Moderators = p.Moderators
			if p.Status != model.StatusPending {
				sub.DecidedAt = b.s.now()
			}
			if err := b.insertSubmission(ctx, &sub, moderators); err != nil {
				return err
			}
			res.Submission = sub
		}
		if p.Status == "" || p.Status == model.StatusAccepted {
			if err := b.publish(ctx, &m, p.URLs); err != nil {
				return err
			}
			res.Message = m
			if res.Submission.ID != 0 {
				res.Submission.MessageID = m.ID
				if _, err := b.tx.ExecContext(ctx, `UPDATE submissions SET message_id = $1 WHERE id = $2`, m.ID, res.Submission.ID); err != nil {
					return classify(fmt.Errorf("store: link submission: %w", err))
				}
			}
		}
		if res.Submission.ID != 0 {
			b.change.Decided = append(b.change.Decided, res.Submission)
		}
		return nil
	}
	if p.Status == "" {
		err = s.writer.submitPlain(ctx, p.Message.ChannelID, apply) // an open channel's: only a message
	} else {
		err = s.writer.submit(ctx, apply)
	}
	if err != nil {
		return PostResult{}, err // res may still be written by the writer (submit)
	}
	return res, nil
}

func submissionOf(m *model.Message, status, reason string) model.Submission {
	return model.Submission{
		ChannelID: m.ChannelID, Submitted: m.Submitted, Info: m.Info, AuthorID: m.AuthorID, Login: m.Login,
		Raw: m.Raw, Web: m.Web, Remote: m.Remote, SessionID: m.SessionID, IP: m.IP,
		Status: status, Reason: reason,
	}
}

// insertSubmission records sub; moderators is its Moderators' column
// (moderatorsColumn), encoded before the batch so that a value JSON cannot
// hold fails this post alone.
func (b *batch) insertSubmission(ctx context.Context, sub *model.Submission, moderators string) error {
	var decided any
	if !sub.DecidedAt.IsZero() {
		decided = micros(sub.DecidedAt)
	}
	err := b.tx.QueryRowContext(ctx, `INSERT INTO submissions
		(channel_id, submitted, info, author_id, login, raw, web, remote, session_id, ip, status, reason, decided_by, decided_at,
		moderators)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		sub.ChannelID, micros(sub.Submitted), sub.Info, nullID(sub.AuthorID), sub.Login, sub.Raw, sub.Web, sub.Remote,
		sub.SessionID, sub.IP, sub.Status, sub.Reason, sub.DecidedBy, decided, moderators).Scan(&sub.ID)
	if err != nil {
		return classify(fmt.Errorf("store: insert submission: %w", err))
	}
	return nil
}

// ErrNotPending is returned when a decision targets a submission that is no
// longer waiting.
var ErrNotPending = errors.New("store: this message is not pending")

// Accept publishes a pending submission: it gets its public id and its clock
// now, so clients polling by id receive it like any new message. by is the
// moderator's login ("" for an automatic decision); urls are the URLs of
// the text to archive (found by the caller: the write path never renders).
func (s *Store) Accept(ctx context.Context, id int64, by string, urls []string) (model.Submission, model.Message, error) {
	var sub model.Submission
	var m model.Message
	err := s.writer.submit(ctx, func(ctx context.Context, b *batch) error {
		var err error
		sub, err = b.pendingSubmission(ctx, id)
		if err != nil {
			return err
		}
		m = model.Message{ChannelID: sub.ChannelID, Info: sub.Info, AuthorID: sub.AuthorID, Login: sub.Login,
			Raw: sub.Raw, Web: sub.Web, Remote: sub.Remote, SessionID: sub.SessionID, IP: sub.IP, Submitted: sub.Submitted}
		if err := b.publish(ctx, &m, urls); err != nil {
			return err
		}
		sub.Status, sub.Reason, sub.DecidedBy, sub.DecidedAt, sub.MessageID = model.StatusAccepted, "", by, b.s.now(), m.ID
		if err := b.decide(ctx, &sub); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return model.Submission{}, model.Message{}, err // see Post
	}
	return sub, m, nil
}

// Reject refuses a pending submission with a reason.
func (s *Store) Reject(ctx context.Context, id int64, by, reason string) (model.Submission, error) {
	var sub model.Submission
	err := s.writer.submit(ctx, func(ctx context.Context, b *batch) error {
		var err error
		sub, err = b.pendingSubmission(ctx, id)
		if err != nil {
			return err
		}
		sub.Status, sub.Reason, sub.DecidedBy, sub.DecidedAt = model.StatusRejected, reason, by, b.s.now()
		return b.decide(ctx, &sub)
	})
	if err != nil {
		return model.Submission{}, err // see Post
	}
	return sub, nil
}

func (b *batch) pendingSubmission(ctx context.Context, id int64) (model.Submission, error) {
	sub, err := scanSubmission(b.tx.QueryRowContext(ctx, `SELECT `+submissionColumns+` FROM submissions s
		JOIN channels c ON c.id = s.channel_id WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, opError{ErrNotFound}
	}
	if err != nil {
		return sub, classify(fmt.Errorf("store: submission %d: %w", id, err))
	}
	if sub.Status != model.StatusPending {
		return sub, opError{ErrNotPending}
	}
	return sub, nil
}

func (b *batch) decide(ctx context.Context, sub *model.Submission) error {
	_, err := b.tx.ExecContext(ctx, `UPDATE submissions SET status = $1, reason = $2, decided_by = $3, decided_at = $4, message_id = $5
		WHERE id = $6`, sub.Status, sub.Reason, sub.DecidedBy, micros(sub.DecidedAt), nullID(sub.MessageID), sub.ID)
	if err != nil {
		return classify(fmt.Errorf("store: decide submission %d: %w", sub.ID, err))
	}
	b.change.Decided = append(b.change.Decided, *sub)
	return nil
}

// Remove takes a published message down. It disappears from every backend;
// its id is never given again. Its moderation record becomes "removed" with
// who, when and why (like postman's a→r, the new decision replaces the
// acceptance's); a message of an open channel, which had none, gets one, so
// that its author and the moderators see every removal alike.
func (s *Store) Remove(ctx context.Context, id int64, by, reason string) (model.Message, error) {
	var m model.Message
	err := s.writer.submit(ctx, func(ctx context.Context, b *batch) error {
		now := b.s.now()
		err := scanMessage(b.tx.QueryRowContext(ctx, `UPDATE messages SET removed = $1, removed_by = $2, removed_reason = $3
			WHERE id = $4 AND removed IS NULL RETURNING `+messageColumns,
			now.UnixMicro(), by, reason, id), &m)
		if errors.Is(err, sql.ErrNoRows) {
			return opError{ErrNotFound}
		}
		if err != nil {
			return classify(fmt.Errorf("store: remove message %d: %w", id, err))
		}
		b.change.Removed = append(b.change.Removed, m)
		// A published record has the message's channel and submission time:
		// looking it up by them uses the (channel_id, submitted) index.
		sub, err := scanSubmission(b.tx.QueryRowContext(ctx, `SELECT `+submissionColumns+` FROM submissions s
			JOIN channels c ON c.id = s.channel_id WHERE s.channel_id = $1 AND s.submitted = $2 AND s.message_id = $3`,
			m.ChannelID, micros(m.Submitted), m.ID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			sub = submissionOf(&m, model.StatusRemoved, reason)
			sub.DecidedAt = now
			if err := b.insertSubmission(ctx, &sub, ""); err != nil {
				return err
			}
		case err != nil:
			return classify(fmt.Errorf("store: record of message %d: %w", id, err))
		}
		sub.Status, sub.Reason, sub.DecidedBy, sub.DecidedAt, sub.MessageID = model.StatusRemoved, reason, by, now, m.ID
		return b.decide(ctx, &sub)
	})
	if err != nil {
		return model.Message{}, err // see Post
	}
	return m, nil
}

func urlHash(u string) string {
	h := sha256.Sum256([]byte(u))
	return hex.EncodeToString(h[:16])
}
