package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// postTo serves a remote post route: it posts the message and answers with
// the backend of format f, as djangotribune does ("XPost").
func (s *Server) postTo(f backend.Format) formHandler {
	return func(w http.ResponseWriter, r *http.Request, form url.Values) error {
		user, err := s.user(r, true)
		if err != nil {
			return err
		}
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		c := visitOf(r).channel
		out, err := s.board.Post(r.Context(), c, s.poster(r, user, sess, board.ViaRemote), messageField(form))
		if aerr := s.apply(w, r, sess, out.Effects); err == nil {
			err = aerr
		}
		if err != nil {
			return err
		}
		if err := moderationAnswer(w, r, out.Submission); err != nil || out.Submission.Status == model.StatusPending {
			return err
		}
		if out.Message.ID != 0 {
			w.Header().Set("X-Post-Id", strconv.FormatInt(out.Message.ID, 10))
		}
		opt := s.parseListOptions(r.URL.Query(), f)
		// The last id may come in the body too, and wins there.
		if id := lastID(form); id != 0 || hasLastID(form) {
			opt.after = id
		}
		// The XML post routes answer an empty 200 unless a last id says
		// what the client already has (djangotribune 0.6.8.5).
		if (f == backend.XML || f == backend.CrapXML) && opt.after == 0 {
			writeBody(w, r, http.StatusOK, "text/plain; charset=utf-8", nil)
			return nil
		}
		hide := sess.Hide()
		at := s.board.Now() // before the snapshot (hub.Snapshot.LastModified)
		ms, snap, err := s.board.List(r.Context(), c.ID, opt.after, opt.limit, hide)
		if err != nil {
			return err
		}
		// The list is the backend's answer with these options: its
		// validators are the backend's, good for the next poll.
		k := s.listKey(r, f, opt)
		s.setValidators(w, r, snap, at, k, "")
		writeBody(w, r, http.StatusOK, f.ContentType(), s.encodeList(f, opt, k, ms, snap, sess, hide == nil))
		return nil
	}
}

// moderationAnswer answers a post that a moderated channel did not publish:
// 202 while it waits for a moderator, 403 with the reason when it was
// rejected. It does nothing for a published post.
func moderationAnswer(w http.ResponseWriter, r *http.Request, sub model.Submission) error {
	switch sub.Status {
	case model.StatusPending:
		h := w.Header()
		h.Set("X-Moderation", "pending")
		h.Set("X-Submission-Id", strconv.FormatInt(sub.ID, 10))
		writeText(w, r, http.StatusAccepted, i18n.T(langOf(r), "moderation.pending"))
	case model.StatusRejected:
		// The body is part of the remote protocol ("Rejected: REASON"):
		// English whatever the client's language, like X-Moderation.
		return rejectedError(i18n.EN, sub)
	}
	return nil
}

// rejectedError is the refusal of a message moderation rejected.
func rejectedError(lang i18n.Lang, sub model.Submission) *Error {
	return httpError(http.StatusForbidden, rejection(lang, sub.Reason)).withHeader("X-Moderation", "rejected")
}

// rejection is "Rejected: REASON", or "Rejected" when the reason is blank.
// The reason is trimmed for display only: the record keeps it as decided.
func rejection(lang i18n.Lang, reason string) string {
	if reason = strings.TrimSpace(reason); reason == "" {
		return i18n.T(lang, "moderation.rejected")
	}
	return i18n.T(lang, "moderation.rejected_because", reason)
}

// removalNotice tells an author that a moderator took their message down,
// with the reason when there is one.
func removalNotice(lang i18n.Lang, reason string) string {
	if reason = strings.TrimSpace(reason); reason == "" {
		return i18n.T(lang, "moderation.removed_notice")
	}
	return i18n.T(lang, "moderation.removed_notice_because", reason)
}
