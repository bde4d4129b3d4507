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

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
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
	// streamMax is the most live streams open at once (StreamCap).
	streamMax int
	backlog   int // most messages a resuming stream is sent; 0: maxBacklog

	storageFull throttle // the log of writes refused for a full disk
}

// New builds the HTTP side of a tribune over its board.
func New(b *board.Board, log *slog.Logger) (*Server, error) {
	s := &Server{cfg: b.Config(), board: b, log: log, csrf: http.NewCrossOriginProtection()}
	s.streamMax, _ = StreamCap(s.cfg)
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
