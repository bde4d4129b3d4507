package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/model"
)

// The moderation API, for tools and scripts (the moderation pages of the
// web board use the same handlers): list the queue, accept, reject with a
// reason, remove a published message. Moderators and admins authenticate
// by session, HTTP Basic, or an access token of the moderate scope.

// moderator returns the requester if it may moderate: 401 (asking for
// credentials) for anonymous visitors, 403 for other roles, and for an
// access token without the moderate scope.
func (s *Server) moderator(r *http.Request) (*model.User, error) {
	u, err := s.user(r, true)
	if err != nil {
		return nil, err
	}
	if err := s.mayModerateWithToken(r); err != nil {
		return nil, err
	}
	if err := board.MayModerate(u); errors.Is(err, board.ErrLoginNeeded) {
		return nil, s.word(r, err).withHeader("WWW-Authenticate", `Basic realm="tribune", charset="UTF-8"`)
	} else if err != nil {
		return nil, err
	}
	return u, nil
}

// submissionJSON is a moderation record as the API shows it.
type submissionJSON struct {
	ID        int64   `json:"id"`
	Channel   string  `json:"channel"`
	Submitted string  `json:"submitted"` // RFC 3339, in the tribune's zone
	Info      string  `json:"info"`
	Login     *string `json:"login"`
	Address   string  `json:"address,omitempty"`
	Content   string  `json:"content"`
	WebRender string  `json:"web_render"`
	Status    string  `json:"status"`
	Reason    string  `json:"reason,omitempty"`
	DecidedBy string  `json:"decided_by,omitempty"`
	DecidedAt string  `json:"decided_at,omitempty"`
	MessageID int64   `json:"message_id,omitempty"`
	// What each auto-moderator said (docs/moderation.md): for moderators
	// only, as the address.
	Moderators []model.ModeratorResult `json:"moderators,omitempty"`
}

// submissionJSON shows sub; forModerators adds what only moderators see:
// the address and what the auto-moderators said (their specs may hold a
// word list or a private URL).
func (s *Server) submissionJSON(sub model.Submission, forModerators bool) submissionJSON {
	j := submissionJSON{ID: sub.ID, Channel: sub.ChannelSlug, Submitted: sub.Submitted.In(s.cfg.Location).Format(time.RFC3339),
		Info: sub.Info, Content: sub.Raw, WebRender: sub.Web, Status: sub.Status, Reason: sub.Reason,
		DecidedBy: sub.DecidedBy, MessageID: sub.MessageID}
	if sub.Login != "" {
		j.Login = &sub.Login
	}
	if forModerators {
		j.Address, j.Moderators = sub.IP, sub.Moderators
	}
	if !sub.DecidedAt.IsZero() {
		j.DecidedAt = sub.DecidedAt.In(s.cfg.Location).Format(time.RFC3339)
	}
	return j
}

func (s *Server) submissionsJSON(subs []model.Submission, forModerators bool) []submissionJSON {
	out := make([]submissionJSON, len(subs))
	for i, sub := range subs {
		out[i] = s.submissionJSON(sub, forModerators)
	}
	return out
}

// pendingJSON lists the moderation queue, oldest first (500 at most, or
// the page ?channel=, ?after=, ?limit= ask for), and the latest decisions
// (removals included), newest first. more says whether a page follows.
func (s *Server) pendingJSON(w http.ResponseWriter, r *http.Request) error {
	mod, err := s.moderator(r)
	if err != nil {
		return err
	}
	qq, err := s.queueQuery(r)
	if err != nil {
		return err
	}
	if qq.Limit == 0 {
		qq.Limit = 500
	}
	q, more, err := s.board.QueuePage(r.Context(), mod, qq)
	if err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, struct {
		Pending     int              `json:"pending"`
		More        bool             `json:"more"`
		Submissions []submissionJSON `json:"submissions"`
		Recent      []submissionJSON `json:"recent"`
	}{q.Count, more, s.submissionsJSON(q.Pending, true), s.submissionsJSON(q.Recent, true)})
}

// pathID reads the {id} of a moderation route.
func (s *Server) pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, httpError(http.StatusNotFound, s.t(r, "error.not_found"))
	}
	return id, nil
}

// acceptSubmission publishes a pending message.
func (s *Server) acceptSubmission(w http.ResponseWriter, r *http.Request, form url.Values) error {
	mod, err := s.moderator(r)
	if err != nil {
		return err
	}
	id, err := s.pathID(r)
	if err != nil {
		return err
	}
	sub, err := s.board.Accept(r.Context(), mod, id)
	if err != nil {
		return err
	}
	return s.decided(w, r, sub)
}

// rejectSubmission refuses a pending message, with an optional reason.
func (s *Server) rejectSubmission(w http.ResponseWriter, r *http.Request, form url.Values) error {
	mod, err := s.moderator(r)
	if err != nil {
		return err
	}
	id, err := s.pathID(r)
	if err != nil {
		return err
	}
	sub, err := s.board.Reject(r.Context(), mod, id, reason(form))
	if err != nil {
		return err
	}
	return s.decided(w, r, sub)
}

// reason is a decision's reason: the form's first.
func reason(form url.Values) string {
	if v := form["reason"]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// decided answers a decision: the record for a tool, the queue page for a
// browser form.
func (s *Server) decided(w http.ResponseWriter, r *http.Request, sub model.Submission) error {
	if visitOf(r).answer == answerPage {
		http.Redirect(w, r, s.cfg.Prefix+"/moderation/", http.StatusSeeOther)
		return nil
	}
	return writeJSON(w, r, http.StatusOK, s.submissionJSON(sub, true))
}

// removeMessage takes a published message down: it disappears from every
// backend, and its id is never given again.
func (s *Server) removeMessage(w http.ResponseWriter, r *http.Request, form url.Values) error {
	mod, err := s.moderator(r)
	if err != nil {
		return err
	}
	id, err := s.pathID(r)
	if err != nil {
		return err
	}
	return s.remove(w, r, mod, id, form)
}

func (s *Server) remove(w http.ResponseWriter, r *http.Request, mod *model.User, id int64, form url.Values) error {
	m, err := s.board.Remove(r.Context(), mod, id, reason(form))
	if err != nil {
		return err
	}
	if visitOf(r).answer == answerPage {
		s.setFlash(w, r, flashNotice, s.t(r, "moderation.removed", m.ID))
		http.Redirect(w, r, s.localNext(form), http.StatusSeeOther)
		return nil
	}
	return writeJSON(w, r, http.StatusOK, map[string]any{"id": m.ID, "removed": true})
}

// myMessagesJSON lists the requester's own moderation records (pending,
// accepted and rejected with the reason), newest first: how the author of a
// rejected message learns why.
func (s *Server) myMessagesJSON(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	subs, err := s.board.SubmissionsOf(r.Context(), sess)
	if err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, s.submissionsJSON(subs, false))
}
