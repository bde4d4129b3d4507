package server

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// The route table. Channel routes exist once for the default channel at the
// tribune's root and once under each channel's slug; dispatch (below) picks
// the channel from the first path segment and serves the same table for
// both. Site routes are not per channel.
func (s *Server) routes() http.Handler {
	ch := http.NewServeMux()
	// board: the web board's pages; a browser on a locked tribune is sent
	// to the log-in page. read and post: the routes of clients and scripts,
	// which answer every error in plain text; only post accepts HTTP Basic.
	board := func(h http.Handler) http.Handler { return s.unlocked(h, false) }
	read := func(h http.Handler) http.Handler { return plain(s.unlocked(h, false)) }
	post := func(h http.Handler) http.Handler { return plain(s.unlocked(h, true)) }

	// The web board, its live stream and its own post route.
	ch.Handle("GET /{$}", board(s.h(s.showBoard)))
	ch.Handle("GET /noscript/{$}", board(s.h(s.showBoardNoScript)))
	ch.Handle("POST /{$}", s.csrf.Handler(board(s.h(s.postBoard))))
	ch.Handle("POST /noscript/{$}", s.csrf.Handler(board(s.h(s.postBoardNoScript))))
	ch.Handle("GET /remote/stream/{$}", read(s.h(s.stream)))

	// Remote backends, for coincoins and scripts.
	ch.Handle("GET /remote/{$}", read(s.backend(backend.Plain)))
	ch.Handle("GET /remote/tsv/{$}", read(s.backend(backend.TSV)))
	ch.Handle("GET /remote/json/{$}", read(s.backend(backend.JSON)))
	ch.Handle("GET /remote/xml/{$}", read(s.backend(backend.XML)))
	ch.Handle("GET /crap/remote.xml", read(s.backend(backend.CrapXML)))
	ch.Handle("GET /remote/xml/crap/{$}", read(s.backend(backend.CrapXML))) // path of the original's docs
	ch.Handle("GET /clock/{clock}/{$}", read(s.clockFinder(backend.JSON)))
	ch.Handle("GET /clock/{clock}/xml/{$}", read(s.clockFinder(backend.XML)))
	ch.Handle("GET /discovery.config", plain(s.h(s.discovery))) // readable when locked: it says so

	// Posting: every format, POST or PUT, urlencoded or multipart.
	for _, m := range []string{"POST", "PUT"} {
		ch.Handle(m+" /post/{$}", post(s.postTo(backend.Plain)))
		ch.Handle(m+" /post/tsv/{$}", post(s.postTo(backend.TSV)))
		ch.Handle(m+" /post/json/{$}", post(s.postTo(backend.JSON)))
		ch.Handle(m+" /post/xml/{$}", post(s.postTo(backend.XML)))
		ch.Handle(m+" /crap/post.xml", post(s.postTo(backend.CrapXML)))
		ch.Handle(m+" /post/xml/crap/{$}", post(s.postTo(backend.CrapXML))) // path of the original's docs
	}

	// Site routes. Browser forms are checked against cross-site request
	// forgery; remote clients (no Origin, no Sec-Fetch-Site) pass.
	site := http.NewServeMux()
	p := s.cfg.Prefix
	form := s.csrf.Handler
	site.Handle(p+"/", s.dispatch(ch)) // every channel route
	site.Handle("GET "+p+"/static/", s.pages.Static)
	site.Handle("GET "+p+"/login", s.h(s.showLogin))
	site.Handle("POST "+p+"/login", form(s.h(s.postLogin)))
	site.Handle("POST "+p+"/logout", form(s.h(s.postLogout)))
	site.Handle("GET "+p+"/signup", s.h(s.showSignup))
	site.Handle("POST "+p+"/signup", form(s.h(s.postSignup)))
	site.Handle("POST "+p+"/lang", form(s.h(s.postLang)))
	site.Handle("GET "+p+"/captcha/{file}", s.h(s.showCaptcha))
	site.Handle("GET "+p+"/my/messages.json", s.h(s.myMessagesJSON))
	site.Handle("GET "+p+"/prefs.json", s.h(s.showPrefs))
	site.Handle("POST "+p+"/prefs", form(s.h(s.postPrefs)))
	site.Handle("POST "+p+"/prefs/filters", form(s.h(s.postFilters)))
	site.Handle("GET "+p+"/profile", s.h(s.showProfile))
	site.Handle("POST "+p+"/profile/password", form(s.h(s.postPassword)))

	// Moderation, for moderators and admins (session or HTTP Basic).
	site.Handle("GET "+p+"/moderation/pending.json", s.h(s.pendingJSON))
	site.Handle("POST "+p+"/moderation/{id}/accept", form(s.h(s.acceptSubmission)))
	site.Handle("POST "+p+"/moderation/{id}/reject", form(s.h(s.rejectSubmission)))
	site.Handle("POST "+p+"/moderation/{id}/remove", form(s.h(s.removeMessage)))
	site.Handle("GET "+p+"/moderation/{$}", s.h(s.showModeration))
	site.Handle("POST "+p+"/moderation/remove", form(s.h(s.removeByForm)))

	// Administration, for admins.
	site.Handle("GET "+p+"/admin/{$}", s.h(s.showAdmin))
	site.Handle("POST "+p+"/admin/channels", form(s.h(s.postAdminChannel)))
	site.Handle("POST "+p+"/admin/users", form(s.h(s.postAdminRole)))
	if p != "" {
		site.HandleFunc(p, addSlash) // the prefix itself: its root is p+"/"
	}
	s.site = site
	return site
}

