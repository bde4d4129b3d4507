package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/commands"
	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
)

// postBoard is the board's own post route, for its form without
// JavaScript (post, then back to the board) and for board.js (a JSON answer
// with the outcome and the new messages). Unlike the remote routes it
// checks the captcha of anonymous posters when TRIBUNE_CAPTCHA is set.
func (s *Server) postBoard(w http.ResponseWriter, r *http.Request) error {
	return s.postBoardForm(w, r, false)
}

// postBoardNoScript is the form of the no-script board: it comes back to
// the no-script board, never to the one that loads board.js.
func (s *Server) postBoardNoScript(w http.ResponseWriter, r *http.Request) error {
	return s.postBoardForm(w, r, true)
}

func (s *Server) postBoardForm(w http.ResponseWriter, r *http.Request, noScript bool) error {
	js := strings.Contains(r.Header.Get("Accept"), "application/json")
	form, err := s.readForm(w, r)
	if err != nil {
		return err
	}
	content := messageField(form)
	out, err := s.boardSubmit(w, r, form, content)
	if js {
		return s.boardAnswerJSON(w, r, form, out, err)
	}
	var e *Error
	if errors.As(err, &e) && e.Status < 500 {
		if e.Status == http.StatusForbidden && out.submission.Status == model.StatusRejected {
			content = "" // a rejected message is gone: do not type it again
		}
		for k, v := range e.Header { // Retry-After, X-Moderation
			w.Header()[k] = v
		}
		msg := strings.TrimPrefix(e.Msg, "* content: ")
		return s.boardPage(w, r, e.Status, noScript, msg, content)
	}
	if err != nil {
		return err
	}
	switch {
	case out.notice != "":
		s.setFlash(w, out.notice)
	case out.submission.Status == model.StatusPending:
		s.setFlash(w, i18n.T(langOf(r), "moderation.pending"))
	}
	back := s.channelPath(visitOf(r).channel)
	if noScript {
		back += "noscript/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// boardSubmit checks the captcha when needed and posts.
func (s *Server) boardSubmit(w http.ResponseWriter, r *http.Request, form map[string][]string, content string) (outcome, error) {
	sess, err := s.session(r)
	if err != nil {
		return outcome{}, err
	}
	// A captcha guards what gets posted: commands that post nothing
	// (/name, /bak…) need none.
	text := markup.Sanitize(content)
	if s.cfg.Captcha && sess.user == nil && (!commands.IsCommand(text) || commands.Posts(text)) {
		if err := s.checkCaptcha(r, form); err != nil {
			return outcome{}, err
		}
	}
	out, err := s.submit(w, r, content, sess.user, sess)
	if err == nil && out.submission.Status == model.StatusRejected {
		err = httpError(http.StatusForbidden, rejection(langOf(r), out.submission.Reason))
	}
	return out, err
}

// boardAnswer is the JSON answer to board.js.
type boardAnswer struct {
	Status       string          `json:"status"` // published, pending, rejected, command, error
	ID           int64           `json:"id,omitempty"`
	SubmissionID int64           `json:"submission_id,omitempty"`
	Notice       string          `json:"notice,omitempty"`
	Error        string          `json:"error,omitempty"`
	Web          string          `json:"web_render,omitempty"` // a pending message's render
	Rows         json.RawMessage `json:"rows"`                 // new messages since the form's last_id
	Captcha      string          `json:"captcha,omitempty"`    // a fresh captcha after each try
}

func (s *Server) boardAnswerJSON(w http.ResponseWriter, r *http.Request, form map[string][]string, out outcome, err error) error {
	a := boardAnswer{Rows: json.RawMessage("[]")}
	status := http.StatusOK
	var e *Error
	switch {
	case errors.As(err, &e) && e.Status < 500:
		for k, v := range e.Header {
			w.Header()[k] = v
		}
		status = e.Status
		a.Status, a.Error = "error", strings.TrimPrefix(e.Msg, "* content: ")
		if out.submission.Status == model.StatusRejected {
			a.Status, a.SubmissionID = "rejected", out.submission.ID
		}
	case err != nil:
		return err
	case out.submission.Status == model.StatusPending:
		status = http.StatusAccepted
		a.Status, a.SubmissionID, a.Web = "pending", out.submission.ID, out.submission.Web
		a.Notice = i18n.T(langOf(r), "moderation.pending")
	case out.message.ID != 0:
		a.Status, a.ID = "published", out.message.ID
	default:
		a.Status, a.Notice = "command", out.notice
	}
	sess, serr := s.session(r)
	if serr != nil {
		return serr
	}
	if s.cfg.Captcha && sess.user == nil {
		a.Captcha = newCaptchaID()
	}
	// The new messages since what the board has, so posting refreshes even
	// when live updates are off.
	after := lastID(form)
	if after > 0 {
		hide := sess.hideFilter()
		ms, _, lerr := s.hub.List(r.Context(), visitOf(r).channel.ID, after, s.cfg.MaxLimit, hide)
		if lerr != nil {
			return lerr
		}
		meta := backend.Meta{Location: s.cfg.Location, Owned: sess.owned}
		a.Rows = backend.Encode(nil, backend.JSON, &meta, hub.Reverse(ms))
	}
	return writeJSON(w, r, status, a)
}
