package board

import (
	"context"
	"time"

	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
)

// Reads. The hub answers most of them from memory: a channel's snapshot of
// its newest messages, which the store's commits keep current.

// Snapshot is the channel's current snapshot: its newest messages and its
// Last-Modified stamp, without a database read when it is cached.
func (b *Board) Snapshot(ctx context.Context, channelID int64) (*hub.Snapshot, error) {
	return b.hub.Snapshot(ctx, channelID)
}

// Now is the time by the clock changes are stamped with. An answer's
// Last-Modified needs it read before the snapshot it is made of
// (hub.Snapshot.LastModified).
func (b *Board) Now() time.Time { return b.hub.Now() }

// List selects the newest limit messages of a channel with id > after that
// hide does not hide (nil: none hidden), newest first, with the snapshot
// they were read from.
func (b *Board) List(ctx context.Context, channelID, after int64, limit int, hide func(*model.Message) bool) ([]model.Message, *hub.Snapshot, error) {
	return b.hub.List(ctx, channelID, after, limit, hide)
}

// FindClock reads the messages a norloge points to, newest first: those
// with id > after at its second (its minute for HH:MM), of its index when it
// has one, on its day when it is dated; at most limit, skipping what hide
// hides.
func (b *Board) FindClock(ctx context.Context, channelID int64, c markup.Clock, after int64, limit int, hide func(*model.Message) bool) ([]model.Message, error) {
	q := store.ClockQuery{ChannelID: channelID, After: after, Limit: limit, Index: c.Index}
	q.From = c.Hour*3600 + c.Minute*60 + c.Second
	q.To = q.From
	if !c.HasSeconds {
		q.To = q.From + 59
	}
	if c.Month != 0 {
		q.Day = b.clockDay(c, time.Now())
	}
	return b.hub.FindClock(ctx, q, hide)
}

// clockDay is the YYYYMMDD date of a dated norloge; a date without a year
// (MM/DD#) is the latest such day not after now.
func (b *Board) clockDay(c markup.Clock, now time.Time) int {
	y := c.Year
	if y == 0 {
		now = now.In(b.cfg.Location)
		y = now.Year()
		if c.Month*100+c.Day > int(now.Month())*100+now.Day() {
			y--
		}
	}
	return y*10000 + c.Month*100 + c.Day
}

// Subscribe opens a live stream of a channel's events. Close it when done.
func (b *Board) Subscribe(channelID int64) *hub.Subscription { return b.hub.Subscribe(channelID) }

// Listen calls fn with each live event of a channel (hub.Hub.Listen).
func (b *Board) Listen(channelID int64, fn func(*hub.Event)) (stop func()) {
	return b.hub.Listen(channelID, fn)
}

// Backlog reads up to n messages of a channel with id > after, oldest
// first, for a live stream that reconnects.
func (b *Board) Backlog(ctx context.Context, channelID, after int64, n int) ([]model.Message, error) {
	return b.st.After(ctx, channelID, after, n)
}

// EncodeLive encodes a message as live events carry it.
func (b *Board) EncodeLive(m *model.Message, owned bool) []byte { return b.hub.EncodeLive(m, owned) }

// How long the viewer's rejected messages stay on its board to tell it
// their fate, and how many of its own submissions the board shows at most.
const (
	rejectedShownFor = 24 * time.Hour
	ownShownMax      = 20
)

// OwnOnBoard lists what a channel's board shows its viewer besides the
// published messages: its submissions waiting for a moderator and those
// rejected in the last day, oldest first.
func (b *Board) OwnOnBoard(ctx context.Context, channelID int64, sess *Session) ([]model.Submission, error) {
	return b.st.OwnOnBoard(ctx, channelID, sess.UserID(), sess.id(), time.Now().Add(-rejectedShownFor), ownShownMax)
}

// SubmissionsOf lists the moderation records of the session's visitor
// (pending, accepted, rejected with the reason, removed), newest first: how
// the author of a rejected message learns why.
func (b *Board) SubmissionsOf(ctx context.Context, sess *Session) ([]model.Submission, error) {
	return b.st.SubmissionsOf(ctx, sess.UserID(), sess.id(), 100)
}
