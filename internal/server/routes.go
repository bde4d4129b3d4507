package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/model"
)

// The route table. Channel routes exist twice: at the tribune's root for the
// default channel, and under /{channel}/ for the others (in a mux of their
// own, whose patterns cannot collide with the site's). Each route says
// who it is for, which decides how its errors are answered: a browser's
// page or form (an HTML page when the browser asks for one) or a client's
// read or post (plain text, always: coincoins show the body as is).

// route is one line of the table.
type route struct {
	method, path string // path relative to the prefix (site) or the channel's root (channel)
	kind         kind
	h            handler     // page and read routes
	fh           formHandler // form and post routes
	back         refusal     // a form's way back for a browser when refused; nil: the error page
	public       bool        // served on a locked tribune too
}

// kind is who a route is for.
type kind int

const (
	pageRoute kind = iota // a browser's page
	formRoute             // a browser's form post, checked against cross-origin requests
	readRoute             // a client's read
	postRoute             // a client's post: HTTP Basic credentials count
)

// handler is a handler that may fail; fail renders its error.
type handler func(w http.ResponseWriter, r *http.Request) error

// formHandler handles a form post, read beforehand by the route.
type formHandler func(w http.ResponseWriter, r *http.Request, form url.Values) error

// refusal answers a browser whose form was refused with e (back to the
// form's page, with the error).
type refusal func(w http.ResponseWriter, r *http.Request, form url.Values, e *Error) error

func (s *Server) channelRoutes() []route {
	rs := []route{
		// The web board, its live stream and its own post route.
		{method: "GET", path: "{$}", kind: pageRoute, h: s.showBoard},
		{method: "GET", path: "noscript/{$}", kind: pageRoute, h: s.showBoardNoScript},
		{method: "POST", path: "{$}", kind: formRoute, fh: s.postBoard, back: s.backToBoard(false)},
		{method: "POST", path: "noscript/{$}", kind: formRoute, fh: s.postBoardNoScript, back: s.backToBoard(true)},
		{method: "GET", path: "remote/stream/{$}", kind: readRoute, h: s.stream},

		// Remote backends, for coincoins and scripts.
		{method: "GET", path: "remote/{$}", kind: readRoute, h: s.backend(backend.Plain)},
		{method: "GET", path: "remote/tsv/{$}", kind: readRoute, h: s.backend(backend.TSV)},
		{method: "GET", path: "remote/json/{$}", kind: readRoute, h: s.backend(backend.JSON)},
		{method: "GET", path: "remote/xml/{$}", kind: readRoute, h: s.backend(backend.XML)},
		{method: "GET", path: "crap/remote.xml", kind: readRoute, h: s.backend(backend.CrapXML)},
		{method: "GET", path: "remote/xml/crap/{$}", kind: readRoute, h: s.backend(backend.CrapXML)}, // path of the original's docs
		{method: "GET", path: "clock/{clock}/{$}", kind: readRoute, h: s.clockFinder(backend.JSON)},
		{method: "GET", path: "clock/{clock}/xml/{$}", kind: readRoute, h: s.clockFinder(backend.XML)},
		{method: "GET", path: "discovery.config", kind: readRoute, h: s.discovery, public: true}, // it says the tribune is locked
	}
	// Posting: every format, POST or PUT, urlencoded or multipart.
	for _, m := range []string{"POST", "PUT"} {
		rs = append(rs,
			route{method: m, path: "post/{$}", kind: postRoute, fh: s.postTo(backend.Plain)},
			route{method: m, path: "post/tsv/{$}", kind: postRoute, fh: s.postTo(backend.TSV)},
			route{method: m, path: "post/json/{$}", kind: postRoute, fh: s.postTo(backend.JSON)},
			route{method: m, path: "post/xml/{$}", kind: postRoute, fh: s.postTo(backend.XML)},
			route{method: m, path: "crap/post.xml", kind: postRoute, fh: s.postTo(backend.CrapXML)},
			route{method: m, path: "post/xml/crap/{$}", kind: postRoute, fh: s.postTo(backend.CrapXML)}, // path of the original's docs
		)
	}
	return rs
}

