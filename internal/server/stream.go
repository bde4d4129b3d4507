package server

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/model"
)

// The live stream of a channel (remote/stream/): server-sent events for the
// web board. Each new message is an event whose id is the message id, so a
// client that reconnects with Last-Event-ID (browsers do it by themselves)
// first gets what it missed, read from the database, then the live events.
// The hub encodes each message once for every subscriber; this handler only
// picks the variant (owned or not) and applies the viewer's BaK filters,
// in its own goroutine, so a slow client never delays anyone else.
//
// Events:
//
//	event: message     id: N   data: a JSON backend row
//	event: removed             data: {"id": N}
//	event: submission          data: the viewer's moderation record, when decided
//	event: pending             data: {"pending": N}, to moderators
//	event: reset               data: {"reason": "backlog" or "filters"}
//	: keep-alive               (a comment, every TRIBUNE_STREAM_KEEPALIVE)
//
// reset tells the client that its list is no longer what it would read
// now: it reloads the list from the JSON backend and keeps the live events
// that follow. "backlog": it missed more than maxBacklog messages, and the
// stream sent none of them. "filters": the session's BaK filters changed
// (from any tab or client); the stream applies the new ones from then on.
//
// A stream lasts as long as its access. When its session ends (a log-out
// in this process at once; a password change, a deleted account or
// another process at the next keep-alive, when the stream reads its
// session again), the stream goes on as an anonymous visitor's, owning
// nothing, or ends on a locked tribune. The stream of a deleted channel
// ends (the hub closes its subscribers).

// maxBacklog bounds what a reconnecting client is sent from the database;
// beyond it the stream sends reset instead.
const maxBacklog = 500

// streamCounter counts the open live streams, per client (a key of
// limit.AddressKey: an IPv4 address, an IPv6 /64) and in all.
type streamCounter struct {
	mu    sync.Mutex
	open  map[string]int
	total int
}

// streamRefusal is why a stream may not open.
type streamRefusal int

const (
	streamOK     streamRefusal = iota
	streamsOfOne               // the client holds its share
	streamsOfAll               // the server holds all it can
)

// acquire takes a place for a stream of key, when key holds fewer than
// perKey and the server fewer than total.
func (c *streamCounter) acquire(key string, perKey, total int) streamRefusal {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		c.open = map[string]int{}
	}
	if c.open[key] >= perKey {
		return streamsOfOne
	}
	if c.total >= total {
		return streamsOfAll
	}
	c.open[key]++
	c.total++
	return streamOK
}

// count is the number of streams open.
func (c *streamCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

func (c *streamCounter) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total--
	if c.open[key]--; c.open[key] <= 0 {
		delete(c.open, key)
	}
}

// StreamCap is the most live streams a server holds open at once:
// TRIBUNE_STREAM_MAX, or else half the process's open-file limit (each
// stream holds a connection, a file), at most maxDerivedStreams. The other
// half is for all else that holds a file, so that the tribune stays
// reachable when the streams are full: the connections of ordinary
// requests (kept alive, idle, for up to two minutes), the database
// (SQLite's files for nine connections, PostgreSQL's sockets), the
// tribune's own calls out, the listener. openFiles is the limit read, 0
// when the system tells none.
func StreamCap(cfg *config.Config) (streams, openFiles int) {
	openFiles = limit.OpenFiles()
	switch {
	case cfg.StreamMax > 0:
		return cfg.StreamMax, openFiles
	case openFiles > 0:
		return max(1, min(openFiles/2, maxDerivedStreams)), openFiles
	}
	return maxDerivedStreams, 0
}

// maxDerivedStreams bounds the cap derived from a large open-file limit
// (the Go runtime raises it to the hard limit, often 524,288 or more) by
// memory: a stream holds about 37 KiB (resident memory of a server
// holding 5,100 streams on loopback), so 20,000 streams hold about
// 0.7 GiB. It is the cap where no limit is known (Windows) too.
const maxDerivedStreams = 20000

// How long a refused stream is told to wait.
const (
	streamRetryOne = 10 * time.Second // the client's share is taken
	streamRetryAll = 30 * time.Second // the server is full
)

