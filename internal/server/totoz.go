package server

import (
	"errors"
	"net/http"

	"github.com/tribune-go/tribune/internal/board"
)

// searchTotoz answers the totoz palette: the names the totoz server's
// search gives for ?q=, as a JSON list ([] when the site has no search or
// the remote fails: the palette then suggests the totoz used recently).
// The browser asks the tribune, never the totoz server (the page's CSP
// allows only its images).
func (s *Server) searchTotoz(w http.ResponseWriter, r *http.Request) error {
	if answered, err := s.unlocked(w, r, false); answered || err != nil {
		return err
	}
	names, err := s.board.SearchTotoz(r.Context(), visitOf(r).ip, r.URL.Query().Get("q"))
	if errors.Is(err, board.ErrTotozQuery) {
		return httpError(http.StatusBadRequest, s.t(r, "totoz.bad_query"))
	}
	if err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, names)
}
