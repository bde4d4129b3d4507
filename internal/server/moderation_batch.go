package server

import (
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/model"
)

// Faster moderation: the queue a page at a time and by channel, and one
// decision (accept, or reject with one reason) for several submissions.

// queueQuery reads the queue page asked for: ?channel=slug (present and
// empty: the default channel; * or absent: all), ?after=id, ?limit=n.
func (s *Server) queueQuery(r *http.Request) (board.QueueQuery, error) {
	v := query(r)
	var q board.QueueQuery
	if c, ok := v["channel"]; ok && c[0] != "*" {
		q.ByChannel, q.Channel = true, c[0]
	}
	if a := v.Get("after"); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < 0 {
			return q, httpError(http.StatusBadRequest, s.t(r, "moderation.bad_page"))
		}
		q.After = n
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return q, httpError(http.StatusBadRequest, s.t(r, "moderation.bad_page"))
		}
		q.Limit = n
	}
	return q, nil
}

// queueLink is the queue page's address with q, after the given id.
func (s *Server) queueLink(q board.QueueQuery, after int64) string {
	v := url.Values{}
	if q.ByChannel {
		v.Set("channel", q.Channel)
	}
	if after > 0 {
		v.Set("after", strconv.FormatInt(after, 10))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	u := s.cfg.Prefix + "/moderation/"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

// hrefs finds the link targets of a rendered message, to show them in
// full to moderators (a link's text may hide where it goes).
var hrefs = regexp.MustCompile(`<a [^>]*href="([^"]*)"`)

func linkTargets(web string) []string {
	var out []string
	for _, m := range hrefs.FindAllStringSubmatch(web, 20) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// batchIDs reads the ids of a batch decision.
func (s *Server) batchIDs(r *http.Request, form url.Values) ([]int64, error) {
	if len(form["ids"]) > board.MaxBatch {
		return nil, httpError(http.StatusBadRequest, s.t(r, "moderation.batch_too_large", board.MaxBatch))
	}
	var ids []int64
	for _, v := range form["ids"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, httpError(http.StatusBadRequest, s.t(r, "moderation.bad_ids"))
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// batchResultJSON is one submission's fate in a batch decision.
type batchResultJSON struct {
	ID     int64           `json:"id"`
	Status string          `json:"status"` // accepted, rejected, or error
	Error  string          `json:"error,omitempty"`
	Record *submissionJSON `json:"submission,omitempty"`
}

// decideBatch accepts or rejects the selected submissions with one reason.
func (s *Server) decideBatch(w http.ResponseWriter, r *http.Request, form url.Values) error {
	mod, err := s.moderator(r)
	if err != nil {
		return err
	}
	ids, err := s.batchIDs(r, form)
	if err != nil {
		return err
	}
	decision := map[string]string{"accept": model.StatusAccepted, "reject": model.StatusRejected}[form.Get("decision")]
	results, err := s.board.DecideMany(r.Context(), mod, decision, ids, reason(form))
	switch {
	case errors.Is(err, board.ErrBadDecision):
		return httpError(http.StatusBadRequest, s.t(r, "moderation.bad_decision"))
	case errors.Is(err, board.ErrBatchEmpty):
		return httpError(http.StatusBadRequest, s.t(r, "moderation.batch_empty"))
	case errors.Is(err, board.ErrBatchTooLarge):
		return httpError(http.StatusBadRequest, s.t(r, "moderation.batch_too_large", board.MaxBatch))
	case err != nil:
		return err
	}
	done, skipped := 0, 0
	out := make([]batchResultJSON, 0, len(results))
	for _, res := range results {
		j := batchResultJSON{ID: res.ID, Status: res.Submission.Status}
		if res.Err != nil {
			skipped++
			j.Status, j.Error = "error", s.word(r, res.Err).Msg
		} else {
			done++
			rec := s.submissionJSON(res.Submission, true)
			j.Record = &rec
		}
		out = append(out, j)
	}
	pending, err := s.board.CountPending(r.Context())
	if err != nil {
		return err
	}
	if visitOf(r).answer == answerPage {
		msg := s.t(r, "moderation.batch_"+decision, done)
		if skipped > 0 {
			msg += " " + s.t(r, "moderation.batch_skipped", skipped)
		}
		s.setFlash(w, r, flashNotice, msg)
		next := s.localNext(form)
		if form.Get("next") == "" {
			next = s.cfg.Prefix + "/moderation/"
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return writeJSON(w, r, http.StatusOK, struct {
		Decided int               `json:"decided"`
		Pending int               `json:"pending"`
		Results []batchResultJSON `json:"results"`
	}{done, pending, out})
}
