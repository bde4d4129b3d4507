package server

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/i18n"
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
	Moderators                  []moderatorLine
	Links                       []string // link targets, in full
}

// moderatorLine is what one auto-moderator said, in the viewer's language:
// "webhook:https://… — timeout (no answer after 2s…)".
type moderatorLine struct {
	Spec, Said string
	Failed     bool
}

type moderationData struct {
	Queue    []queueItem
	Recent   []queueItem
	Count    int    // waiting, in the channel shown
	Filtered bool   // the queue of one channel
	Channel  string // its slug
	Next     string // the next page, if any
	First    string // the first page, when this one is not
	Here     string // this page, to come back to after a decision
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
	qq, err := s.queueQuery(r)
	if err != nil {
		return err
	}
	q, more, err := s.board.QueuePage(r.Context(), u, qq)
	if err != nil {
		return err
	}
	p, err := s.newPage(r, "moderation", s.t(r, "moderation.title"))
	if err != nil {
		return err
	}
	d := moderationData{Count: q.Count, Filtered: qq.ByChannel, Channel: qq.Channel, Here: r.URL.RequestURI()}
	for _, sub := range q.Pending {
		d.Queue = append(d.Queue, s.queueItem(r, sub))
	}
	if more {
		d.Next = s.queueLink(qq, q.Pending[len(q.Pending)-1].ID)
	}
	if qq.After > 0 {
		d.First = s.queueLink(qq, 0)
	}
	for _, sub := range q.Recent {
		d.Recent = append(d.Recent, s.queueItem(r, sub))
	}
	p.Data = d
	s.showFlash(w, r, p)
	return s.render(w, r, http.StatusOK, p)
}

func (s *Server) queueItem(r *http.Request, sub model.Submission) queueItem {
	q := queueItem{ID: sub.ID, Channel: sub.ChannelSlug, Submitted: sub.Submitted.In(s.cfg.Location).Format(time.DateTime),
		Login: sub.Login, Info: sub.Info, Address: sub.IP, Web: template.HTML(sub.Web), Status: sub.Status,
		Reason: sub.Reason, DecidedBy: sub.DecidedBy, Links: linkTargets(sub.Web)}
	if !sub.DecidedAt.IsZero() {
		q.Decided = sub.DecidedAt.In(s.cfg.Location).Format(time.DateTime)
	}
	for _, res := range sub.Moderators {
		q.Moderators = append(q.Moderators, s.moderatorLine(r, res))
	}
	return q
}

// moderatorLine words what an auto-moderator said.
func (s *Server) moderatorLine(r *http.Request, res model.ModeratorResult) moderatorLine {
	l := moderatorLine{Spec: res.Spec}
	switch {
	case res.Failure != "":
		l.Failed = true
		l.Said = res.Failure // a kind this version does not know: as stored
		if key := "moderation.failure." + res.Failure; i18n.Has(key) {
			l.Said = s.t(r, key)
		}
		if res.Detail != "" {
			l.Said += " (" + res.Detail + ")"
		}
	case res.Rating == nil:
		l.Said = s.t(r, "moderation.said_nothing")
	case strings.TrimSpace(res.Reason) == "":
		l.Said = s.t(r, "moderation.said_rating", strconv.FormatFloat(*res.Rating, 'g', -1, 64))
	default:
		l.Said = s.t(r, "moderation.said_rating_because", strconv.FormatFloat(*res.Rating, 'g', -1, 64), res.Reason)
	}
	return l
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
