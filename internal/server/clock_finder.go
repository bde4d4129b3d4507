package server

import (
	"fmt"
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
		opt := s.parseListOptions(query(r), f)
		ch := visitOf(r).channel.ID
		// The validators are the channel's, as in djangotribune: the answer
		// for a clock can only change when a message arrives or goes.
		at := s.board.Now()
		snap, err := s.board.Snapshot(r.Context(), ch)
		if err != nil {
			return err
		}
		k := s.listKey(r, f, opt)
		// Spellings of one clock (12:00:00, 120000) share their answer.
		which := fmt.Sprintf("%d/%d/%d %d:%d:%d %t %d", clock.Year, clock.Month, clock.Day,
			clock.Hour, clock.Minute, clock.Second, clock.HasSeconds, clock.Index)
		newest := snap.Newest()
		dated := newest != nil && newest.ID > opt.after
		if dated && s.notModified(w, r, snap, at, k, which) {
			return nil
		}
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		ms, err := s.board.FindClock(r.Context(), ch, clock, opt.after, opt.limit, sess.Hide())
		if err != nil {
			return err
		}
		if dated {
			s.setValidators(w, r, snap, at, k, which)
		}
		writeBody(w, r, http.StatusOK, f.ContentType(), s.encodeList(f, opt, k, ms, nil, sess, false))
		return nil
	}
}
