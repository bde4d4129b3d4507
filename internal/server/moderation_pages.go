package server

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tribune-go/tribune/internal/model"
)

// The moderation page: the queue, oldest first, with accept and reject (with
// a reason); the latest decisions; removal of a published message by id.

type queueItem struct {
	ID                          int64
	Channel, Submitted, Decided string
	Login, Info, Address        string
	Web                         template.HTML
	Status, Reason, DecidedBy   string
}

type moderationData struct {
	Queue  []queueItem
	Recent []queueItem
}

// pageUser returns the user a page needs, sending an anonymous browser to
// the log-in page (ok false: the answer is written).
func (s *Server) pageUser(w http.ResponseWriter, r *http.Request) (*model.User, bool, error) {
	sess, err := s.session(r)
	if err != nil {
		return nil, false, err
	}
	if sess.User == nil {
		http.Redirect(w, r, s.cfg.Prefix+"/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return nil, false, nil
	}
	return sess.User, true, nil
}

func (s *Server) showModeration(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.pageUser(w, r)
	if !ok || err != nil {
		return err
	}
	q, err := s.board.Queue(r.Context(), u)
	if err != nil {
		return err
	}
	p, err := s.newPage(r, "moderation", s.t(r, "moderation.title"))
	if err != nil {
		return err
	}
	d := moderationData{}
	for _, sub := range q.Pending {
		d.Queue = append(d.Queue, s.queueItem(sub))
	}
	for _, sub := range q.Recent {
		d.Recent = append(d.Recent, s.queueItem(sub))
	}
	p.Data = d
	s.showFlash(w, r, p)
	return s.render(w, r, http.StatusOK, p)
}

func (s *Server) queueItem(sub model.Submission) queueItem {
	q := queueItem{ID: sub.ID, Channel: sub.ChannelSlug, Submitted: sub.Submitted.In(s.cfg.Location).Format(time.DateTime),
		Login: sub.Login, Info: sub.Info, Address: sub.IP, Web: template.HTML(sub.Web), Status: sub.Status,
		Reason: sub.Reason, DecidedBy: sub.DecidedBy}
	if !sub.DecidedAt.IsZero() {
		q.Decided = sub.DecidedAt.In(s.cfg.Location).Format(time.DateTime)
	}
	return q
}

// removeByForm is the moderation page's removal form: the message id comes
// in the form.
func (s *Server) removeByForm(w http.ResponseWriter, r *http.Request, form url.Values) error {
	mod, err := s.moderator(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(form.Get("id"), 10, 64)
	if err != nil || id <= 0 {
		return httpError(http.StatusBadRequest, s.t(r, "moderation.unknown_message"))
	}
	return s.remove(w, r, mod, id, form)
}
