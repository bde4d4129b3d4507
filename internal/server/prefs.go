package server

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/tribune-go/tribune/internal/bak"
	"github.com/tribune-go/tribune/internal/board"
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

func (s *Server) prefsOf(r *http.Request, sess *board.Session) prefsJSON {
	p := prefsJSON{Name: s.chosenName(r), Refresh: sess.Refresh(), RefreshSecs: sess.RefreshSecs(s.cfg.RefreshShifting / 1000),
		Theme: sess.Theme(), Filters: filtersOut{Active: true, Rules: []bak.Rule{}}}
	if st := sess.Data.Bak; st != nil {
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
func (s *Server) postPrefs(w http.ResponseWriter, r *http.Request, form url.Values) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	var p board.Prefs
	if sess.Data.Prefs != nil {
		p = *sess.Data.Prefs
	}
	if form.Has("refresh") {
		on := form.Get("refresh") == "on" || form.Get("refresh") == "true" || form.Get("refresh") == "1"
		p.Refresh = &on
	}
	if form.Has("refresh_secs") {
		if p.RefreshSecs, err = strconv.Atoi(form.Get("refresh_secs")); err != nil {
			return refuse(board.ErrBadInterval)
		}
		if p.RefreshSecs == 0 {
			return refuse(board.ErrBadInterval) // 0 would mean the site's
		}
	}
	if form.Has("theme") {
		p.Theme = form.Get("theme")
	}
	err = s.board.SavePrefs(r.Context(), sess, p)
	s.sendToken(w, r, sess)
	if err != nil {
		return refuse(err)
	}
	return s.prefsDone(w, r, form, sess, s.t(r, "prefs.saved"))
}

// postFilters edits the BaK filters without typing commands: op is add,
// remove, on, off, reset, save or load, with target, kind and pattern for
// add and remove. The rules and the notices are those of /bak; what the
// form got wrong is said in the form's terms.
func (s *Server) postFilters(w http.ResponseWriter, r *http.Request, form url.Values) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	rule := bak.Rule{Target: form.Get("target"), Kind: form.Get("kind"), Pattern: form.Get("pattern")}
	notice, eff, err := s.board.EditFilters(r.Context(), sess, langOf(r), form.Get("op"), rule)
	if err == nil {
		err = s.apply(w, r, sess, eff)
	}
	if err != nil {
		return refuse(err)
	}
	return s.prefsDone(w, r, form, sess, notice)
}

// prefsDone answers a preferences form: the new state for board.js, the
// page again for a form.
func (s *Server) prefsDone(w http.ResponseWriter, r *http.Request, form url.Values, sess *board.Session, notice string) error {
	if visitOf(r).answer == answerJSON {
		out := struct {
			prefsJSON
			Notice string `json:"notice"`
		}{s.prefsOf(r, sess), notice}
		return writeJSON(w, r, http.StatusOK, out)
	}
	return s.doneWithFlash(w, r, s.localNext(form), notice)
}
