package server

import (
	"cmp"
	"context"
	"encoding/json"
	"net"
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
// This handler checks the caps, reads the session and the backlog, takes
// the connection over and returns; the fan-out (stream_fanout.go) writes
// the events, picking each viewer's variant (owned or not) and applying
// its BaK filters, so a slow client never delays anyone else.
//
// Events:
//
//	event: message     id: N   data: a JSON backend row
//	event: removed             data: {"id": N}
//	event: submission          data: the viewer's moderation record, when decided
//	event: pending             data: {"pending": N}, to moderators (first
//	                           when the stream starts, then at each change)
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
// ends (the hub tells its listeners).

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
// (the Go runtime raises it to the hard limit, often 524,288 or more): a
// stream holds about 5 KiB of the process's memory (resident memory of a
// server holding 10,000 to 19,500 streams on loopback, bench/streams), and
// up to 64 KiB of the kernel's send buffer when its client lags, so 20,000
// streams hold about 0.1 GiB, and 1.3 GiB at worst. It is the cap where no
// limit is known (Windows) too.
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
	st := &liveStream{s: s, channel: v.channel.ID, key: key, lang: v.lang, held: 1}
	// Until it has started, the stream reads its session again only here.
	st.rereadMu.Lock()
	started := false
	defer func() {
		if !started {
			st.rereadMu.Unlock()
			if st.stopWatch != nil {
				st.stopWatch()
			}
			s.streams.release(key)
		}
	}()
	// Watch the session before reading it, so no change falls in between.
	if id := s.sessionID(r); id != "" {
		st.req = keepSessionRequest(r)
		st.stopWatch = s.board.OnSessionChange(id, st.sessionChanged)
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	st.vw = newViewer(sess)
	after := lastID(r.URL.Query())
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && id > 0 {
		after = id
	}
	st.last = after
	timeout := 2*s.cfg.StreamKeepAlive + 10*time.Second
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return nil // the headers only, not a stream that never ends
	}
	if r.ProtoMajor == 1 {
		// No chunks: the body lasts until the connection closes (as the
		// server-sent events recommendation has it), so that the stream
		// can write to the connection itself once taken over.
		h.Set("Transfer-Encoding", "identity")
	}
	w.WriteHeader(http.StatusOK)
	var head []byte
	var resp *responseSink
	if conn, err := hijack(w, r); err == nil {
		st.sink = newConnSink(conn, timeout)
	} else {
		resp = &responseSink{w: w, rc: http.NewResponseController(w), timeout: timeout,
			flushes: make(chan struct{}, 1), done: make(chan struct{})}
		st.sink = resp
	}
	head = append(head, "retry: 3000\n\n"...)
	// Join the fan-out before reading the backlog, so nothing falls in
	// between: its events wait (held) and ids already sent are skipped.
	started = true
	if !s.fan.add(st) {
		st.rereadMu.Unlock()
		st.sink.write(head)
		st.end() // the server stops: the client reconnects
		return nil
	}
	if after > 0 {
		limit := cmp.Or(s.backlog, maxBacklog)
		backlog, err := s.board.Backlog(r.Context(), v.channel.ID, after, limit+1)
		if err != nil {
			st.rereadMu.Unlock()
			st.sink.write(head)
			st.end() // the client retries
			return nil
		}
		if len(backlog) > limit {
			// Too much was missed: the client reloads its list, and the
			// live events (all newer than after) follow.
			head = appendEvent(head, "reset", map[string]string{"reason": "backlog"})
			backlog = nil
		}
		for i := range backlog {
			m := &backlog[i]
			st.last = m.ID
			if st.vw.hide == nil || !st.vw.hide(m) {
				head = appendMessage(head, m.ID, s.board.EncodeLive(m, st.vw.owns(m)))
			}
		}
	}
	st.mu.Lock()
	st.releaseLocked(head)
	moderator := st.vw.moderator
	st.mu.Unlock()
	st.rereadMu.Unlock()
	if moderator {
		// A change of the queue between the page and this stream was
		// not sent to it: the queue's size follows, read and sent in
		// order with the moderation events (to every stream: the others
		// are told what they know).
		s.board.RecountPending()
	}
	if resp == nil {
		go st.sink.(*connSink).watch(st)
		return nil
	}
	for gone := r.Context().Done(); ; {
		select {
		case <-gone:
			st.end()
			gone = nil
		case <-resp.done:
			return nil
		case <-resp.flushes:
			st.flush()
		}
	}
}

// streamSendBuffer is the kernel's send buffer of a stream's connection
// (SO_SNDBUF, which Linux doubles).
const streamSendBuffer = 32 << 10

// hijack takes the connection of an HTTP/1 answer over from net/http (which
// writes the answer's head first), with no deadline; an error where it
// cannot.
func hijack(w http.ResponseWriter, r *http.Request) (net.Conn, error) {
	if r.ProtoMajor != 1 {
		return nil, http.ErrNotSupported
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	if tc, ok := conn.(*net.TCPConn); ok {
		// A stream's events are small; what a client that stops
		// reading lags beyond this waits in the stream's pending bytes,
		// bounded, not in the kernel's (a few MB per connection).
		tc.SetWriteBuffer(streamSendBuffer)
	}
	return conn, nil
}

// sessionRequest is what a stream keeps of its request to read its
// session again: the session's cookie and the visit (its access token).
type sessionRequest = *http.Request

// keepSessionRequest is r without what a stream does not need, on a
// context that outlives the request.
func keepSessionRequest(r *http.Request) sessionRequest {
	v := visitOf(r)
	if v.token != nil {
		return r.WithContext(context.WithoutCancel(r.Context()))
	}
	kept := &http.Request{Header: http.Header{"Cookie": r.Header["Cookie"]}}
	return kept.WithContext(context.WithValue(context.Background(), visitKey{}, v))
}

// sessionChanged is told that the stream's session was saved or ended in
// this process: the events that follow wait until the session is read
// again (a save made before an event applies to it).
func (st *liveStream) sessionChanged() {
	st.mu.Lock()
	st.held++
	st.mu.Unlock()
	go st.reread(true)
}

// reread applies the session as it is now: its filters, its user. A
// session gone (logged out, ended by a password change, its account
// deleted) leaves the stream an anonymous visitor's, with nothing of its
// own, for good; without a user, a locked tribune's stream ends. release:
// sessionChanged held the events.
func (st *liveStream) reread(release bool) {
	st.rereadMu.Lock()
	defer st.rereadMu.Unlock()
	s := st.s
	st.mu.Lock()
	gone, ended := st.gone, st.ended
	had := st.vw.sess.Exists
	st.mu.Unlock()
	if ended {
		return
	}
	var sess *board.Session
	ok := true
	if gone {
		sess = &board.Session{}
	} else {
		s.forgetSession(st.req)
		var err error
		if sess, err = s.session(st.req); err != nil {
			ok = false // the client reconnects
		} else if had && !sess.Exists {
			gone = true
			sess = &board.Session{}
		}
	}
	if ok && s.cfg.Locked && sess.User == nil {
		ok = false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if !ok {
		st.endLocked()
		return
	}
	var b []byte
	old := st.vw
	st.vw, st.gone = newViewer(sess), gone
	if st.vw.filters != old.filters {
		b = appendEvent(b, "reset", map[string]string{"reason": "filters"})
	}
	if release {
		st.releaseLocked(b)
	} else {
		st.writeLocked(b)
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

func (vw *viewer) owns(m *model.Message) bool { return vw.sess.Owns(m) }

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
