package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/i18n"
)

// Preferences of the web board (live refresh and its interval, theme) and
// the BaK filters as a list. They live in the session, and for registered
// users also in their profile, so they follow them to other browsers.

type prefsJSON struct {
	Name        string     `json:"name"` // the name chosen with /name
	Refresh     bool       `json:"refresh"`
	RefreshSecs int        `json:"refresh_secs"`
	Theme       string     `json:"theme"`
	Filters     filtersOut `json:"filters"`
}

type filtersOut struct {
	Active bool       `json:"active"`
	Rules  []bak.Rule `json:"rules"`
}

func (s *Server) prefsOf(r *http.Request, sess *session) prefsJSON {
	p := prefsJSON{Name: s.chosenName(r), Refresh: sess.refresh(), RefreshSecs: sess.refreshSecs(s.cfg.RefreshShifting / 1000),
		Filters: filtersOut{Active: true, Rules: []bak.Rule{}}}
	if sess.data.Prefs != nil {
		p.Theme = sess.data.Prefs.Theme
	}
	if st := sess.data.Bak; st != nil {
		p.Filters.Active = st.Active
		if st.Rules != nil {
			p.Filters.Rules = st.Rules
		}
	}
	return p
}

// showPrefs answers the viewer's preferences and filters as JSON.
func (s *Server) showPrefs(w http.ResponseWriter, r *http.Request) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, s.prefsOf(r, sess))
}

// postPrefs stores preferences: refresh (on/off), refresh_secs and theme
// (light, dark, or empty to follow the system); absent fields are kept.
func (s *Server) postPrefs(w http.ResponseWriter, r *http.Request) error {
	form, sess, err := s.formAndSession(w, r)
	if err != nil {
		return err
	}
	lang := langOf(r)
	p := prefs{}
	if sess.data.Prefs != nil {
		p = *sess.data.Prefs
	}
	if form.Has("refresh") {
		on := form.Get("refresh") == "on" || form.Get("refresh") == "true" || form.Get("refresh") == "1"
		p.Refresh = &on
	}
	if form.Has("refresh_secs") {
		n, err := strconv.Atoi(form.Get("refresh_secs"))
		if err != nil || n < 2 || n > 600 {
			return s.backWithError(w, r, form, httpError(http.StatusBadRequest, i18n.T(lang, "prefs.bad_interval")))
		}
		p.RefreshSecs = n
	}
	if form.Has("theme") {
		switch t := form.Get("theme"); t {
		case "", "light", "dark":
			p.Theme = t
		default:
			return s.backWithError(w, r, form, httpError(http.StatusBadRequest, i18n.T(lang, "prefs.bad_theme")))
		}
	}
	sess.data.Prefs = &p
	if err := s.saveSession(w, r, sess); err != nil {
		return err
	}
	if sess.user != nil {
		b, _ := json.Marshal(p)
		if err := s.st.SetUserPrefs(r.Context(), sess.user.ID, b); err != nil {
			return err
		}
	}
	return s.prefsDone(w, r, form, sess, i18n.T(lang, "prefs.saved"))
}

// postFilters edits the BaK filters without typing commands: op is add,
// remove, on, off, reset, save or load, with target, kind and pattern for
// add and remove. It runs the /bak command, so the rules and the notices
// are the same; what the form got wrong is said in the form's terms.
func (s *Server) postFilters(w http.ResponseWriter, r *http.Request) error {
	form, sess, err := s.formAndSession(w, r)
	if err != nil {
		return err
	}
	lang := langOf(r)
	refuse := func(key string) error {
		return s.backWithError(w, r, form, httpError(http.StatusBadRequest, i18n.T(lang, key)))
	}
	op := form.Get("op")
	cmd := "/bak " + op
	switch op {
	case "add", "remove":
		// One line: a pattern cannot hold a line break.
		pattern := strings.Join(strings.Fields(form.Get("pattern")), " ")
		target, kind := form.Get("target"), form.Get("kind")
		switch {
		case !bak.ValidTarget(target):
			return refuse("filter.bad_target")
		case !bak.ValidKind(kind):
			return refuse("filter.bad_kind")
		case pattern == "":
			return refuse("filter.need_pattern")
		}
		verb := map[string]string{"add": "set", "remove": "remove"}[op]
		cmd = "/bak " + verb + " " + target + " " + kind + " " + pattern
	case "on", "off", "reset", "save", "load":
	default:
		return refuse("filter.bad_op")
	}
	_, notice, err := s.runCommand(w, r, cmd, sess.user, sess)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Msg = strings.TrimPrefix(e.Msg, "* content: ")
		}
		return s.backWithError(w, r, form, err)
	}
	return s.prefsDone(w, r, form, sess, notice)
}

// prefsDone answers a preferences form: the new state for board.js, the
// page again for a form.
func (s *Server) prefsDone(w http.ResponseWriter, r *http.Request, form map[string][]string, sess *session, notice string) error {
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		out := struct {
			prefsJSON
			Notice string `json:"notice"`
		}{s.prefsOf(r, sess), notice}
		return writeJSON(w, r, http.StatusOK, out)
	}
	s.setFlash(w, notice)
	http.Redirect(w, r, s.localNext(form), http.StatusSeeOther)
	return nil
}
