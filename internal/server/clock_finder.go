package server

import (
	"net/http"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/markup"
)

// clockFinder serves clock/{clock}/: the messages a norloge points to, in
// format f, with the usual arguments. Unlike djangotribune it honours the
// date of a dated norloge and its index, and HH:MM matches the whole minute.
func (s *Server) clockFinder(f backend.Format) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		clock, ok := markup.ParseClock(r.PathValue("clock"))
		if !ok {
			return httpError(http.StatusBadRequest, s.t(r, "error.bad_clock"))
		}
		opt := s.parseListOptions(r.URL.Query(), f)
		ch := visitOf(r).channel.ID
		// Last-Modified is the channel's, as in djangotribune: the answer
		// for a clock can only change when a message arrives or goes.
		snap, err := s.board.Snapshot(r.Context(), ch)
		if err != nil {
			return err
		}
		if newest := snap.Newest(); newest != nil && newest.ID > opt.after {
			if notModified(w, r, snap.Modified()) {
				return nil
			}
			w.Header().Set("Last-Modified", lastModified(snap.Modified()))
		}
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		ms, err := s.board.FindClock(r.Context(), ch, clock, opt.after, opt.limit, sess.Hide())
		if err != nil {
			return err
		}
		writeBody(w, r, http.StatusOK, f.ContentType(), s.encodeList(r, f, opt, ms, nil, sess, false))
		return nil
	}
}