func (s *Server) stream(w http.ResponseWriter, r *http.Request) error {
	v := visitOf(r)
	key := limit.AddressKey(v.ip)
	switch s.streams.acquire(key, s.cfg.StreamMaxPerAddress, s.streamMax) {
	case streamsOfOne:
		s.metrics.Limited("streams")
		return tooMany(v.lang, "error.too_many_streams", streamRetryOne)
	case streamsOfAll:
		s.metrics.Limited("streams_full")
		// Not the client's doing: 503, and the board falls back to
		// polling the backends, which are still served.
		secs := int(streamRetryAll / time.Second)
		return httpError(http.StatusServiceUnavailable, i18n.T(v.lang, "error.streams_full", secs)).
			withHeader("Retry-After", strconv.Itoa(secs))
	}
	defer s.streams.release(key)
	// Watch the session before reading it, so no change falls in between.
	var changed <-chan struct{}
	if id := s.sessionID(r); id != "" {
		ch, stop := s.board.WatchSession(id)
		defer stop()
		changed = ch
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	after := lastID(r.URL.Query())
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && id > 0 {
		after = id
	}
	// Subscribe before reading the backlog, so nothing falls in between;
	// ids already sent are skipped.
	sub := s.board.Subscribe(v.channel.ID)
	defer sub.Close()

	sw := &sseWriter{w: w, rc: http.NewResponseController(w), timeout: 2*s.cfg.StreamKeepAlive + 10*time.Second}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil // the headers only, not a stream that never ends
	}
	sw.write([]byte("retry: 3000\n\n"))

	vw := newViewer(sess)
	last := after
	if after > 0 {
		limit := cmp.Or(s.backlog, maxBacklog)
		backlog, err := s.board.Backlog(r.Context(), v.channel.ID, after, limit+1)
		if err != nil {
			return nil // the stream is open: the client retries
		}
		if len(backlog) > limit {
			// Too much was missed: the client reloads its list, and the
			// live events (all newer than after) follow.
			sw.event("reset", map[string]string{"reason": "backlog"})
			backlog = nil
		}
		for i := range backlog {
			m := &backlog[i]
			last = m.ID
			if vw.hide == nil || !vw.hide(m) {
				sw.message(m.ID, s.board.EncodeLive(m, vw.sess.Owns(m)))
			}
		}
	}
	if sw.err != nil {
		return nil
	}
	// reread applies the session as it is now: its filters, its user. A
	// session gone (logged out, ended by a password change, its account
	// deleted) leaves the stream an anonymous visitor's, with nothing of
	// its own, for good; without a user, a locked tribune's stream ends.
	// false: the stream ends.
	ended := false
	reread := func() bool {
		if ended {
			return true
		}
		s.forgetSession(r)
		sess, err := s.session(r)
		if err != nil {
			return false // the client reconnects
		}
		if vw.sess.Exists && !sess.Exists {
			ended = true
			sess = &board.Session{}
		}
		if s.cfg.Locked && sess.User == nil {
			return false
		}
		old := vw
		vw = newViewer(sess)
		if vw.filters != old.filters {
			sw.event("reset", map[string]string{"reason": "filters"})
		}
		return true
	}
	keep := time.NewTicker(s.cfg.StreamKeepAlive)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-s.stopping:
			return nil // the server stops: the client reconnects
		case <-keep.C:
			sw.write([]byte(": keep-alive\n\n"))
			// What this process was not told of (the session ended
			// or changed elsewhere) shows at the next keep-alive.
			if changed != nil && !reread() {
				return nil
			}
		case <-changed:
			if !reread() {
				return nil
			}
		case e, ok := <-sub.C:
			if !ok {
				return nil // dropped by the hub (too slow): the client reconnects
			}
			// A save made before this event was queued applies to it.
			select {
			case <-changed:
				if !reread() {
					return nil
				}
			default:
			}
			switch {
			case e.Message != nil:
				m := e.Message
				if m.ID <= last {
					continue
				}
				last = m.ID
				if vw.hide == nil || !vw.hide(m) {
					owned := 0
					if vw.sess.Owns(m) {
						owned = 1
					}
					sw.message(m.ID, e.Data[owned])
				}
			case e.Removed != nil:
				sw.event("removed", map[string]int64{"id": e.Removed.ID})
			case e.Submission != nil:
				sub := e.Submission
				mine := vw.uid != 0 && sub.AuthorID == vw.uid ||
					vw.uid == 0 && sub.AuthorID == 0 && vw.sess.ID != "" && sub.SessionID == vw.sess.ID
				if mine && sub.Status != model.StatusPending {
					sw.event("submission", submissionEvent(v.lang, sub))
				}
				if vw.moderator {
					sw.event("pending", map[string]int{"pending": e.Pending})
				}
			}
		}
		if sw.err != nil {
			return nil
		}
	}
}

// viewer is what a stream needs of its session.
type viewer struct {
	sess      *board.Session
	hide      func(*model.Message) bool
	uid       int64
	moderator bool
	filters   string // the active rules, to tell a change
}

func newViewer(sess *board.Session) viewer {
	vw := viewer{sess: sess, hide: sess.Hide(), uid: sess.UserID()}
	if sess.User != nil {
		vw.moderator = sess.User.Role.CanModerate()
	}
	if b := sess.Data.Bak; b != nil && b.Active && len(b.Rules) > 0 {
		rules, _ := json.Marshal(b.Rules)
		vw.filters = string(rules)
	}
	return vw
}

// submissionEvent tells an author what became of a message.
func submissionEvent(lang i18n.Lang, sub *model.Submission) map[string]any {
	e := map[string]any{"id": sub.ID, "status": sub.Status, "reason": sub.Reason, "message_id": sub.MessageID}
	switch sub.Status {
	case model.StatusRejected:
		e["text"] = rejection(lang, sub.Reason)
	case model.StatusRemoved:
		e["text"] = removalNotice(lang, sub.Reason)
	}
	return e
}

// sseWriter writes events, pushing each to the network at once and giving
// each write its own deadline (the server's WriteTimeout would otherwise cut
// the stream).
type sseWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	buf     bytes.Buffer
	err     error
}

func (sw *sseWriter) write(b []byte) {
	if sw.err != nil {
		return
	}
	sw.rc.SetWriteDeadline(time.Now().Add(sw.timeout))
	if _, sw.err = sw.w.Write(b); sw.err == nil {
		sw.err = sw.rc.Flush()
	}
}

func (sw *sseWriter) message(id int64, data []byte) {
	sw.buf.Reset()
	sw.buf.WriteString("event: message\nid: ")
	sw.buf.WriteString(strconv.FormatInt(id, 10))
	sw.buf.WriteString("\ndata: ")
	sw.buf.Write(data)
	sw.buf.WriteString("\n\n")
	sw.write(sw.buf.Bytes())
}

func (sw *sseWriter) event(name string, v any) {
	data, _ := json.Marshal(v)
	sw.buf.Reset()
	sw.buf.WriteString("event: ")
	sw.buf.WriteString(name)
	sw.buf.WriteString("\ndata: ")
	sw.buf.Write(data)
	sw.buf.WriteString("\n\n")
	sw.write(sw.buf.Bytes())
}
