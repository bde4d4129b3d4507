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
		Theme: themeLabel(lang, p.Theme), Before: before, Older: older, MessagePath: s.channelPath(c) + "message/"}
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

// title picks a board title at random.
func (s *Server) title() string {
	return s.cfg.Titles[rand.IntN(len(s.cfg.Titles))]
}
