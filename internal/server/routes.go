package server

import (
	"errors"
	"maps"
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
	tokens       bool        // takes access tokens (tokens.go): the clients' routes, the moderation API
}

// kind is who a route is for.
type kind int

const (
	kindPage kind = iota // a browser's page
	kindForm             // a browser's form post, checked against cross-origin requests
	kindRead             // a client's read
	kindPost             // a client's post: HTTP Basic credentials count
)

// The table's lines: a pattern "METHOD path" (GET takes HEAD too), the
// handler, and for a form the way back of a refused browser.
func pageAt(pattern string, h handler) route      { return newRoute(pattern, kindPage, h, nil, nil) }
func readAt(pattern string, h handler) route      { return newRoute(pattern, kindRead, h, nil, nil) }
func postAt(pattern string, fh formHandler) route { return newRoute(pattern, kindPost, nil, fh, nil) }
func formAt(pattern string, fh formHandler, back ...refusal) route {
	var b refusal
	if len(back) > 0 {
		b = back[0]
	}
	return newRoute(pattern, kindForm, nil, fh, b)
}

func newRoute(pattern string, k kind, h handler, fh formHandler, back refusal) route {
	method, path, _ := strings.Cut(pattern, " ")
	return route{method: method, path: path, kind: k, h: h, fh: fh, back: back, tokens: k == kindRead || k == kindPost}
}

// public marks a channel route served on a locked tribune too.
func public(rt route) route {
	rt.public = true
	return rt
}

// withTokens marks a site route that takes access tokens.
func withTokens(rt route) route {
	rt.tokens = true
	return rt
}

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
		pageAt("GET {$}", s.showBoard),
		pageAt("GET noscript/{$}", s.showBoardNoScript),
		formAt("POST {$}", s.postBoard),
		formAt("POST noscript/{$}", s.postBoardNoScript),
		readAt("GET remote/stream/{$}", s.stream),

		// Remote backends, for coincoins and scripts.
		readAt("GET remote/{$}", s.backend(backend.Plain)),
		readAt("GET remote/tsv/{$}", s.backend(backend.TSV)),
		readAt("GET remote/json/{$}", s.backend(backend.JSON)),
		readAt("GET remote/xml/{$}", s.backend(backend.XML)),
		readAt("GET crap/remote.xml", s.backend(backend.CrapXML)),
		readAt("GET remote/xml/crap/{$}", s.backend(backend.CrapXML)), // path of the original's docs
		readAt("GET clock/{clock}/{$}", s.clockFinder(backend.JSON)),
		readAt("GET clock/{clock}/xml/{$}", s.clockFinder(backend.XML)),
		public(readAt("GET discovery.config", s.discovery)), // it says the tribune is locked

		// History: full-text search and the URL archive (search.go).
		pageAt("GET search/{$}", s.showSearch(false)),
		readAt("GET search/json/{$}", s.searchJSON(false)),
		pageAt("GET urls/{$}", s.showURLs(false)),
		readAt("GET urls/json/{$}", s.urlsJSON(false)),
		// History: archives by day, permalinks (history.go, archives.go).
		pageAt("GET archives/{$}", s.showArchives),
		pageAt("GET archives/{day}/{$}", s.showDay),
		readAt("GET archives/{day}/json/{$}", s.dayData(backend.JSON)),
		readAt("GET archives/{day}/xml/{$}", s.dayData(backend.XML)),
		readAt("GET archives/{day}/tsv/{$}", s.dayData(backend.TSV)),
		pageAt("GET message/{id}/{$}", s.showMessage),
		readAt("GET message/{id}/json/{$}", s.messageJSON),
	}
	// Posting: every format, POST or PUT, urlencoded or multipart.
	for _, m := range []string{"POST", "PUT"} {
		rs = append(rs,
			postAt(m+" post/{$}", s.postTo(backend.Plain)),
			postAt(m+" post/tsv/{$}", s.postTo(backend.TSV)),
			postAt(m+" post/json/{$}", s.postTo(backend.JSON)),
			postAt(m+" post/xml/{$}", s.postTo(backend.XML)),
			postAt(m+" crap/post.xml", s.postTo(backend.CrapXML)),
			postAt(m+" post/xml/crap/{$}", s.postTo(backend.CrapXML)), // path of the original's docs
		)
	}
	return rs
}

