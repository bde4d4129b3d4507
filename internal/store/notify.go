package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/tribune-go/tribune/internal/model"
)

// Several tribune processes may share one PostgreSQL database. Each commit
// that changes what clients see sends a NOTIFY inside its transaction
// (PostgreSQL delivers it only if the transaction commits); every process
// LISTENs and turns the notifications of the others into Changes, so their
// caches and live streams follow. The payload carries ids only: receivers
// read the rows back. The database stays the source of truth; a process that
// loses its listening connection resynchronises everything when it is back.

// notifyChannelFor names the notification channel of one database and
// schema: NOTIFY is per database, and several tribunes (or test schemas)
// may share one.
func notifyChannelFor(db, schema string) string {
	h := sha256.Sum256([]byte(db + "\x00" + schema))
	return "tribune_" + hex.EncodeToString(h[:6])
}

// newOrigin makes the id a store puts in its notifications, to recognise
// (and skip) its own.
func newOrigin() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

type notice struct {
	Origin    string     `json:"o"`
	Published [][3]int64 `json:"p,omitempty"` // channel, first id, last id
	Removed   [][2]int64 `json:"r,omitempty"` // channel, id
	Decided   []int64    `json:"d,omitempty"` // submission ids
	Channels  bool       `json:"c,omitempty"`
	History   []int64    `json:"h,omitempty"` // channels an import wrote to
}

func noticeOf(origin string, c Change) notice {
	n := notice{Origin: origin, Channels: c.Channels, History: c.History}
	ranges := map[int64]int{}
	for _, m := range c.Published {
		if i, ok := ranges[m.ChannelID]; ok {
			n.Published[i][2] = max(n.Published[i][2], m.ID)
			n.Published[i][1] = min(n.Published[i][1], m.ID)
			continue
		}
		ranges[m.ChannelID] = len(n.Published)
		n.Published = append(n.Published, [3]int64{m.ChannelID, m.ID, m.ID})
	}
	for _, m := range c.Removed {
		n.Removed = append(n.Removed, [2]int64{m.ChannelID, m.ID})
	}
	for _, s := range c.Decided {
		n.Decided = append(n.Decided, s.ID)
	}
	return n
}

// notify sends the notification of c at tx's commit.
func (s *Store) notify(ctx context.Context, tx *sql.Tx, c Change) error {
	payload, err := s.noticePayload(c)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, s.notifyChannel, payload); err != nil {
		return classify(fmt.Errorf("store: notify: %w", err))
	}
	return nil
}

// noticePayload is the payload of the notification of c.
func (s *Store) noticePayload(c Change) (string, error) {
	b, err := json.Marshal(noticeOf(s.origin, c))
	if err != nil {
		return "", err
	}
	if len(b) > 7900 { // NOTIFY payloads must stay under 8000 bytes
		b, _ = json.Marshal(notice{Origin: s.origin, Channels: true})
	}
	return string(b), nil
}

// notifyNow sends a notification outside the group committer (channel
// edits).
func (s *Store) notifyNow(ctx context.Context, c Change) {
	if s.dialect != postgres {
		return
	}
	b, _ := json.Marshal(noticeOf(s.origin, c))
	if _, err := s.w.ExecContext(ctx, `SELECT pg_notify($1, $2)`, s.notifyChannel, string(b)); err != nil {
		s.log.Warn("store: notify", "err", err)
	}
}

// Listening is closed once Listen receives other processes' changes (at
// once on SQLite, which has no other processes).
func (s *Store) Listening() <-chan struct{} { return s.listening }

// Listen delivers the changes other processes commit, until ctx ends. On
// SQLite (one process) it just waits for ctx. Once listening, and again
// after a lost connection, it delivers a Change with Resync set, since
// notifications may have been missed.
func (s *Store) Listen(ctx context.Context, fn func(Change)) {
	if s.dialect != postgres {
		s.listeningOnce.Do(func() { close(s.listening) })
		<-ctx.Done()
		return
	}
	delay := 100 * time.Millisecond
	for ctx.Err() == nil {
		// Resync on the first connection too: a request served before it
		// may have loaded a snapshot that another process's commit, made
		// before the LISTEN, has already changed.
		err := s.listen(ctx, fn, true)
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("store: listening for other processes' changes failed; retrying", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(delay*2, 10*time.Second)
	}
}

func (s *Store) listen(ctx context.Context, fn func(Change), resync bool) error {
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+s.notifyChannel); err != nil {
		return err
	}
	s.listeningOnce.Do(func() { close(s.listening) })
	if resync {
		fn(Change{Foreign: true, Channels: true, Resync: true})
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var no notice
		if err := json.Unmarshal([]byte(n.Payload), &no); err != nil || no.Origin == s.origin {
			continue
		}
		c := Change{Foreign: true, Channels: no.Channels, History: no.History}
		for _, p := range no.Published {
			c.Ranges = append(c.Ranges, IDRange{ChannelID: p[0], First: p[1], Last: p[2]})
		}
		for _, r := range no.Removed {
			c.Removed = append(c.Removed, model.Message{ChannelID: r[0], ID: r[1]})
		}
		for _, id := range no.Decided {
			c.Decided = append(c.Decided, model.Submission{ID: id})
		}
		fn(c)
	}
}
