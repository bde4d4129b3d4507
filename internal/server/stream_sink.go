package server

import (
	"net"
	"net/http"
	"syscall"
	"time"
)

// connSink writes a stream to a connection taken over from net/http
// (hijacked): the stream needs neither net/http's buffers nor a goroutine
// of its own, only one that waits to read, to tell when the client goes.
type connSink struct {
	conn    net.Conn
	raw     syscall.RawConn // nil: every write waits in a goroutine
	timeout time.Duration
}

func newConnSink(conn net.Conn, timeout time.Duration) *connSink {
	cs := &connSink{conn: conn, timeout: timeout}
	if sc, ok := conn.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil && canWriteRaw {
			cs.raw = raw
		}
	}
	return cs
}

func (cs *connSink) tryWrite(b []byte) (int, error) {
	if cs.raw == nil {
		return 0, nil
	}
	return writeNow(cs.raw, b)
}

func (cs *connSink) startFlush(st *liveStream) { go st.flush() }

func (cs *connSink) write(b []byte) error {
	cs.conn.SetWriteDeadline(time.Now().Add(cs.timeout))
	_, err := cs.conn.Write(b)
	cs.conn.SetWriteDeadline(time.Time{})
	return err
}

// close ends the answer: its body lasts until the connection closes.
func (cs *connSink) close() { cs.conn.Close() }

// watch ends st when the client closes the connection (or sends
// anything: a stream's client only reads).
func (cs *connSink) watch(st *liveStream) {
	var b [1]byte
	cs.conn.Read(b[:])
	st.end()
}

// responseSink writes a stream through its handler's ResponseWriter, in
// the handler's goroutine (flushes wakes it), where the connection cannot
// be taken over (HTTP/2).
type responseSink struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	flushes chan struct{}
	done    chan struct{}
}

func (rs *responseSink) tryWrite([]byte) (int, error) { return 0, nil }

func (rs *responseSink) startFlush(*liveStream) {
	select {
	case rs.flushes <- struct{}{}:
	default:
	}
}

func (rs *responseSink) write(b []byte) error {
	rs.rc.SetWriteDeadline(time.Now().Add(rs.timeout))
	if _, err := rs.w.Write(b); err != nil {
		return err
	}
	return rs.rc.Flush()
}

func (rs *responseSink) close() { close(rs.done) }
