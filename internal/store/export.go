package store

import (
	"context"
	"fmt"
	"time"

	"github.com/tribune-go/tribune/internal/model"
)

// ExportQuery selects the messages of an export.
type ExportQuery struct {
	ChannelID int64     // 0: every channel
	Since     time.Time // zero: from the first
}

// ExportedMessage is a published message with its channel's slug.
type ExportedMessage struct {
	model.Message
	Slug string
}

// exportChunk is how many rows one query of an export reads: the export
// walks the messages by id, a chunk at a time, in constant memory and
// without a long read transaction.
const exportChunk = 2000

// Export calls fn with every published message q selects, in id order.
func (s *Store) Export(ctx context.Context, q ExportQuery, fn func(*ExportedMessage) error) error {
	where := ` WHERE m.id > $1`
	args := []any{int64(0)}
	if q.ChannelID != 0 {
		args = append(args, q.ChannelID)
		where += fmt.Sprintf(` AND m.channel_id = $%d`, len(args))
	}
	if !q.Since.IsZero() {
		args = append(args, q.Since.UnixMicro())
		where += fmt.Sprintf(` AND m.created >= $%d`, len(args))
	}
	where += ` AND m.removed IS NULL`
	query := `SELECT m.id, m.channel_id, m.created, m.modified, m.clock_index, m.info, COALESCE(m.author_id, 0), m.login,
		m.raw, m.web, m.remote, m.session_id, m.ip, m.submitted, c.slug
		FROM messages m JOIN channels c ON c.id = m.channel_id` + where + fmt.Sprintf(` ORDER BY m.id LIMIT %d`, exportChunk)
	var e ExportedMessage
	for {
		rows, err := s.r.QueryContext(ctx, query, args...)
		if err != nil {
			return classify(fmt.Errorf("store: export: %w", err))
		}
		n := 0
		for rows.Next() {
			var created, modified, submitted int64
			m := &e.Message
			if err := rows.Scan(&m.ID, &m.ChannelID, &created, &modified, &m.ClockIndex, &m.Info, &m.AuthorID, &m.Login,
				&m.Raw, &m.Web, &m.Remote, &m.SessionID, &m.IP, &submitted, &e.Slug); err != nil {
				rows.Close()
				return classify(fmt.Errorf("store: export: %w", err))
			}
			m.Created, m.Modified, m.Submitted = fromMicros(created), fromMicros(modified*1e6), fromMicros(submitted)
			n++
			args[0] = m.ID
			if err := fn(&e); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return classify(fmt.Errorf("store: export: %w", err))
		}
		if n < exportChunk {
			return nil
		}
	}
}
