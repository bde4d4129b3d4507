package server

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
)

// The web board: one page per channel, rendered on the server so that it
// works without JavaScript, and made live by board.js (server-sent events,
// posting without reloading, norloge highlighting).

// boardMessage is a message as the board template shows it.
type boardMessage struct {
	ID         int64
	Created    string // YYYYMMDDhhmmss
	Clock      string // HH:MM:SS
	Index      int
	Sup        string // superscript index when several messages share the second
	ClockClass string
	DateTime   string // ISO 8601 for <time datetime>
	Owned      bool
	Login      string
	Info       string // full identity, for the mouse-over
	Shown      string // identity as shown: the login, or the first 30 characters
	Web        template.HTML
}

// boardPending is one of the viewer's messages waiting for a moderator.
type boardPending struct {
	ID   int64
	Web  template.HTML
	Info string
}

type boardData struct {
	Messages []boardMessage
	Pending  []boardPending
	LastID   int64
	Config   string // JSON for board.js, in a data attribute
	NoScript bool
	Captcha  string // captcha id when the viewer must solve one
	Content  string // the message typed, kept after an error
	Action   string // where the form posts
	Refresh  bool
}

// boardConfig is what board.js needs, passed as JSON.
type boardConfig struct {
	Channel     string            `json:"channel"`
	StreamURL   string            `json:"streamURL"`
	BackendURL  string            `json:"backendURL"`
	PostURL     string            `json:"postURL"`
	ClockURL    string            `json:"clockURL"`
	PrefsURL    string            `json:"prefsURL"`
	RemoveURL   string            `json:"removeURL"` // moderators: + ID + "/remove"
	CaptchaURL  string            `json:"captchaURL"`
	Login       string            `json:"login"`
	Name        string            `json:"name"`
	Moderator   bool              `json:"moderator"`
	Refresh     bool              `json:"refresh"`
	RefreshSecs int               `json:"refreshSecs"`
	Limit       int               `json:"limit"`
	LastID      int64             `json:"lastID"`
	MaxLength   int               `json:"maxLength"`
	Strings     map[string]string `json:"strings"`
}

// jsStrings are the catalogue keys board.js uses.
var jsStrings = []string{
	"board.pending", "board.rejected", "board.rejected_because", "board.insert_clock", "board.other_tribune",
	"board.not_found", "board.refresh_error", "board.live", "board.polling", "board.paused", "board.filters",
	"board.filter_remove", "board.no_filters", "board.owned", "board.answer", "board.hail", "board.accepted",
	"board.removed", "board.theme_light", "board.theme_dark", "board.theme_auto", "error.internal", "board.network_error",
	"board.theme", "board.empty", "board.filters_active", "board.filter_add", "board.filter_target", "board.filter_kind",
	"board.filter_pattern", "board.filter_ua", "board.filter_author", "board.filter_message", "board.kind_contains",
	"board.kind_icontains", "board.kind_exact", "board.kind_iexact", "board.kind_startswith", "board.kind_endswith",
	"board.filters_reset", "board.filters_save", "board.filters_load", "board.refresh_secs", "board.save",
	"board.remove", "board.remove_title", "board.remove_confirm",
	"board.theme_current", "board.theme_name_auto", "board.theme_name_light", "board.theme_name_dark",
	"board.refresh_every", "board.seconds",
}

func (s *Server) showBoard(w http.ResponseWriter, r *http.Request) error {
	return s.boardPage(w, r, http.StatusOK, false, "", "")
}

func (s *Server) showBoardNoScript(w http.ResponseWriter, r *http.Request) error {
	return s.boardPage(w, r, http.StatusOK, true, "", "")
}