func (s *Server) siteRoutes() []route {
	return []route{
		{method: "GET", path: "/static/{file}", kind: readRoute, h: s.static},
		{method: "GET", path: "/login", kind: pageRoute, h: s.showLogin},
		{method: "POST", path: "/login", kind: formRoute, fh: s.postLogin, back: s.backToForm("login")},
		{method: "POST", path: "/logout", kind: formRoute, fh: s.postLogout},
		{method: "GET", path: "/signup", kind: pageRoute, h: s.showSignup},
		{method: "POST", path: "/signup", kind: formRoute, fh: s.postSignup, back: s.backToForm("signup")},
		{method: "POST", path: "/lang", kind: formRoute, fh: s.postLang},
		{method: "GET", path: "/captcha/{file}", kind: pageRoute, h: s.showCaptcha},
		{method: "GET", path: "/my/messages.json", kind: pageRoute, h: s.myMessagesJSON},
		{method: "GET", path: "/prefs.json", kind: pageRoute, h: s.showPrefs},
		{method: "POST", path: "/prefs", kind: formRoute, fh: s.postPrefs, back: s.backWithFlash("/profile")},
		{method: "POST", path: "/prefs/filters", kind: formRoute, fh: s.postFilters, back: s.backWithFlash("/profile")},
		{method: "GET", path: "/profile", kind: pageRoute, h: s.showProfile},
		{method: "POST", path: "/profile/password", kind: formRoute, fh: s.postPassword, back: s.backWithFlash("/profile")},

		// Moderation, for moderators and admins (session or HTTP Basic).
		{method: "GET", path: "/moderation/pending.json", kind: pageRoute, h: s.pendingJSON},
		{method: "POST", path: "/moderation/{id}/accept", kind: formRoute, fh: s.acceptSubmission},
		{method: "POST", path: "/moderation/{id}/reject", kind: formRoute, fh: s.rejectSubmission},
		{method: "POST", path: "/moderation/{id}/remove", kind: formRoute, fh: s.removeMessage},
		{method: "GET", path: "/moderation/{$}", kind: pageRoute, h: s.showModeration},
		{method: "POST", path: "/moderation/remove", kind: formRoute, fh: s.removeByForm},

		// Administration, for admins.
		{method: "GET", path: "/admin/{$}", kind: pageRoute, h: s.showAdmin},
		{method: "POST", path: "/admin/channels", kind: formRoute, fh: s.postAdminChannel, back: s.backWithFlash("/admin/")},
		{method: "POST", path: "/admin/users", kind: formRoute, fh: s.postAdminRole, back: s.backWithFlash("/admin/")},
	}
}

// routes mounts the table on two muxes: the site's, which holds the
// default channel's routes too, and the other channels'. Each path takes
// the methods of its routes and answers 405 to the others, in plain text
// (only clients send them); a path that needs its final slash is
// redirected to it.
func (s *Server) routes() http.Handler {
	p := s.cfg.Prefix
	site, channels := newTable(s), newTable(s)
	for _, rt := range s.siteRoutes() {
		site.add(p+rt.path, rt.method, s.serve(rt, nil))
	}
	for _, rt := range s.channelRoutes() {
		site.add(p+"/"+rt.path, rt.method, s.serve(rt, s.defaultChannel))
		channels.add(p+"/{channel}/"+rt.path, rt.method, s.serve(rt, s.namedChannel))
	}
	notFound := s.h(func(w http.ResponseWriter, r *http.Request) error {
		visitOf(r).answer = pageOrText(r)
		return httpError(http.StatusNotFound, s.t(r, "error.not_found"))
	})
	site.mount("")
	channels.mount(p + "/{channel}") // served by channelRoot, on the site's mux
	channels.mux.Handle(p+"/{channel}/", notFound)
	site.mux.Handle(p+"/{channel}/", channels.mux)
	site.mux.Handle(p+"/{channel}", s.h(s.channelRoot))
	site.mux.Handle(p+"/", notFound)
	if p != "" {
		site.mux.Handle("/", notFound) // outside the tribune
	}
	return site.mux
}

// table gathers the routes of one mux by path.
type table struct {
	s     *Server
	mux   *http.ServeMux
	paths map[string]map[string]http.Handler // pattern → method → handler
	order []string
}

func newTable(s *Server) *table {
	return &table{s: s, mux: http.NewServeMux(), paths: map[string]map[string]http.Handler{}}
}

func (t *table) add(pattern, method string, h http.Handler) {
	if t.paths[pattern] == nil {
		t.paths[pattern] = map[string]http.Handler{}
		t.order = append(t.order, pattern)
	}
	t.paths[pattern][method] = h
}

// mount registers each path once, for every method, and the path without
// its final slash (but root) as a redirect to it.
func (t *table) mount(root string) {
	for _, pattern := range t.order {
		byMethod := t.paths[pattern]
		if h, ok := byMethod[http.MethodGet]; ok {
			byMethod[http.MethodHead] = h
		}
		allow := make([]string, 0, len(byMethod))
		for m := range byMethod {
			allow = append(allow, m)
		}
		slices.Sort(allow)
		t.mux.Handle(pattern, t.s.methods(byMethod, strings.Join(allow, ", ")))
		if slashless, ok := strings.CutSuffix(pattern, "/{$}"); ok && slashless != root && slashless != "" {
			t.mux.HandleFunc(slashless, addSlash)
		}
	}
}

// methods serves a path by the request's method, 405 for the others.
func (s *Server) methods(byMethod map[string]http.Handler, allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, ok := byMethod[r.Method]; ok {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Allow", allow)
		s.fail(w, r, httpError(http.StatusMethodNotAllowed, s.t(r, "error.method")))
	})
}