func (s *Server) siteRoutes() []route {
	return []route{
		readAt("GET /static/{file}", s.static),
		pageAt("GET /login", s.showLogin),
		formAt("POST /login", s.postLogin, s.backToForm("login")),
		formAt("POST /logout", s.postLogout),
		pageAt("GET /signup", s.showSignup),
		formAt("POST /signup", s.postSignup, s.backToForm("signup")),
		formAt("POST /lang", s.postLang),
		pageAt("GET /captcha/{file}", s.showCaptcha),
		withTokens(pageAt("GET /my/messages.json", s.myMessagesJSON)),
		pageAt("GET /prefs.json", s.showPrefs),
		formAt("POST /prefs", s.postPrefs, s.backWithFlash("/profile")),
		formAt("POST /prefs/filters", s.postFilters, s.backWithFlash("/profile")),
		pageAt("GET /profile", s.showProfile),
		pageAt("GET /multi/{$}", s.showMulti),
		formAt("POST /multi/{$}", s.postMulti),
		pageAt("GET /multi/stream/{$}", s.multiStream),
		pageAt("GET /totoz/search", s.searchTotoz),
		formAt("POST /profile/password", s.postPassword, s.backWithFlash("/profile")),
		formAt("POST /profile/tokens", s.postToken, s.backWithFlash("/profile")),
		formAt("POST /profile/tokens/{id}/revoke", s.revokeToken, s.backWithFlash("/profile")),

		// History across every channel (search.go); they check the lock
		// themselves.
		pageAt("GET /all/search/{$}", s.showSearch(true)),
		readAt("GET /all/search/json/{$}", s.searchJSON(true)),
		pageAt("GET /all/urls/{$}", s.showURLs(true)),
		readAt("GET /all/urls/json/{$}", s.urlsJSON(true)),

		// Moderation, for moderators and admins (session, HTTP Basic, or
		// an access token of the moderate scope on the API).
		withTokens(pageAt("GET /moderation/pending.json", s.pendingJSON)),
		withTokens(formAt("POST /moderation/{id}/accept", s.acceptSubmission)),
		withTokens(formAt("POST /moderation/{id}/reject", s.rejectSubmission)),
		withTokens(formAt("POST /moderation/{id}/remove", s.removeMessage)),
		pageAt("GET /moderation/{$}", s.showModeration),
		formAt("POST /moderation/remove", s.removeByForm),
		withTokens(formAt("POST /moderation/batch", s.decideBatch)),

		// Administration, for admins.
		pageAt("GET /admin/{$}", s.showAdmin),
		formAt("POST /admin/channels", s.postAdminChannel, s.backWithFlash("/admin/")),
		formAt("POST /admin/users", s.postAdminRole, s.backWithFlash("/admin/")),
	}
}

