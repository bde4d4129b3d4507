package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/moderation"
	"github.com/tribune-go/tribune/internal/store"
)

// The moderation API, for tools and scripts (the moderation pages of the
// web board use the same handlers): list the queue, accept, reject with a
// reason, remove a published message. Moderators and admins authenticate
// by session or HTTP Basic.

// moderator returns the requester if it may moderate: 401 for anonymous
// visitors, 403 for other roles.
func (s *Server) moderator(r *http.Request) (*model.User, error) {
	u, err := s.user(r, true)
	if err != nil {
		return nil, err
	}
	lang := langOf(r)
	if u == nil {
		return nil, httpError(http.StatusUnauthorized, i18n.T(lang, "moderation.login_needed")).
			withHeader("WWW-Authenticate", `Basic realm="tribune", charset="UTF-8"`)
	}
	if !u.Role.CanModerate() {
		return nil, httpError(http.StatusForbidden, i18n.T(lang, "moderation.forbidden"))
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
}

func (s *Server) submissionJSON(sub model.Submission, withAddress bool) submissionJSON {
	j := submissionJSON{ID: sub.ID, Channel: sub.ChannelSlug, Submitted: sub.Submitted.In(s.cfg.Location).Format(time.RFC3339),
		Info: sub.Info, Content: sub.Raw, WebRender: sub.Web, Status: sub.Status, Reason: sub.Reason,
		DecidedBy: sub.DecidedBy, MessageID: sub.MessageID}
	if sub.Login != "" {
		j.Login = &sub.Login
	}
	if withAddress {
		j.Address = sub.IP
	}
	if !sub.DecidedAt.IsZero() {
		j.DecidedAt = sub.DecidedAt.In(s.cfg.Location).Format(time.RFC3339)
	}
	return j
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeBody(w, r, status, "application/json; charset=utf-8", b)
	return nil
}

// maxQueue bounds one listing of the moderation queue.
const maxQueue = 500

// maxRecent is how many of the latest decisions the moderators see.
const maxRecent = 20

// pendingJSON lists the moderation queue, oldest first, and the latest
// decisions (removals included), newest first.
func (s *Server) pendingJSON(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.moderator(r); err != nil {
		return err
	}
	subs, err := s.st.Pending(r.Context(), maxQueue)
	if err != nil {
		return err
	}
	n, err := s.st.CountPending(r.Context())
	if err != nil {
		return err
	}
	recent, err := s.st.Decided(r.Context(), maxRecent)
	if err != nil {
		return err
	}
	out := struct {
		Pending     int              `json:"pending"`
		Submissions []submissionJSON `json:"submissions"`
		Recent      []submissionJSON `json:"recent"`
	}{Pending: n, Submissions: make([]submissionJSON, len(subs)), Recent: make([]submissionJSON, len(recent))}
	for i, sub := range subs {
		out.Submissions[i] = s.submissionJSON(sub, true)
	}
	for i, sub := range recent {
		out.Recent[i] = s.submissionJSON(sub, true)
	}
	return writeJSON(w, r, http.StatusOK, out)
}

// pathID reads the {id} of a moderation route.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, httpError(http.StatusNotFound, i18n.T(langOf(r), "error.not_found"))
	}
	return id, nil
}

// decisionError maps the store's answers to a decision.
func decisionError(r *http.Request, err error) error {
	lang := langOf(r)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return httpError(http.StatusNotFound, i18n.T(lang, "moderation.unknown"))
	case errors.Is(err, store.ErrNotPending):
		return httpError(http.StatusConflict, i18n.T(lang, "moderation.not_pending"))
	}
	return err
}

// moderationReason reads the reason of a decision: trimmed, at most
// moderation.MaxReasonLength characters, the length postman keeps.
func moderationReason(form map[string][]string) string {
	var reason string
	if v := form["reason"]; len(v) > 0 {
		reason = strings.TrimSpace(v[0])
	}
	return cut(reason, moderation.MaxReasonLength)
}

// acceptSubmission publishes a pending message. It gets its public id and
// clock now, so clients polling by id receive it like any new message.
func (s *Server) acceptSubmission(w http.ResponseWriter, r *http.Request) error {
	mod, err := s.moderator(r)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.readForm(w, r); err != nil {
		return err
	}
	sub, _, err := s.st.Accept(r.Context(), id, mod.Username, s.urlsOf)
	if err != nil {
		return decisionError(r, err)
	}
	return s.decided(w, r, sub)
}

// rejectSubmission refuses a pending message, with an optional reason.
func (s *Server) rejectSubmission(w http.ResponseWriter, r *http.Request) error {
	mod, err := s.moderator(r)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := s.readForm(w, r)
	if err != nil {
		return err
	}
	sub, err := s.st.Reject(r.Context(), id, mod.Username, moderationReason(form))
	if err != nil {
		return decisionError(r, err)
	}
	return s.decided(w, r, sub)
}

// decided answers a decision: the record for a tool, the queue page for a
// browser form.
func (s *Server) decided(w http.ResponseWriter, r *http.Request, sub model.Submission) error {
	if wantsHTML(r) {
		http.Redirect(w, r, s.cfg.Prefix+"/moderation/", http.StatusSeeOther)
		return nil
	}
	return writeJSON(w, r, http.StatusOK, s.submissionJSON(sub, true))
}

// removeMessage takes a published message down: it disappears from every
// backend, and its id is never given again.
func (s *Server) removeMessage(w http.ResponseWriter, r *http.Request) error {
	mod, err := s.moderator(r)
	if err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	form, err := s.readForm(w, r)
	if err != nil {
		return err
	}
	return s.remove(w, r, mod, id, form)
}

func (s *Server) remove(w http.ResponseWriter, r *http.Request, mod *model.User, id int64, form url.Values) error {
	m, err := s.st.Remove(r.Context(), id, mod.Username, moderationReason(form))
	if errors.Is(err, store.ErrNotFound) {
		return httpError(http.StatusNotFound, i18n.T(langOf(r), "moderation.unknown_message"))
	}
	if err != nil {
		return err
	}
	if wantsHTML(r) {
		s.setFlash(w, i18n.T(langOf(r), "moderation.removed", m.ID))
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
	var uid int64
	if sess.user != nil {
		uid = sess.user.ID
	}
	subs, err := s.st.SubmissionsOf(r.Context(), uid, sess.id, 100)
	if err != nil {
		return err
	}
	out := make([]submissionJSON, len(subs))
	for i, sub := range subs {
		out[i] = s.submissionJSON(sub, false)
	}
	return writeJSON(w, r, http.StatusOK, out)
}

// urlsOf gives the store the URLs of a message accepted late, for the URL
// archive.
func (s *Server) urlsOf(raw string) []string {
	return s.archivedURLs(s.markup.Render(raw).URLs)
}
