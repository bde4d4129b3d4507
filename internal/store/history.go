package store

import (
	"context"
	"fmt"

	"github.com/tribune-go/tribune/internal/model"
)

// History: a channel's past by day, read from indexes and from the
// per-day and per-hour counts the triggers of migration 0010 keep
// (message_days, message_counts), so that no read counts or walks the
// channel's messages.

// DayCount is how many published messages a channel has on a local day.
type DayCount struct {
	Day int // YYYYMMDD
	N   int
}

// DayCounts lists the local days on which a channel has published
// messages, with their counts, newest first.
func (s *Store) DayCounts(ctx context.Context, channelID int64) ([]DayCount, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT day, n FROM message_days
		WHERE channel_id = $1 AND n > 0 ORDER BY day DESC`, channelID)
	if err != nil {
		return nil, classify(fmt.Errorf("store: day counts: %w", err))
	}
	defer rows.Close()
	var ds []DayCount
	for rows.Next() {
		var d DayCount
		if err := rows.Scan(&d.Day, &d.N); err != nil {
			return nil, classify(fmt.Errorf("store: day counts: %w", err))
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(fmt.Errorf("store: day counts: %w", err))
	}
	return ds, nil
}

// HourCounts counts a channel's published messages per local hour of the
// day, over the days from since (YYYYMMDD) on.
func (s *Store) HourCounts(ctx context.Context, channelID int64, since int) ([24]int, error) {
	var hs [24]int
	rows, err := s.r.QueryContext(ctx, `SELECT hour, SUM(n) FROM message_counts
		WHERE channel_id = $1 AND day >= $2 GROUP BY hour`, channelID, since)
	if err != nil {
		return hs, classify(fmt.Errorf("store: hour counts: %w", err))
	}
	defer rows.Close()
	for rows.Next() {
		var h, n int
		if err := rows.Scan(&h, &n); err != nil {
			return hs, classify(fmt.Errorf("store: hour counts: %w", err))
		}
		if h >= 0 && h < 24 {
			hs[h] = n
		}
	}
	if err := rows.Err(); err != nil {
		return hs, classify(fmt.Errorf("store: hour counts: %w", err))
	}
	return hs, nil
}

// OfDay reads up to n published messages of a channel on a local day
// (YYYYMMDD) with id > after, oldest first.
func (s *Store) OfDay(ctx context.Context, channelID int64, day int, after int64, n int) ([]model.Message, error) {
	return s.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE channel_id = $1 AND day = $2 AND id > $3 AND removed IS NULL ORDER BY id LIMIT $4`,
		channelID, day, after, n)
}

// Neighbours reads up to n published messages of a channel on each side
// of id: those before it newest first, those after it oldest first.
func (s *Store) Neighbours(ctx context.Context, channelID, id int64, n int) (before, after []model.Message, err error) {
	if before, err = s.Page(ctx, channelID, 0, id, n); err != nil {
		return nil, nil, err
	}
	after, err = s.After(ctx, channelID, id, n)
	return before, after, err
}

// DayAround gives a channel's count on a local day and the nearest days
// before and after it with published messages (0 when none).
func (s *Store) DayAround(ctx context.Context, channelID int64, day int) (prev, n, next int, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT MAX(day) FROM message_days WHERE channel_id = $1 AND day < $2 AND n > 0), 0),
		COALESCE((SELECT n FROM message_days WHERE channel_id = $1 AND day = $2), 0),
		COALESCE((SELECT MIN(day) FROM message_days WHERE channel_id = $1 AND day > $2 AND n > 0), 0)`,
		channelID, day).Scan(&prev, &n, &next)
	if err != nil {
		return 0, 0, 0, classify(fmt.Errorf("store: day around: %w", err))
	}
	return prev, n, next, nil
}

// Clocks reads, of up to n published messages of a channel with id >
// after, oldest first, what resolving their norloges takes: id, channel,
// creation time, clock index and raw text (a permalink looks for its
// answers among many rows: the rest of them is not read).
func (s *Store) Clocks(ctx context.Context, channelID, after int64, n int) ([]model.Message, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, created, clock_index, raw FROM messages
		WHERE channel_id = $1 AND id > $2 AND removed IS NULL ORDER BY id LIMIT $3`, channelID, after, n)
	if err != nil {
		return nil, classify(fmt.Errorf("store: clocks: %w", err))
	}
	defer rows.Close()
	var ms []model.Message
	for rows.Next() {
		m := model.Message{ChannelID: channelID}
		var created int64
		if err := rows.Scan(&m.ID, &created, &m.ClockIndex, &m.Raw); err != nil {
			return nil, classify(fmt.Errorf("store: clocks: %w", err))
		}
		m.Created = fromMicros(created)
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, classify(fmt.Errorf("store: clocks: %w", err))
	}
	return ms, nil
}
