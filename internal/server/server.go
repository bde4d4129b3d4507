// Package server is the tribune's HTTP layer: the route table, the
// handlers (methods on Server, one file per page or action), the
// middleware and the one place that renders errors. It is the only package
// that sees http.Request. A handler parses the request, calls the board
// (the application layer), applies what it asks of the client (cookies,
// the session) and renders the answer.
package server

import (
	"log/slog"
	"net/http"
	"sync"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/metrics"
	"github.com/tribune-go/tribune/internal/ui"
)

// Server holds the dependencies of every handler.
type Server struct {
	cfg     *config.Config
	board   *board.Board
	log     *slog.Logger
	pages   *ui.Engine
	csrf    *http.CrossOriginProtection
	handler http.Handler
	streams streamCounter
	fan     *fanout // the open streams
	// maxPending is how far a stream may lag, in bytes, before it ends.
	maxPending int
	// maxTotalPending is how far all the streams may lag together.
	maxTotalPending int64
	// streamMax is the most live streams open at once (StreamCap).
	streamMax int
	backlog   int // most messages a resuming stream is sent; 0: maxBacklog

	storageFull throttle // the log of writes refused for a full disk

	metrics *metrics.Metrics // nil: none
	// stopping is closed when the server shuts down: the live streams
	// end (EndStreams).
	stopping chan struct{}
	stopOnce sync.Once
}

// New builds the HTTP side of a tribune over its board. m receives the
// requests' metrics and the number of open streams; nil records none.
func New(b *board.Board, log *slog.Logger, m *metrics.Metrics) (*Server, error) {
	s := &Server{cfg: b.Config(), board: b, log: log, csrf: http.NewCrossOriginProtection(), metrics: m,
		stopping: make(chan struct{})}
	s.streamMax, _ = StreamCap(s.cfg)
	s.maxPending = maxPending
	s.maxTotalPending = maxTotalPending
	s.fan = newFanout(s)
	m.Streams(s.streams.count, s.streamMax)
	var err error
	if s.pages, err = ui.New(nil); err != nil {
		return nil, err
	}
	s.pages.Static.SetPrefix(s.cfg.Prefix + "/static/")
	s.handler = s.middleware(s.routes())
	return s, nil
}

// ServeHTTP serves the tribune.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// EndStreams ends every live stream, cleanly (the response is finished,
// not cut), and the ones opened later at once: the boards reconnect, to
// another process if there is one. http.Server.Shutdown waits for
// requests in flight, which streams never stop being on their own.
func (s *Server) EndStreams() { s.stopOnce.Do(func() { close(s.stopping) }) }
