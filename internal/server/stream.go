package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/i18n"
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
//	: keep-alive               (a comment, every TRIBUNE_STREAM_KEEPALIVE)

// maxBacklog bounds what a reconnecting client is sent from the database;
// beyond it the board reloads the page.
const maxBacklog = 500

// streamCounter limits the live streams per client address.
type streamCounter struct {
	mu   sync.Mutex
	open map[string]int
}

func (c *streamCounter) acquire(ip string, max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open == nil {
		c.open = map[string]int{}
	}
	if c.open[ip] >= max {
		return false
	}
	c.open[ip]++
	return true
}

func (c *streamCounter) release(ip string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.open[ip]--; c.open[ip] <= 0 {
		delete(c.open, ip)
	}
}

func (s *Server) stream(w http.ResponseWriter, r *http.Request) error {
	v := visitOf(r)
	if !s.streams.acquire(v.ip, s.cfg.StreamMaxPerAddress) {
		return tooMany(v.lang, 10*time.Second)
	}
	defer s.streams.release(v.ip)
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
	sub := s.hub.Subscribe(v.channel.ID)
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

	hide := sess.hideFilter()
	var uid int64
	if sess.user != nil {
		uid = sess.user.ID
	}
	moderator := sess.user != nil && sess.user.Role.CanModerate()
	last := after
	if after > 0 {
		backlog, err := s.st.After(r.Context(), v.channel.ID, after, maxBacklog)
		if err != nil {
			return nil // the stream is open: the client retries
		}
		for i := range backlog {
			m := &backlog[i]
			last = m.ID
			if hide == nil || !hide(m) {
				sw.message(m.ID, s.hub.EncodeLive(m, sess.owned(m)))
			}
		}
	}
	if sw.err != nil {
		return nil
	}
	keep := time.NewTicker(s.cfg.StreamKeepAlive)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-keep.C:
			sw.write([]byte(": keep-alive\n\n"))
		case e, ok := <-sub.C:
			if !ok {
				return nil // dropped by the hub (too slow): the client reconnects
			}
			switch {
			case e.Message != nil:
				m := e.Message
				if m.ID <= last {
					continue
				}
				last = m.ID
				if hide == nil || !hide(m) {
					owned := 0
					if sess.owned(m) {
						owned = 1
					}
					sw.message(m.ID, e.Data[owned])
				}
			case e.Removed != nil:
				sw.event("removed", map[string]int64{"id": e.Removed.ID})
			case e.Submission != nil:
				sub := e.Submission
				mine := uid != 0 && sub.AuthorID == uid || uid == 0 && sub.AuthorID == 0 && sess.id != "" && sub.SessionID == sess.id
				if mine && sub.Status != model.StatusPending {
					sw.event("submission", submissionEvent(v.lang, sub))
				}
				if moderator {
					sw.event("pending", map[string]int{"pending": e.Pending})
				}
			}
		}
		if sw.err != nil {
			return nil
		}
	}
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
