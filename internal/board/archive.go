package board

import (
	"context"
	"errors"
	"time"

	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// History: a channel's past by day (archives), one message in its context
// (permalinks) and the board's older pages. Every read is an index lookup
// (migration 0010): none walks or counts the channel's messages.

// historyPage is how many rows a filtered history read takes from the
// store at a time, and historyBudget how many it looks at in all: a BaK
// filter that hides nearly everything must not make one request read a
// whole busy day.
const (
	historyPage   = 200
	historyBudget = 5000
)

// DayCount is how many messages a channel has on a local day.
type DayCount = store.DayCount

// Activity is a channel's history at a glance: its days with their counts
// (newest first) and, over the last ActivityDays days, its messages per
// hour of the day.
type Activity struct {
	Days  []DayCount
	Hours [24]int
	Since int // YYYYMMDD: the first day Hours counts
}

// ActivityDays is how far back the per-hour counts of Activity look.
const ActivityDays = 90

// Activity reads a channel's days and hours (from the counts the database
// keeps, not from the messages).
func (b *Board) Activity(ctx context.Context, channelID int64) (Activity, error) {
	var a Activity
	var err error
	if a.Days, err = b.st.DayCounts(ctx, channelID); err != nil {
		return a, err
	}
	a.Since = DayOf(time.Now().In(b.cfg.Location).AddDate(0, 0, -ActivityDays+1))
	a.Hours, err = b.st.HourCounts(ctx, channelID, a.Since)
	return a, err
}

// DayOf is t's date as YYYYMMDD, in t's zone.
func DayOf(t time.Time) int { return t.Year()*10000 + int(t.Month())*100 + t.Day() }

// OfDay reads up to limit messages of a channel on a local day (YYYYMMDD)
// with id > after that hide does not hide, oldest first. more tells
// whether the day has messages after the last one returned.
func (b *Board) OfDay(ctx context.Context, channelID int64, day int, after int64, limit int, hide func(*model.Message) bool) (ms []model.Message, more bool, err error) {
	return unhidden(limit, hide, after, func(from int64, n int) ([]model.Message, error) {
		return b.st.OfDay(ctx, channelID, day, from, n)
	})
}

// Older reads up to limit messages of a channel with id < before that hide
// does not hide, newest first: the board's pages back in time. more tells
// whether older ones remain.
func (b *Board) Older(ctx context.Context, channelID, before int64, limit int, hide func(*model.Message) bool) (ms []model.Message, more bool, err error) {
	return unhidden(limit, hide, before, func(from int64, n int) ([]model.Message, error) {
		return b.st.Page(ctx, channelID, 0, from, n)
	})
}

// unhidden reads pages of n messages from the id from on (page gives them
// in its own order) until it holds limit that hide does not hide, within
// a budget of rows read: a viewer who hides most of a channel costs a
// bounded read. more tells whether messages remain past the last one.
func unhidden(limit int, hide func(*model.Message) bool, from int64, page func(from int64, n int) ([]model.Message, error)) (ms []model.Message, more bool, err error) {
	for budget := historyBudget; budget > 0; {
		n := min(historyPage, budget, limit-len(ms)+1)
		if hide != nil {
			n = min(historyPage, budget)
		}
		budget -= n
		rows, err := page(from, n)
		if err != nil {
			return nil, false, err
		}
		for i := range rows {
			if hide != nil && hide(&rows[i]) {
				continue
			}
			if len(ms) == limit {
				return ms, true, nil
			}
			ms = append(ms, rows[i])
		}
		if len(rows) < n {
			return ms, false, nil
		}
		from = rows[len(rows)-1].ID
	}
	return ms, true, nil
}

// Permalink is one message in its context.
type Permalink struct {
	Message model.Message
	Before  []model.Message // the messages before it, oldest first
	After   []model.Message // the messages after it, oldest first
	Answers []model.Message // what its norloges point to, in their order
	Replies []model.Message // the messages whose norloges point to it, oldest first
}

// contextSize is how many messages a permalink shows on each side, and
// repliesWindow how many of the following messages it searches for answers
// to it (norloges point to recent messages).
const (
	contextSize   = 10
	repliesWindow = 500
)

// Permalink reads a published message of a channel with its context.
// Context messages that hide hides are left out; the message itself is
// shown, since it was asked for.
func (b *Board) Permalink(ctx context.Context, channelID, id int64, hide func(*model.Message) bool) (*Permalink, error) {
	m, err := b.st.Message(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && m.ChannelID != channelID {
		return nil, ErrNoMessage
	}
	if err != nil {
		return nil, err
	}
	p := &Permalink{Message: m}
	before, err := b.st.Page(ctx, channelID, 0, id, contextSize)
	if err != nil {
		return nil, err
	}
	for i := len(before) - 1; i >= 0; i-- {
		if hide == nil || !hide(&before[i]) {
			p.Before = append(p.Before, before[i])
		}
	}
	after, err := b.st.After(ctx, channelID, id, contextSize)
	if err != nil {
		return nil, err
	}
	for i := range after {
		if hide == nil || !hide(&after[i]) {
			p.After = append(p.After, after[i])
		}
	}
	if p.Answers, err = b.answered(ctx, &m); err != nil {
		return nil, err
	}
	following, err := b.st.Clocks(ctx, channelID, id, repliesWindow)
	if err != nil {
		return nil, err
	}
	for _, r := range b.replies(&m, following) {
		full, err := b.st.Message(ctx, r.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		p.Replies = append(p.Replies, full)
	}
	return p, nil
}

// answered resolves m's norloges as the clock finder does, from m's point
// of view: the newest message at each clock (of its day when dated, of
// its index when it has one) before m.
func (b *Board) answered(ctx context.Context, m *model.Message) ([]model.Message, error) {
	var out []model.Message
	seen := map[int64]bool{}
	for _, c := range markup.FindClocks(m.Raw) {
		if c.Bouchot != "" {
			continue
		}
		q := b.clockQuery(m.ChannelID, c, m.Created)
		q.Before, q.Limit = m.ID, 1
		ms, err := b.st.AtClock(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, t := range ms {
			if !seen[t.ID] {
				seen[t.ID] = true
				out = append(out, t)
			}
		}
	}
	return out, nil
}

// replies picks, among the messages following m (oldest first), those with
// a norloge that resolves to m: it matches m's clock, and no message
// between m and the reply matches it too (the nearest match wins, as in
// answered).
func (b *Board) replies(m *model.Message, following []model.Message) []model.Message {
	var out []model.Message
	for i := range following {
		r := &following[i]
		for _, c := range markup.FindClocks(r.Raw) {
			if c.Bouchot != "" || !b.clockMatches(c, m, r.Created) {
				continue
			}
			nearer := false
			for j := range following[:i] {
				if b.clockMatches(c, &following[j], r.Created) {
					nearer = true
					break
				}
			}
			if !nearer {
				out = append(out, *r)
				break
			}
		}
	}
	return out
}

// clockMatches tells whether norloge c, written at now, names message m.
func (b *Board) clockMatches(c markup.Clock, m *model.Message, now time.Time) bool {
	q := b.clockQuery(m.ChannelID, c, now)
	t := m.Created.In(b.cfg.Location)
	s := t.Hour()*3600 + t.Minute()*60 + t.Second()
	return s >= q.From && s <= q.To && (q.Day == 0 || q.Day == DayOf(t)) && (q.Index == 0 || q.Index == m.ClockIndex)
}

// clockQuery is the store's query for norloge c written at now.
func (b *Board) clockQuery(channelID int64, c markup.Clock, now time.Time) store.ClockQuery {
	q := store.ClockQuery{ChannelID: channelID, Index: c.Index}
	q.From = c.Hour*3600 + c.Minute*60 + c.Second
	q.To = q.From
	if !c.HasSeconds {
		q.To = q.From + 59
	}
	if c.Month != 0 {
		q.Day = b.clockDay(c, now)
	}
	return q
}

// DayAround gives a channel's count on a local day and the nearest days
// before and after it that have messages (0 when none).
func (b *Board) DayAround(ctx context.Context, channelID int64, day int) (prev, n, next int, err error) {
	return b.st.DayAround(ctx, channelID, day)
}
