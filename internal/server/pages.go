package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// page is what every HTML page gets: the layout's needs plus the page's
// own data.
type page struct {
	Page          string // template name, also a body class
	L             locale
	Lang          string
	Theme         string
	Title         string
	TabTitle      string // the tab's title when it is not Title
	Tagline       string
	Site          string
	Prefix        string
	Here          string // this page's path and query, for "next" links
	Channel       model.Channel
	Channels      []model.Channel
	User          *model.User
	Pending       int // moderation queue size, for moderators
	SignupOpen    bool
	PostMaxLength int
	Error         string
	Notice        string
	Next          string
	Form          url.Values
	Data          any
}

// locale gives templates their strings: {{.L.T "key"}}.
type locale struct{ lang i18n.Lang }

// T translates key with args.
func (l locale) T(key string, args ...any) string { return i18n.T(l.lang, key, args...) }

// newPage fills the common part of a page.
func (s *Server) newPage(r *http.Request, name, title string) (*page, error) {
	sess, err := s.session(r)
	if err != nil {
		return nil, err
	}
	lang := langOf(r)
	p := &page{
		Page: name, L: locale{lang}, Lang: string(lang), Theme: sess.Theme(), Title: title, Site: s.siteName(r),
		Prefix: s.cfg.Prefix, Here: r.URL.RequestURI(), Channel: visitOf(r).channel, Channels: s.board.Channels(),
		User: sess.User, SignupOpen: s.cfg.Signup, PostMaxLength: s.cfg.PostMaxLength, Form: url.Values{},
	}
	if p.User != nil && p.User.Role.CanModerate() {
		if p.Pending, err = s.board.CountPending(r.Context()); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// render writes an HTML page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, p *page) error {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", s.csp())
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	return s.pages.Render(w, p.Page, p)
}

// csp allows only the tribune's own scripts and styles, and images from
// the site and from the totoz server's host only (none outside when the
// setting is empty).
func (s *Server) csp() string {
	return "default-src 'self'; img-src 'self' data:" + totozOrigin(s.cfg.SmileysURL) +
		"; media-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
}

// totozOrigin is " scheme://host" of the totoz server's address, "" for a
// site-relative one or none.
func totozOrigin(template string) string {
	u, err := url.Parse(strings.NewReplacer("{name}", "x", "{0}", "x").Replace(template))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return " " + u.Scheme + "://" + u.Host
}

// errorPage shows an error to a browser.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, e *Error) {
	title := statusTitle(langOf(r), e.Status)
	p, err := s.newPage(r, "error", title)
	if err != nil {
		// The page must not fail too: a bare layout.
		p = &page{Page: "error", L: locale{langOf(r)}, Lang: string(langOf(r)), Prefix: s.cfg.Prefix,
			Title: title, Form: url.Values{}}
	}
	p.Data = errorData{Status: e.Status, Message: e.Msg}
	if err := s.render(w, r, e.Status, p); err != nil {
		s.log.Error("rendering the error page", "err", err)
	}
}

// statusTitle names an HTTP status in lang, for the error page's title.
func statusTitle(lang i18n.Lang, status int) string {
	if key := "error.status." + strconv.Itoa(status); i18n.Has(key) {
		return i18n.T(lang, key)
	}
	return i18n.T(lang, "error.status")
}

type errorData struct {
	Status  int
	Message string
}

// showLogin serves the log-in page.
func (s *Server) showLogin(w http.ResponseWriter, r *http.Request) error {
	return s.formPage(w, r, "login", http.StatusOK, url.Values{"next": {r.URL.Query().Get("next")}}, "")
}

// showSignup serves the sign-up page.
func (s *Server) showSignup(w http.ResponseWriter, r *http.Request) error {
	if !s.cfg.Signup {
		return httpError(http.StatusNotFound, s.t(r, "account.signup_closed"))
	}
	return s.formPage(w, r, "signup", http.StatusOK, url.Values{"next": {r.URL.Query().Get("next")}}, "")
}

func (s *Server) formPage(w http.ResponseWriter, r *http.Request, name string, status int, form url.Values, msg string) error {
	p, err := s.newPage(r, name, s.t(r, name+".title"))
	if err != nil {
		return err
	}
	p.Form, p.Error = form, msg
	p.Next = s.localNext(form)
	return s.render(w, r, status, p)
}

// langCookie remembers the language chosen with the switch; it wins over
// Accept-Language.
const langCookie = "tribune_lang"

// postLang switches the interface language and remembers it.
func (s *Server) postLang(w http.ResponseWriter, r *http.Request, form url.Values) error {
	lang, ok := i18n.Parse(form.Get("lang"))
	if !ok {
		return httpError(http.StatusBadRequest, s.t(r, "error.bad_lang"))
	}
	http.SetCookie(w, s.cookie(r, langCookie, string(lang), 365*24*3600))
	http.Redirect(w, r, s.localNext(form), http.StatusSeeOther)
	return nil
}

// static serves the fingerprinted static files.
func (s *Server) static(w http.ResponseWriter, r *http.Request) error {
	s.pages.Static.ServeHTTP(w, r)
	return nil
}
