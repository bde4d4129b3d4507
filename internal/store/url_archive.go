package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/tribune-go/tribune/internal/model"
)

// The URL archive (djangotribune's urls/): the links the board found in the
// messages (Post.URLs, archived by the writer), newest first, with their
// message. A removed message takes its links out of the archive.

// ArchivedURL is one link of the archive and the message it was posted in.
type ArchivedURL struct {
	ID      int64
	URL     string
	Message model.Message
}

// URLQuery selects links. The three texts are OR-combined, as in
// djangotribune: a link is listed when its URL, its author's login or its
// message's text contains one of those given (without case, for ASCII
// letters). None given: every link.
type URLQuery struct {
	ChannelID int64 // 0: every channel
	URL       string
	Author    string
	Message   string
	Before    int64 // only links with a lower id (0: from the newest)
	Limit     int
}

// URLs lists the archive's links matching q, newest first. A search
// (contains, which no index helps) reads the archive from the newest link
// back, and gives up after searchTimeout (ErrSearchTimeout).
func (s *Store) URLs(ctx context.Context, q URLQuery) ([]ArchivedURL, error) {
	ctx, cancel := context.WithTimeout(ctx, searchTimeout)
	defer cancel()
	var args sqlArgs
	where := []string{`m.removed IS NULL`}
	if q.ChannelID != 0 {
		where = append(where, `m.channel_id = `+args.add(q.ChannelID))
	}
	if q.Before > 0 {
		where = append(where, `u.id < `+args.add(q.Before))
	}
	contains := func(col, text string) string {
		if s.dialect == postgres {
			return `strpos(lower(` + col + `), lower(` + args.add(text) + `)) > 0`
		}
		return `instr(lower(` + col + `), lower(` + args.add(text) + `)) > 0`
	}
	var or []string
	if q.URL != "" {
		or = append(or, contains(`u.url`, q.URL))
	}
	if q.Author != "" {
		or = append(or, contains(`m.login`, q.Author))
	}
	if q.Message != "" {
		or = append(or, contains(`m.raw`, q.Message))
	}
	if len(or) > 0 {
		where = append(where, `(`+strings.Join(or, ` OR `)+`)`)
	}
	// Newest links first, each joined to its message, until the page is
	// full. SQLite's CROSS JOIN keeps that order of the loops: without
	// statistics (a database just imported) its planner would read every
	// message of the channel and sort their links (29 ms at 50,000
	// messages, seconds at ten million).
	join := `JOIN`
	if s.dialect == sqlite {
		join = `CROSS JOIN`
	}
	query := `SELECT u.id, u.url, ` + searchColumns + ` FROM urls u ` + join + ` messages m ON m.id = u.message_id
		WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY u.id DESC LIMIT ` + args.add(q.Limit)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, searchError(ctx, classify(fmt.Errorf("store: url archive: %w", err)))
	}
	defer rows.Close()
	var us []ArchivedURL
	for rows.Next() {
		var u ArchivedURL
		var created, modified, submitted int64
		m := &u.Message
		if err := rows.Scan(&u.ID, &u.URL, &m.ID, &m.ChannelID, &created, &modified, &m.ClockIndex, &m.Info, &m.AuthorID,
			&m.Login, &m.Raw, &m.Web, &m.Remote, &m.SessionID, &m.IP, &submitted); err != nil {
			return nil, searchError(ctx, classify(fmt.Errorf("store: url archive: %w", err)))
		}
		m.Created, m.Modified, m.Submitted = fromMicros(created), fromMicros(modified*1e6), fromMicros(submitted)
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, searchError(ctx, classify(fmt.Errorf("store: url archive: %w", err)))
	}
	return us, nil
}
