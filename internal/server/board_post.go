package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/model"
)

// postBoard is the board's own post route, for its form without
// JavaScript (post, then back to the board) and for board.js (a JSON answer
// with the outcome and the new messages). Unlike the remote routes it
// checks the captcha of anonymous posters when TRIBUNE_CAPTCHA is set.
func (s *Server) postBoard(w http.ResponseWriter, r *http.Request, form url.Values) error {
	return s.postBoardForm(w, r, form, false)
}

// postBoardNoScript is the form of the no-script board: it comes back to
// the no-script board, never to the one that loads board.js.
func (s *Server) postBoardNoScript(w http.ResponseWriter, r *http.Request, form url.Values) error {
	return s.postBoardForm(w, r, form, true)
}

// postFromForm posts text to c from a board's form (the channel's or the
// multi-channel view's), as the session's visitor with the form's captcha,
// and applies what the post asks of the session. A rejection by the
// moderation chain is an error. sess is nil when the session could not be
// read (err says why): there is nothing to answer with.
func (s *Server) postFromForm(w http.ResponseWriter, r *http.Request, c model.Channel, form url.Values, text string) (*board.Session, board.Outcome, error) {
	sess, err := s.session(r)
	if err != nil {
		return nil, board.Outcome{}, err
	}
	p := s.poster(r, sess.User, sess, board.ViaBoard)
	p.CaptchaID, p.Captcha = form.Get("captcha_id"), form.Get("captcha")
	out, err := s.board.Post(r.Context(), c, p, text)
	if aerr := s.apply(w, r, sess, out.Effects); err == nil {
		err = aerr
	}
	if err == nil && out.Submission.Status == model.StatusRejected {
		err = rejectedError(langOf(r), out.Submission)
	}
	return sess, out, err
}

func (s *Server) postBoardForm(w http.ResponseWriter, r *http.Request, form url.Values, noScript bool) error {
	c := visitOf(r).channel
	sess, out, err := s.postFromForm(w, r, c, form, messageField(form))
	if sess == nil {
		return err
	}
	if visitOf(r).answer == answerJSON {
		return s.boardAnswerJSON(w, r, form, sess, out, err)
	}
	if e := s.word(r, err); e != nil && e.Status < 500 {
		// The board again, with the error and what was typed.
		return s.boardRefused(w, r, form, e, noScript)
	}
	if err != nil {
		return err
	}
	switch {
	case out.Notice != "":
		s.setFlash(w, r, flashNotice, out.Notice)
	case out.Submission.Status == model.StatusPending:
		s.setFlash(w, r, flashNotice, s.t(r, "moderation.pending"))
	}
	back := s.channelPath(c)
	if noScript {
		back += "noscript/"
	}
	// Back where the new message is, not at the top of a long page: the
	// message itself, else the form (where a notice and a waiting message
	// show).
	if out.Message.ID != 0 {
		back += "#m" + strconv.FormatInt(out.Message.ID, 10)
	} else {
		back += "#post-form"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

// boardRefused shows the board again after a refused post, to browsers and
// scripts alike, with the error and the text typed (but a rejected
// message's: it is gone).
func (s *Server) boardRefused(w http.ResponseWriter, r *http.Request, form url.Values, e *Error, noScript bool) error {
	content := messageField(form)
	if e.Header.Get("X-Moderation") == "rejected" {
		content = ""
	}
	for k, v := range e.Header { // Retry-After, X-Moderation
		w.Header()[k] = v
	}
	return s.boardPage(w, r, e.Status, noScript, e.Msg, content)
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

func (s *Server) boardAnswerJSON(w http.ResponseWriter, r *http.Request, form url.Values, sess *board.Session, out board.Outcome, err error) error {
	a := boardAnswer{Rows: json.RawMessage("[]")}
	status := http.StatusOK
	switch e := s.word(r, err); {
	case e != nil && e.Status < 500:
		for k, v := range e.Header {
			w.Header()[k] = v
		}
		status = e.Status
		a.Status, a.Error = "error", e.Msg
		if out.Submission.Status == model.StatusRejected {
			a.Status, a.SubmissionID = "rejected", out.Submission.ID
		}
	case err != nil:
		return err
	case out.Submission.Status == model.StatusPending:
		status = http.StatusAccepted
		a.Status, a.SubmissionID, a.Web = "pending", out.Submission.ID, out.Submission.Web
		a.Notice = s.t(r, "moderation.pending")
	case out.Message.ID != 0:
		a.Status, a.ID = "published", out.Message.ID
	default:
		a.Status, a.Notice = "command", out.Notice
	}
	if s.cfg.Captcha && sess.User == nil {
		a.Captcha = s.board.NewCaptchaID()
	}
	// The new messages since what the board has, so posting refreshes even
	// when live updates are off.
	if after := lastID(form); after > 0 {
		ms, _, err := s.board.List(r.Context(), visitOf(r).channel.ID, after, s.cfg.MaxLimit, sess.Hide())
		if err != nil {
			return err
		}
		meta := s.meta()
		meta.Owned = sess.Owns
		a.Rows = backend.Encode(nil, backend.JSON, &meta, hub.Reverse(ms))
	}
	return writeJSON(w, r, status, a)
}
