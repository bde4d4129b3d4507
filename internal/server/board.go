package server

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
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

// boardPending is one of the viewer's messages waiting for a moderator, or
// lately rejected by one.
type boardPending struct {
	ID       int64
	Web      template.HTML
	Login    string
	Info     string // full identity, for the mouse-over
	Shown    string // identity as shown, as for messages
	Rejected bool
	Status   string // what became of it, in the viewer's language
}

// How long the viewer's rejected messages stay on its board to tell it
// their fate, and how many of its own submissions the board shows at most.
const (
	rejectedShownFor = 24 * time.Hour
	ownShownMax      = 20
)

type boardData struct {
	Messages []boardMessage
	Pending  []boardPending
	LastID   int64
	Config   string // JSON for board.js, in a data attribute
	NoScript bool
	Captcha  string // captcha id when the viewer must solve one
	Content  string // the message typed, kept after an error
	Board    string // the channel's board
	Action   string // where the form posts: the board, or its no-script page
	Refresh  bool
	Theme    string // the theme control's label
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
	"board.filter_remove", "board.no_filters", "board.owned", "board.answer", "board.hail", "error.internal",
	"board.network_error", "board.theme_current", "board.theme_name_auto", "board.theme_name_light",
	"board.theme_name_dark", "board.filters_active", "board.filter_add", "board.filter_target", "board.filter_kind",
	"board.filter_pattern", "board.filter_ua", "board.filter_author", "board.filter_message", "board.kind_contains",
	"board.kind_icontains", "board.kind_exact", "board.kind_iexact", "board.kind_startswith", "board.kind_endswith",
	"board.filters_reset", "board.filters_save", "board.filters_load", "board.refresh_secs", "board.remove_title",
	"board.remove_confirm", "board.refresh_every", "board.seconds",
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
	lang := langOf(r)
	d := &boardData{NoScript: noScript, Content: content, Board: s.channelPath(c), Refresh: sess.refresh(),
		Theme: themeLabel(lang, p.Theme)}
	d.Action = d.Board
	if noScript {
		d.Action += "noscript/"
	}
	for i := len(ms) - 1; i >= 0; i-- {
		d.Messages = append(d.Messages, s.boardMessage(&ms[i], sess))
	}
	firstSuperscripts(d.Messages)
	if len(ms) > 0 {
		d.LastID = ms[0].ID
	}
	var uid int64
	if sess.user != nil {
		uid = sess.user.ID
	}
	own, err := s.st.OwnOnBoard(r.Context(), c.ID, uid, sess.id, time.Now().Add(-rejectedShownFor), ownShownMax)
	if err != nil {
		return err
	}
	for _, sub := range own {
		d.Pending = append(d.Pending, boardSubmission(lang, sub))
	}
	if s.cfg.Captcha && sess.user == nil {
		d.Captcha = newCaptchaID()
	}
	d.Config = s.boardConfigJSON(r, c, sess, d, limit)
	p.Data = d
	s.showFlash(w, r, p)
	if errMsg != "" {
		p.Error = errMsg
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

// firstSuperscripts gives the first message of a second its ¹ when another
// message of the list shares that second, as the others have theirs.
func firstSuperscripts(ms []boardMessage) {
	perSecond := map[string]int{}
	for _, m := range ms {
		perSecond[m.Created]++
	}
	for i := range ms {
		if ms[i].Sup == "" && perSecond[ms[i].Created] > 1 {
			ms[i].Sup = markup.Superscript(ms[i].Index)
		}
	}
}

// boardSubmission is one of the viewer's own submissions as the board shows
// it: with the identity rules of messages, and the fate of a rejected one.
func boardSubmission(lang i18n.Lang, sub model.Submission) boardPending {
	bp := boardPending{ID: sub.ID, Web: template.HTML(sub.Web), Login: sub.Login, Info: sub.Info, Shown: sub.Login,
		Status: i18n.T(lang, "board.pending")}
	if bp.Shown == "" {
		bp.Shown = cut(sub.Info, 30)
	}
	if sub.Status == model.StatusRejected {
		bp.Rejected, bp.Status = true, i18n.T(lang, "board.rejected")
		if sub.Reason != "" {
			bp.Status = i18n.T(lang, "board.rejected_because", sub.Reason)
		}
	}
	return bp
}

// themeLabel names the theme control by the theme in use.
func themeLabel(lang i18n.Lang, theme string) string {
	name := "board.theme_name_auto"
	if theme == "light" || theme == "dark" {
		name = "board.theme_name_" + theme
	}
	return i18n.T(lang, "board.theme_current", i18n.T(lang, name))
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

// flashCookie carries a message across the redirect after a form post,
// with its kind in front: a notice or an error.
const (
	flashCookie = "tribune_flash"
	flashNotice = "notice:"
	flashError  = "error:"
)

// setFlash shows msg as a notice on the next page.
func (s *Server) setFlash(w http.ResponseWriter, msg string) { s.writeFlash(w, flashNotice+msg) }

// setErrorFlash shows msg as an error on the next page.
func (s *Server) setErrorFlash(w http.ResponseWriter, msg string) { s.writeFlash(w, flashError+msg) }

func (s *Server) writeFlash(w http.ResponseWriter, v string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(v), Path: s.cookiePath(), MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secureCookies()})
}

// showFlash moves the message left by the previous post, if any, into the
// page: an error as p.Error, a notice as p.Notice. It is shown once.
func (s *Server) showFlash(w http.ResponseWriter, r *http.Request, p *page) {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: s.cookiePath(), MaxAge: -1})
	v, err := url.QueryUnescape(c.Value)
	if err != nil {
		return
	}
	if msg, ok := strings.CutPrefix(v, flashError); ok {
		p.Error = cut(markup.Sanitize(msg), 300)
	} else if msg, ok := strings.CutPrefix(v, flashNotice); ok {
		p.Notice = cut(markup.Sanitize(msg), 300)
	}
}