// boardPage renders the board; errMsg and content come back after a
// refused no-JavaScript post.
func (s *Server) boardPage(w http.ResponseWriter, r *http.Request, status int, noScript bool, errMsg, content string) error {
	c := visitOf(r).channel
	p, err := s.newPage(r, "board", s.title())
	if err != nil {
		return err
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	// The live stream opens before any post: give the viewer its session
	// token now, so the stream knows which messages are its own.
	s.ensureToken(w, sess)
	limit := s.cfg.DefaultLimit
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
		limit = min(n, s.cfg.MaxLimit)
	}
	ms, _, err := s.hub.List(r.Context(), c.ID, 0, limit, sess.hideFilter())
	if err != nil {
		return err
	}
	d := &boardData{NoScript: noScript, Content: content, Action: s.channelPath(c), Refresh: sess.refresh()}
	for i := len(ms) - 1; i >= 0; i-- {
		d.Messages = append(d.Messages, s.boardMessage(&ms[i], sess))
	}
	if len(ms) > 0 {
		d.LastID = ms[0].ID
	}
	var uid int64
	if sess.user != nil {
		uid = sess.user.ID
	}
	pending, err := s.st.PendingOf(r.Context(), c.ID, uid, sess.id)
	if err != nil {
		return err
	}
	for _, sub := range pending {
		d.Pending = append(d.Pending, boardPending{ID: sub.ID, Web: template.HTML(sub.Web), Info: sub.Info})
	}
	if s.cfg.Captcha && sess.user == nil {
		if d.Captcha, err = s.newCaptcha(r); err != nil {
			return err
		}
	}
	d.Config = s.boardConfigJSON(r, c, sess, d, limit)
	p.Data = d
	p.Error = errMsg
	if p.Notice, err = s.takeFlash(w, r); err != nil {
		return err
	}
	return s.render(w, r, status, p)
}

func (s *Server) boardMessage(m *model.Message, sess *session) boardMessage {
	loc := s.cfg.Location
	created := m.Created.In(loc)
	bm := boardMessage{
		ID: m.ID, Created: string(backend.Stamp(nil, m.Created, loc)), Clock: string(backend.Clock(nil, m.Created, loc)),
		Index: m.ClockIndex, ClockClass: string(backend.ClockClass(nil, m, loc)), DateTime: created.Format(time.RFC3339),
		Owned: sess.owned(m), Login: m.Login, Info: m.Info, Shown: m.Login, Web: template.HTML(m.Web),
	}
	if m.ClockIndex > 1 {
		bm.Sup = markup.Superscript(m.ClockIndex)
	}
	if bm.Shown == "" {
		bm.Shown = cut(m.Info, 30)
	}
	return bm
}

func (s *Server) boardConfigJSON(r *http.Request, c model.Channel, sess *session, d *boardData, limit int) string {
	root := s.channelPath(c)
	cfg := boardConfig{
		Channel: c.Slug, StreamURL: root + "remote/stream/", BackendURL: root + "remote/json/", PostURL: root,
		ClockURL: root + "clock/", PrefsURL: s.cfg.Prefix + "/prefs", CaptchaURL: s.cfg.Prefix + "/captcha/",
		Name: s.chosenName(r), Refresh: d.Refresh, RefreshSecs: sess.refreshSecs(s.cfg.RefreshShifting / 1000),
		Limit: limit, LastID: d.LastID, MaxLength: s.cfg.PostMaxLength, Strings: map[string]string{},
	}
	if sess.user != nil {
		cfg.Login = sess.user.Username
		cfg.Moderator = sess.user.Role.CanModerate()
		if cfg.Moderator {
			cfg.RemoveURL = s.cfg.Prefix + "/moderation/"
		}
	}
	lang := langOf(r)
	for _, k := range jsStrings {
		cfg.Strings[k] = i18n.T(lang, k)
	}
	b, _ := json.Marshal(cfg)
	return string(b)
}

// refresh tells whether the viewer keeps the board refreshing live.
func (sess *session) refresh() bool {
	return sess.data.Prefs == nil || sess.data.Prefs.Refresh == nil || *sess.data.Prefs.Refresh
}

// refreshSecs is the viewer's polling interval, def when unset.
func (sess *session) refreshSecs(def int) int {
	if sess.data.Prefs != nil && sess.data.Prefs.RefreshSecs > 0 {
		return sess.data.Prefs.RefreshSecs
	}
	return def
}

// flashCookie carries a notice across the redirect after a no-JavaScript
// post.
const flashCookie = "tribune_flash"

func (s *Server) setFlash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: s.cookiePath(), MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) (string, error) {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return "", nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: s.cookiePath(), MaxAge: -1})
	msg, err := url.QueryUnescape(c.Value)
	if err != nil {
		return "", nil
	}
	return cut(markup.Sanitize(msg), 300), nil
}
