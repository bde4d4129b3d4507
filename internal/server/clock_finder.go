package server

import (
	"net/http"
	"time"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/store"
)

// clockFinder serves clock/{clock}/: the messages a norloge points to, in
// format f, with the usual arguments. Unlike djangotribune it honours the
// date of a dated norloge and its index, and HH:MM matches the whole minute.
func (s *Server) clockFinder(f backend.Format) http.Handler {
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		clock, ok := markup.ParseClock(r.PathValue("clock"))
		if !ok {
			return httpError(http.StatusBadRequest, i18n.T(langOf(r), "error.bad_clock"))
		}
		opt := s.parseListOptions(r.URL.Query(), f)
		ch := visitOf(r).channel.ID
		// Last-Modified is the channel's, as in djangotribune: the answer
		// for a clock can only change when a message arrives or goes.
		snap, err := s.hub.Snapshot(r.Context(), ch)
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
		hide := sess.hideFilter()
		q := store.ClockQuery{ChannelID: ch, After: opt.after, Limit: opt.limit, Index: clock.Index}
		q.From = clock.Hour*3600 + clock.Minute*60 + clock.Second
		q.To = q.From
		if !clock.HasSeconds {
			q.To = q.From + 59
		}
		if clock.Month != 0 {
			q.Day = s.clockDay(clock)
		}
		ms, err := s.hub.FindClock(r.Context(), q, hide)
		if err != nil {
			return err
		}
		writeBody(w, r, http.StatusOK, f.ContentType(), s.encodeList(r, f, opt, ms, nil, sess, false))
		return nil
	})
}

// clockDay is the YYYYMMDD date of a dated norloge; a date without a year
// (MM/DD#) is the latest such day not in the future.
func (s *Server) clockDay(c markup.Clock) int {
	y := c.Year
	if y == 0 {
		now := time.Now().In(s.cfg.Location)
		y = now.Year()
		if c.Month*100+c.Day > int(now.Month())*100+now.Day() {
			y--
		}
	}
	return y*10000 + c.Month*100 + c.Day
}