// serve runs one route: it decides who asks (and so how errors are
// answered), resolves the channel, checks cross-origin forms and the lock,
// reads the form, and renders what fails, sending a refused browser form
// back to its page.
func (s *Server) serve(rt route, channel func(*http.Request) (model.Channel, error)) http.Handler {
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		v := visitOf(r)
		v.client = rt.kind == readRoute || rt.kind == postRoute
		v.answer = answerText
		if !v.client {
			v.answer = pageOrText(r)
			if rt.kind == formRoute && v.answer == answerText && strings.Contains(r.Header.Get("Accept"), "application/json") {
				v.answer = answerJSON
			}
		}
		if channel != nil {
			c, err := channel(r)
			if err != nil {
				return err
			}
			v.channel = c
		}
		if rt.kind == formRoute {
			if err := s.csrf.Check(r); err != nil {
				return httpError(http.StatusForbidden, s.t(r, "error.cross_origin"))
			}
		}
		if channel != nil && !rt.public {
			if answered, err := s.unlocked(w, r, rt.kind == postRoute); answered || err != nil {
				return err
			}
		}
		if rt.h != nil {
			return rt.h(w, r)
		}
		f, err := s.readForm(w, r)
		if err != nil {
			return err
		}
		err = rt.fh(w, r, f)
		var ref *refused
		if !errors.As(err, &ref) {
			return err
		}
		if e := s.word(r, ref.err); rt.back != nil && v.answer == answerPage && e != nil && e.Status < 500 {
			return rt.back(w, r, f, e)
		}
		return ref.err
	})
}

// pageOrText is how the site's pages answer: a page to browsers, which
// ask for HTML, plain text to scripts.
func pageOrText(r *http.Request) answerKind {
	if strings.Contains(r.Header.Get("Accept"), "text/html") {
		return answerPage
	}
	return answerText
}

// refused marks an error as a refusal of a form's content: a browser then
// goes back to the form's page, with the error, rather than to an error
// page.
type refused struct{ err error }

func (e *refused) Error() string { return e.err.Error() }
func (e *refused) Unwrap() error { return e.err }

func refuse(err error) error {
	if err == nil {
		return nil
	}
	return &refused{err}
}

// defaultChannel resolves the channel of the routes at the root.
func (s *Server) defaultChannel(r *http.Request) (model.Channel, error) {
	c, ok, err := s.board.Channel(r.Context(), model.DefaultSlug)
	if err == nil && !ok {
		err = httpError(http.StatusNotFound, s.t(r, "error.unknown_channel"))
	}
	return c, err
}

// namedChannel resolves the channel of the routes under /{channel}/.
func (s *Server) namedChannel(r *http.Request) (model.Channel, error) {
	c, ok, err := s.board.Channel(r.Context(), r.PathValue("channel"))
	if err == nil && !ok {
		err = httpError(http.StatusNotFound, s.t(r, "error.not_found"))
	}
	return c, err
}

// channelRoot sends /SLUG to /SLUG/ when the channel exists.
func (s *Server) channelRoot(w http.ResponseWriter, r *http.Request) error {
	visitOf(r).answer = pageOrText(r)
	if _, err := s.namedChannel(r); err != nil {
		return err
	}
	addSlash(w, r)
	return nil
}

// unlocked refuses anonymous visitors while the tribune is locked: a
// browser asking for a board page is sent to the log-in page (and back),
// anyone else gets 403. basic says whether HTTP Basic credentials count
// (the remote post routes, for scripts; not the board's form, which posts
// as the session's user).
// answered is true when the browser was sent away.
func (s *Server) unlocked(w http.ResponseWriter, r *http.Request, basic bool) (answered bool, err error) {
	if !s.cfg.Locked {
		return false, nil
	}
	u, err := s.user(r, basic)
	if err != nil || u != nil {
		return false, err
	}
	if r.Method == http.MethodGet && visitOf(r).answer == answerPage {
		// RequestURI: the path as asked, with its prefix and channel.
		http.Redirect(w, r, s.cfg.Prefix+"/login?next="+url.QueryEscape(r.RequestURI), http.StatusSeeOther)
		return true, nil
	}
	return false, httpError(http.StatusForbidden, s.t(r, "error.locked"))
}

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

// reservedExtra are words no channel may take besides the routes' first
// segments: "default" names the default channel on the command line, and
// the others are kept for routes to come.
var reservedExtra = []string{"default", "urls", "stream", "healthz"}

// ReservedSlugs are the words a channel may not be named, whatever their
// case: the first path segment of every route at the tribune's root, since
// a channel named so would be shadowed, and reservedExtra.
var ReservedSlugs = sync.OnceValue(func() []string {
	s := &Server{}
	words := slices.Clone(reservedExtra)
	seen := map[string]bool{}
	paths := []string{}
	for _, rt := range s.siteRoutes() {
		paths = append(paths, rt.path)
	}
	for _, rt := range s.channelRoutes() {
		paths = append(paths, "/"+rt.path)
	}
	for _, p := range paths {
		first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		if first != "" && !strings.HasPrefix(first, "{") && !seen[first] {
			seen[first] = true
			words = append(words, first)
		}
	}
	return words
})
