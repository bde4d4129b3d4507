package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tribune-go/tribune/internal/markup"
)

// The ground floor: writing answers, and the ways back from a form.

// writeBody answers with a complete body (none to HEAD) and
// djangotribune's no-cache headers.
func writeBody(w http.ResponseWriter, r *http.Request, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h["Pragma"] = noCachePragma
	h["Cache-Control"] = noCacheControl
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// writeText answers a line of text.
func writeText(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeBody(w, r, status, "text/plain; charset=utf-8", []byte(msg))
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeBody(w, r, status, "application/json; charset=utf-8", b)
	return nil
}

// done answers a form that did what it asked: a browser goes to the page
// next, a script gets the notice.
func (s *Server) done(w http.ResponseWriter, r *http.Request, next, notice string) error {
	if visitOf(r).answer == answerPage {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	writeText(w, r, http.StatusOK, notice)
	return nil
}

// doneWithFlash answers a form of the site's pages that did what it
// asked: back to the page next, where the notice shows once.
func (s *Server) doneWithFlash(w http.ResponseWriter, r *http.Request, next, notice string) error {
	s.setFlash(w, r, flashNotice, notice)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// backWithFlash sends a refused form back to the page it came from (its
// "next" field, else page), where the error shows once.
func (s *Server) backWithFlash(page string) refusal {
	return func(w http.ResponseWriter, r *http.Request, form url.Values, e *Error) error {
		s.setFlash(w, r, flashError, e.Msg)
		next := s.cfg.Prefix + page
		if form.Has("next") {
			next = s.localNext(form)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
}

// backToForm shows a form page again with the error of its post, and what
// was typed but the passwords.
func (s *Server) backToForm(name string) refusal {
	return func(w http.ResponseWriter, r *http.Request, form url.Values, e *Error) error {
		for k, v := range e.Header {
			w.Header()[k] = v
		}
		form.Del("password")
		form.Del("password2")
		return s.formPage(w, r, name, e.Status, form, e.Msg)
	}
}

// maxNext is the longest page to go back to: the tribune makes none
// longer.
const maxNext = 2048

// localNext is the page to go back to (the form's "next"): a path on this
// tribune, under its prefix, with its query; else the tribune's root.
func (s *Server) localNext(form url.Values) string {
	if next, ok := s.localPath(form.Get("next")); ok {
		return next
	}
	return s.cfg.Prefix + "/"
}

// localPath returns next as a path and query of this tribune, ok false when
// it is anything else. Browsers drop tabs and newlines from URLs and read
// "\" as "/" ("/<TAB>/evil.example" and "/\evil.example" go to
// evil.example), so none may appear, nor any control character, raw or
// escaped; nor may the path start with "//" once unescaped, or hold a dot
// segment (which could climb out of the prefix).
func (s *Server) localPath(next string) (string, bool) {
	if len(next) > maxNext || !strings.HasPrefix(next, "/") || !plainPath(next) {
		return "", false
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	p := u.Path // unescaped
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !plainPath(p) {
		return "", false
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == "." || seg == ".." {
			return "", false
		}
	}
	if pre := s.cfg.Prefix; pre != "" && p != pre && !strings.HasPrefix(p, pre+"/") {
		return "", false
	}
	return u.RequestURI(), true
}

// plainPath tells whether p holds no control character and no backslash.
func plainPath(p string) bool {
	return !strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' })
}

// The flash cookie carries a message across the redirect after a form
// post, with its kind in front: a notice or an error.
const (
	flashCookie = "tribune_flash"
	flashNotice = "notice:"
	flashError  = "error:"
)

// setFlash shows msg on the next page, as a notice or an error (kind).
func (s *Server) setFlash(w http.ResponseWriter, r *http.Request, kind, msg string) {
	http.SetCookie(w, s.cookie(r, flashCookie, url.QueryEscape(kind+msg), 60))
}

// showFlash moves the message left by the previous post, if any, into the
// page: an error as p.Error, a notice as p.Notice. It is shown once.
func (s *Server) showFlash(w http.ResponseWriter, r *http.Request, p *page) {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return
	}
	http.SetCookie(w, s.cookie(r, flashCookie, "", -1))
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return
	}
	if msg, ok := strings.CutPrefix(v, flashError); ok {
		p.Error = markup.Cut(markup.Sanitize(msg), 300)
	} else if msg, ok := strings.CutPrefix(v, flashNotice); ok {
		p.Notice = markup.Cut(markup.Sanitize(msg), 300)
	}
}