// h adapts a handler that may fail.
func (s *Server) h(fn handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// dispatch resolves the channel from the first path segment after the
// prefix, puts it in the request's visit, and serves the channel routes
// with the rest of the path. A first segment that is not a channel belongs
// to the default channel's routes.
func (s *Server) dispatch(ch *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Work on the escaped path, so that an escaped "/" inside a segment
		// (a dated norloge 01%2F31%2312:00:00) stays inside it.
		rest := strings.TrimPrefix(r.URL.EscapedPath(), s.cfg.Prefix)
		seg, after, hasSlash := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
		slug := model.DefaultSlug
		if seg != "" {
			if _, reserved := reservedSet[strings.ToLower(seg)]; !reserved {
				slug = seg
			}
		}
		c, ok, err := s.channels.get(r.Context(), slug)
		switch {
		case err != nil:
			s.fail(w, r, err)
			return
		case !ok && slug != model.DefaultSlug:
			// Not a channel: the default channel's routes decide (404).
			c, ok, err = s.channels.get(r.Context(), model.DefaultSlug)
			if err != nil || !ok {
				s.fail(w, r, httpError(http.StatusNotFound, i18n.T(langOf(r), "error.unknown_channel")))
				return
			}
			slug = model.DefaultSlug
		}
		if slug != model.DefaultSlug {
			if !hasSlash {
				addSlash(w, r)
				return
			}
			rest = "/" + after
		}
		visitOf(r).channel = c
		u := *r.URL
		u.RawPath = rest
		if u.Path, err = url.PathUnescape(rest); err != nil {
			s.fail(w, r, httpError(http.StatusBadRequest, i18n.T(langOf(r), "error.not_found")))
			return
		}
		r2 := new(http.Request)
		*r2 = *r
		r2.URL = &u
		s.serveMux(ch, w, r2, r)
	})
}

// muxRedirect is the type of the handler a ServeMux returns when the path
// needs a final slash.
var muxRedirect = reflect.TypeOf(http.RedirectHandler("/", http.StatusTemporaryRedirect))

// serveMux serves r, the channel part of orig's path, with mux, rendering
// its "not found" and "method not allowed" answers through fail like every
// other error.
func (s *Server) serveMux(mux *http.ServeMux, w http.ResponseWriter, r, orig *http.Request) {
	h, pattern := mux.Handler(r)
	if reflect.TypeOf(h) == muxRedirect {
		// The mux would add the slash to the shortened path, losing the
		// prefix and the channel: add it to the path the client asked for.
		addSlash(w, orig)
		return
	}
	if pattern != "" {
		// ServeHTTP, not h: it also sets the path values.
		mux.ServeHTTP(w, r)
		return
	}
	// The mux's own 404 or 405: learn which (and the allowed methods).
	probe := &statusProbe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	if allow := s.siteMethods(orig); probe.status == http.StatusNotFound && allow != "" {
		// A site route's path with another method: the catch-all of
		// the channel routes took it, but it is a 405 all the same.
		probe.status = http.StatusMethodNotAllowed
		probe.header.Set("Allow", allow)
	}
	key := "error.not_found"
	if probe.status == http.StatusMethodNotAllowed {
		// Only clients send a method a route does not take (a GET to a
		// post route): answer as their routes do.
		key = "error.method"
		w.Header().Set("Allow", probe.header.Get("Allow"))
		visitOf(r).plain = true
	}
	s.fail(w, r, httpError(probe.status, i18n.T(langOf(r), key)))
}

// siteMethods lists the methods the site routes (login, profile…) take at
// r's path, "" when none does.
func (s *Server) siteMethods(r *http.Request) string {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
		r2 := *r
		r2.Method = m
		h, pattern := s.site.Handler(&r2)
		if pattern != "" && pattern != s.cfg.Prefix+"/" && reflect.TypeOf(h) != muxRedirect {
			allow = append(allow, m)
		}
	}
	return strings.Join(allow, ", ")
}

// statusProbe records the status and headers of a ServeMux error answer.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(code int)        { p.status = code }

var reservedSet = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, s := range model.ReservedSlugs {
		m[s] = struct{}{}
	}
	return m
}()

// addSlash redirects to the request's path with a final slash, keeping the
// query. GET and HEAD are moved permanently; other methods get 307, which
// keeps the method and the body (a post sent to post/xml lands on
// post/xml/).
func addSlash(w http.ResponseWriter, r *http.Request) {
	target := r.URL.EscapedPath() + "/"
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	code := http.StatusMovedPermanently
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		code = http.StatusTemporaryRedirect
	}
	http.Redirect(w, r, target, code)
}

// plain marks the routes of clients and scripts (backends, post routes,
// clock finder, discovery): their errors are plain text whatever the
// Accept header, and a locked tribune answers them 403 rather than sending
// them to the log-in page.
func plain(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		visitOf(r).plain = true
		next.ServeHTTP(w, r)
	})
}

// unlocked refuses anonymous visitors while the tribune is locked. basic
// says whether HTTP Basic credentials count (remote post routes, for
// scripts; not the board's form, which posts as the session's user).
func (s *Server) unlocked(next http.Handler, basic bool) http.Handler {
	if !s.cfg.Locked {
		return next
	}
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		u, err := s.user(r, basic)
		if err != nil {
			return err
		}
		if u == nil {
			if r.Method == http.MethodGet && wantsHTML(r) && !visitOf(r).plain {
				// A browser on a locked board is shown the way in, and back
				// (RequestURI: the path as asked, with its prefix and
				// channel, which dispatch took off r.URL).
				http.Redirect(w, r, s.cfg.Prefix+"/login?next="+url.QueryEscape(r.RequestURI), http.StatusSeeOther)
				return nil
			}
			return httpError(http.StatusForbidden, i18n.T(langOf(r), "error.locked"))
		}
		next.ServeHTTP(w, r)
		return nil
	})
}