// routes mounts the table on two muxes: the site's, which holds the
// default channel's routes too, and the other channels'. Each path takes
// the methods of its routes and answers 405 to the others, in plain text
// (only clients send them). A client's route is served without its final
// slash too; a page's path without it is redirected to it.
func (s *Server) routes() http.Handler {
	p := s.cfg.Prefix
	site, channels := newTable(s), newTable(s)
	for _, rt := range s.siteRoutes() {
		site.add(p+rt.path, rt, s.serve(rt, nil))
	}
	for _, rt := range s.channelRoutes() {
		site.add(p+"/"+rt.path, rt, s.serve(rt, s.defaultChannel))
		channels.add(p+"/{channel}/"+rt.path, rt, s.serve(rt, s.namedChannel))
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
	s      *Server
	mux    *http.ServeMux
	paths  map[string]map[string]http.Handler // pattern → method → handler
	client map[string]map[string]bool         // pattern → method → a client's route
	order  []string
}

func newTable(s *Server) *table {
	return &table{s: s, mux: http.NewServeMux(), paths: map[string]map[string]http.Handler{},
		client: map[string]map[string]bool{}}
}

func (t *table) add(pattern string, rt route, h http.Handler) {
	if t.paths[pattern] == nil {
		t.paths[pattern] = map[string]http.Handler{}
		t.client[pattern] = map[string]bool{}
		t.order = append(t.order, pattern)
	}
	t.paths[pattern][rt.method] = h
	t.client[pattern][rt.method] = rt.kind == kindRead || rt.kind == kindPost
}

// mount registers each path once, for every method, and the path without
// its final slash (but root) for the same methods: clients' routes answer
// there as at the path itself, since clients do not follow redirects
// (quteqoin and olcc's post.php take a 307 for a success, and the message
// is lost); pages redirect to the path with the slash.
func (t *table) mount(root string) {
	for _, pattern := range t.order {
		byMethod := t.paths[pattern]
		if h, ok := byMethod[http.MethodGet]; ok {
			byMethod[http.MethodHead] = h
			t.client[pattern][http.MethodHead] = t.client[pattern][http.MethodGet]
		}
		if slices.Contains(slices.Collect(maps.Values(t.client[pattern])), true) { // a client's route: browsers preflight it
			byMethod[http.MethodOptions] = preflight
			t.client[pattern][http.MethodOptions] = true
		}
		allow := make([]string, 0, len(byMethod))
		for m := range byMethod {
			allow = append(allow, m)
		}
		slices.Sort(allow)
		t.mux.Handle(pattern, t.s.methods(byMethod, strings.Join(allow, ", ")))
		if slashless, ok := strings.CutSuffix(pattern, "/{$}"); ok && slashless != root && slashless != "" {
			without := map[string]http.Handler{}
			for m, h := range byMethod {
				without[m] = http.HandlerFunc(addSlash)
				if t.client[pattern][m] {
					without[m] = h
				}
			}
			t.mux.Handle(slashless, t.s.methods(without, strings.Join(allow, ", ")))
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
// answered), resolves the channel, checks cross-origin forms, reads the
// form, checks the access token and the lock, and renders what fails,
// sending a refused browser form back to its page.
func (s *Server) serve(rt route, channel func(*http.Request) (model.Channel, error)) http.Handler {
	return s.h(func(w http.ResponseWriter, r *http.Request) error {
		v := visitOf(r)
		v.client = rt.kind == kindRead || rt.kind == kindPost
		v.answer = answerText
		if !v.client {
			v.answer = pageOrText(r)
			if rt.kind == kindForm && v.answer == answerText && strings.Contains(r.Header.Get("Accept"), "application/json") {
				v.answer = answerJSON
			}
		}
		if v.client {
			clientCORS(w.Header())
		}
		if channel != nil {
			c, err := channel(r)
			if err != nil {
				return err
			}
			v.channel = c
		}
		if rt.kind == kindForm {
			if err := s.csrf.Check(r); err != nil {
				return httpError(http.StatusForbidden, s.t(r, "error.cross_origin"))
			}
		}
		if rt.kind == kindPost {
			// Browser-hosted coincoins post from other sites, so these
			// routes take cross-origin posts, but as from a client
			// without cookies: another site's page must not act on its
			// visitor's session, account or name.
			v.foreign = s.crossOrigin(r)
		}
		var f url.Values
		if rt.fh != nil {
			// Read before the lock: an access token may come in the body.
			var err error
			if f, err = s.readForm(w, r); err != nil {
				return err
			}
		}
		if err := s.takeToken(r, rt, f); err != nil {
			return err
		}
		if channel != nil && !rt.public {
			if answered, err := s.unlocked(w, r, rt.kind == kindPost); answered || err != nil {
				return err
			}
		}
		if rt.h != nil {
			return rt.h(w, r)
		}
		if rt.kind == kindForm && v.answer == answerText && f.Has("next") {
			v.answer = answerPage // the site's own forms say where to go next
		}
		err := rt.fh(w, r, f)
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

// Browser-hosted coincoins read and post from other sites (docs/protocol.md):
// the clients' routes let any origin read their answers, without
// credentials (no Access-Control-Allow-Credentials: a browser sends no
// cookie on such a request, and another site cannot read what a cookie
// would have shown), and a preflight lets them send the headers a client
// needs, an access token in Authorization among them — a token the page
// was given by its user, never one the browser adds on its own.
var (
	anyOrigin      = []string{"*"}
	exposedHeaders = []string{"Last-Modified, ETag, X-Post-Id, X-Request-Id, Link, X-More-After"}
)

// clientCORS marks a client's answer as readable by any origin.
func clientCORS(h http.Header) {
	h["Access-Control-Allow-Origin"] = anyOrigin // shared, never appended to
	h["Access-Control-Expose-Headers"] = exposedHeaders
}

// preflight answers a browser's CORS preflight (OPTIONS) on a client's
// route.
var preflight = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	clientCORS(h)
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Modified-Since, If-None-Match, Last-Event-ID, X-Request-Id")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
})

// crossOrigin tells whether a browser sent r for another site or origin:
// its Sec-Fetch-Site is neither same-origin nor none (typed by the user),
// or its Origin is not the tribune's own. Coincoins and scripts send
// neither header.
func (s *Server) crossOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return true
	}
	origin := r.Header.Get("Origin")
	return origin != "" && !sameOrigin(origin, s.siteURL(r))
}

// sameOrigin compares the scheme and host of two URLs, default ports
// aside. "null" (a sandboxed or local page) is no site's origin.
func sameOrigin(a, b string) bool {
	ua, err := url.Parse(a)
	if err != nil || ua.Host == "" {
		return false
	}
	ub, err := url.Parse(b)
	if err != nil || ub.Host == "" {
		return false
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && originHost(ua) == originHost(ub)
}

// originHost is u's host in lower case, without the scheme's default port.
func originHost(u *url.URL) string {
	h := strings.ToLower(u.Host)
	switch strings.ToLower(u.Scheme) {
	case "http":
		h = strings.TrimSuffix(h, ":80")
	case "https":
		h = strings.TrimSuffix(h, ":443")
	}
	return h
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

// addSlash redirects a page's path to the path with a final slash, keeping
// the query. GET and HEAD are moved permanently; other methods get 307,
// which keeps the method and the body.
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
// segments: "default" names the default channel on the command line;
// healthz, readyz and metrics are served at the site's root by the
// command (outside the prefix: with none, a channel would shadow them);
// the others are kept for routes to come.
var reservedExtra = []string{"default", "urls", "stream", "healthz", "readyz", "metrics"}

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
