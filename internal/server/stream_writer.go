package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// The writer of a stream that keeps its handler's goroutine (the
// multi-channel stream): the board's own stream goes through the fan-out
// (stream_fanout.go).

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
