package server

import (
	"encoding/json"
	"html/template"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/board"
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
	Shared     bool   // another message of the channel has this second, seen or hidden
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
	Scripts  []string
	// History (history.go): a page back in time shows the messages before
	// Before; Older is the id to go on before, 0 when none are left.
	Before, Older int64
	MessagePath   string // message/ root of the channel, for permalinks
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
	TotozURL    string            `json:"totozURL"`                 // the totoz server's image address, {name} for the name; "" for none
	TotozSearch string            `json:"totozSearchURL,omitempty"` // the palette's search (totoz.go); none: recent totoz only
	Strings     map[string]string `json:"strings"`
}

// boardScripts are the board's modules, in the order they run: board.js
// first, then those that hook into it (each feature in a file of its own).
var boardScripts = []string{"board.js", "rowmenu.js", "history.js", "totoz.js", "format.js", "alerts.js"}

// jsStrings are the catalogue keys the board's scripts use.
var jsStrings = []string{
	"board.pending", "board.rejected", "board.rejected_because", "board.insert_clock", "board.other_tribune",
	"board.not_found", "board.refresh_error", "board.live", "board.polling", "board.paused", "board.filters",
	"board.filter_remove", "board.no_filters", "board.owned", "board.answer", "board.hail", "error.internal",
	"board.network_error", "board.theme_current", "board.theme_name_auto", "board.theme_name_light",
	"board.theme_name_dark", "board.filters_active", "board.filter_add", "board.filter_target", "board.filter_kind",
	"board.filter_pattern", "board.filter_ua", "board.filter_author", "board.filter_message", "board.kind_contains",
	"board.kind_icontains", "board.kind_exact", "board.kind_iexact", "board.kind_startswith", "board.kind_endswith",
	"board.filters_reset", "board.filters_save", "board.filters_load", "board.refresh_secs", "board.remove_title",
	"board.remove_confirm", "board.refresh_every", "board.seconds", "board.row_menu",
	"board.totoz_inline", "board.totoz_palette", "board.totoz_recent", "board.totoz_found", "board.format", "board.format_b", "board.format_i",
	"board.format_u", "board.format_s", "board.format_tt", "board.format_code", "board.format_m", "board.alerts",
	"board.alerts_help", "board.alerts_notify", "board.alerts_sound", "board.alerts_unsupported", "board.alerts_blocked",
	"board.alert_hail", "board.alert_answer", "board.new_since", "history.copy_link",
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
	p, err := s.newPage(r, "board", c.Title)
	if err != nil {
		return err
	}
	p.TabTitle, p.Tagline = boardTabTitle(c.Title, p.Site), s.tagline(c)
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	// The live stream opens before any post: give the viewer its session
	// token now, so the stream knows which messages are its own.
	s.board.EnsureToken(sess)
	s.sendToken(w, r, sess)
	limit := s.cfg.DefaultLimit
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 {
		limit = min(n, s.cfg.MaxLimit)
	}
	// ?before=ID: a page back in time (history.go), not live.
	before := lastIDNamed(r.URL.Query(), "before")
	ms, older, err := s.boardList(r, c.ID, before, limit, sess)
	if err != nil {
		return err
	}
	lang := langOf(r)
	d := &boardData{NoScript: noScript, Content: content, Board: s.channelPath(c), Refresh: sess.Refresh() && before == 0,
		Theme: themeLabel(lang, p.Theme), Scripts: boardScripts, Before: before, Older: older, MessagePath: s.channelPath(c) + "message/"}
	d.Action = d.Board
	if noScript {
		d.Action += "noscript/"
	}
	for i := len(ms) - 1; i >= 0; i-- {
		d.Messages = append(d.Messages, s.boardMessage(&ms[i], sess))
	}
	if err := s.markHiddenSiblings(r, c.ID, d.Messages, sess); err != nil {
		return err
	}
	firstSuperscripts(d.Messages)
	if len(ms) > 0 {
		d.LastID = ms[0].ID
	}
	own, err := s.board.OwnOnBoard(r.Context(), c.ID, sess)
	if err != nil {
		return err
	}
	for _, sub := range own {
		d.Pending = append(d.Pending, boardSubmission(lang, sub))
	}
	if s.cfg.Captcha && sess.User == nil {
		d.Captcha = s.board.NewCaptchaID()
	}
	d.Config = s.boardConfigJSON(r, c, sess, d, limit)
	p.Data = d
	s.showFlash(w, r, p)
	if errMsg != "" {
		p.Error = errMsg
	}
	return s.render(w, r, status, p)
}

func (s *Server) boardMessage(m *model.Message, sess *board.Session) boardMessage {
	loc := s.cfg.Location
	created := m.Created.In(loc)
	bm := boardMessage{
		ID: m.ID, Created: string(backend.Stamp(nil, m.Created, loc)), Clock: string(backend.Clock(nil, m.Created, loc)),
		Index: m.ClockIndex, ClockClass: string(backend.ClockClass(nil, m, loc)), DateTime: created.Format(time.RFC3339),
		Owned: sess.Owns(m), Login: m.Login, Info: m.Info, Shown: m.Login, Web: template.HTML(m.Web),
	}
	if m.ClockIndex > 1 {
		bm.Sup = markup.Superscript(m.ClockIndex)
	}
	if bm.Shown == "" {
		bm.Shown = markup.Cut(m.Info, 30)
	}
	return bm
}

// firstSuperscripts gives the first message of a second its ¹ when another
// message shares that second (in the list, or hidden by the viewer's
// filters), as the others have theirs.
func firstSuperscripts(ms []boardMessage) {
	perSecond := map[string]int{}
	for _, m := range ms {
		perSecond[m.Created]++
	}
	for i := range ms {
		if perSecond[ms[i].Created] > 1 {
			ms[i].Shared = true
		}
		if ms[i].Sup == "" && ms[i].Shared {
			ms[i].Sup = markup.Superscript(ms[i].Index)
		}
	}
}

// markHiddenSiblings marks the messages whose second is shared with a
// message the viewer's filters hide: indices are the channel's, and a
// clock clicked must carry its index whatever the viewer hides.
func (s *Server) markHiddenSiblings(r *http.Request, channelID int64, ms []boardMessage, sess *board.Session) error {
	if len(ms) == 0 || sess.Hide() == nil {
		return nil
	}
	all, _, err := s.board.List(r.Context(), channelID, ms[0].ID-1, s.cfg.MaxLimit, nil)
	if err != nil {
		return err
	}
	perSecond := map[string]int{}
	loc := s.cfg.Location
	for i := range all {
		perSecond[string(backend.Stamp(nil, all[i].Created, loc))]++
	}
	for i := range ms {
		if perSecond[ms[i].Created] > 1 {
			ms[i].Shared = true
		}
	}
	return nil
}

// boardSubmission is one of the viewer's own submissions as the board shows
// it: with the identity rules of messages, and the fate of a rejected one.
func boardSubmission(lang i18n.Lang, sub model.Submission) boardPending {
	bp := boardPending{ID: sub.ID, Web: template.HTML(sub.Web), Login: sub.Login, Info: sub.Info, Shown: sub.Login,
		Status: i18n.T(lang, "board.pending")}
	if bp.Shown == "" {
		bp.Shown = markup.Cut(sub.Info, 30)
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

func (s *Server) boardConfigJSON(r *http.Request, c model.Channel, sess *board.Session, d *boardData, limit int) string {
	root := s.channelPath(c)
	cfg := boardConfig{
		Channel: c.Slug, StreamURL: root + "remote/stream/", BackendURL: root + "remote/json/", PostURL: root,
		ClockURL: root + "clock/", PrefsURL: s.cfg.Prefix + "/prefs", CaptchaURL: s.cfg.Prefix + "/captcha/",
		Name: s.chosenName(r), Refresh: d.Refresh, RefreshSecs: sess.RefreshSecs(s.cfg.RefreshShifting / 1000),
		Limit: limit, LastID: d.LastID, MaxLength: s.cfg.PostMaxLength, Strings: map[string]string{},
		TotozURL: s.cfg.SmileysURL,
	}
	if s.board.TotozSearchOn() {
		cfg.TotozSearch = s.cfg.Prefix + "/totoz/search"
	}
	if sess.User != nil {
		cfg.Login = sess.User.Username
		cfg.Moderator = sess.User.Role.CanModerate()
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

// boardTabTitle is a board's tab title, "channel — site", so that two tabs
// can be told apart.
func boardTabTitle(title, site string) string {
	if title == "" || title == site {
		return site
	}
	if site == "" {
		return title
	}
	return title + " — " + site
}

// tagline picks one of the operator's taglines at random, for the default
// channel only: a channel's board is named by its own title.
func (s *Server) tagline(c model.Channel) string {
	if c.Slug != "" || len(s.cfg.Titles) == 0 {
		return ""
	}
	return s.cfg.Titles[rand.IntN(len(s.cfg.Titles))]
}
