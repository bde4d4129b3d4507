package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// History pages: a channel's archives (its days, and one day's messages in
// the board's look or as backend data) and permalinks (one message in its
// context). docs/history.md describes them.

// historyData is what the day and message pages show: rows in the board's
// look, and the links around them.
type historyData struct {
	Board    string // the channel's board
	Archives string // the channel's archives
	Config   string // JSON for board.js: norloges work as on the board
	Messages []boardMessage
	Selected int64 // the permalink's message
	// A day's page.
	Day, DayLabel  string // YYYY-MM-DD and its long form
	Prev, Next     string // neighbouring days with messages, YYYY-MM-DD
	More           int64  // the day goes on after this id (next page: after=More)
	After          int64  // this page starts after this id
	Count          int    // the day's count
	Data           string // the day's data routes' root
	MessagePath    string // message/ root of the channel
	Answers        []historyLink
	Replies        []historyLink
	MessageDay     string // the permalink's day, YYYY-MM-DD
	MessageDayLink string
}

// historyLink is a link to a message from a permalink.
type historyLink struct {
	ID    int64
	Clock string
	Login string
	Text  string
}

// dayPageSize is how many messages a day's page shows before its "more"
// link.
const dayPageSize = 100

// parseDay reads a YYYY-MM-DD date of the archives' paths.
func parseDay(s string) (day int, t time.Time, ok bool) {
	if len(s) != 10 {
		return 0, t, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < 1 {
		return 0, t, false
	}
	return board.DayOf(t), t, true
}

// dayString writes a YYYYMMDD day as YYYY-MM-DD.
func dayString(d int) string { return fmt.Sprintf("%04d-%02d-%02d", d/10000, d/100%100, d%100) }

// dayOf reads the {day} path value, or fails with 404: a path that names no
// date names no page.
func (s *Server) dayOf(r *http.Request) (int, time.Time, error) {
	d, t, ok := parseDay(r.PathValue("day"))
	if !ok {
		return 0, t, httpError(http.StatusNotFound, s.t(r, "history.bad_day"))
	}
	return d, t, nil
}

// showDay serves archives/YYYY-MM-DD/: the day's messages in the board's
// look, dayPageSize at a time (?after=ID for the next page).
func (s *Server) showDay(w http.ResponseWriter, r *http.Request) error {
	c := visitOf(r).channel
	day, t, err := s.dayOf(r)
	if err != nil {
		return err
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	after := lastIDNamed(r.URL.Query(), "after")
	ms, more, err := s.board.OfDay(r.Context(), c.ID, day, after, dayPageSize, sess.Hide())
	if err != nil {
		return err
	}
	prev, count, next, err := s.board.DayAround(r.Context(), c.ID, day)
	if err != nil {
		return err
	}
	lang := langOf(r)
	label := longDate(lang, t)
	p, err := s.newPage(r, "day", i18n.T(lang, "history.day_title", label))
	if err != nil {
		return err
	}
	root := s.channelPath(c)
	d := &historyData{Board: root, Archives: root + "archives/", Day: dayString(day), DayLabel: label, After: after,
		Data: root + "archives/" + dayString(day) + "/", MessagePath: root + "message/", Count: count}
	if prev != 0 {
		d.Prev = dayString(prev)
	}
	if next != 0 {
		d.Next = dayString(next)
	}
	for i := range ms {
		d.Messages = append(d.Messages, s.boardMessage(&ms[i], sess))
	}
	firstSuperscripts(d.Messages)
	if more && len(ms) > 0 {
		d.More = ms[len(ms)-1].ID
	}
	d.Config = s.historyConfig(r, c)
	p.Data = d
	return s.render(w, r, http.StatusOK, p)
}

// dayData serves archives/YYYY-MM-DD/{json,xml,tsv}/: a day's messages in
// a backend's shape, limit at a time after last_id (oldest pages first).
func (s *Server) dayData(f backend.Format) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		day, _, err := s.dayOf(r)
		if err != nil {
			return err
		}
		opt := s.parseListOptions(query(r), f)
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		ms, more, err := s.board.OfDay(r.Context(), visitOf(r).channel.ID, day, opt.after, opt.limit, sess.Hide())
		if err != nil {
			return err
		}
		if more && len(ms) > 0 {
			w.Header().Set("X-More-After", strconv.FormatInt(ms[len(ms)-1].ID, 10))
		}
		// encodeList takes the rows newest first, as backends hold them.
		newest := make([]model.Message, len(ms))
		for i := range ms {
			newest[len(ms)-1-i] = ms[i]
		}
		body := s.encodeList(f, opt, s.listKey(r, f, opt), newest, nil, sess, false)
		writeBody(w, r, http.StatusOK, f.ContentType(), body)
		return nil
	}
}

// lastIDNamed reads a positive id argument; anything else is 0.
func lastIDNamed(q map[string][]string, name string) int64 {
	v := q[name]
	if len(v) == 0 {
		return 0
	}
	n, err := strconv.ParseInt(v[len(v)-1], 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// messageID reads the {id} path value; an id that is not one names no
// message (404, as a missing one).
func (s *Server) messageID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, board.ErrNoMessage
	}
	return id, nil
}

// permalink reads the message of the request's message/ID/ path in its
// context, as the visitor sees it.
func (s *Server) permalink(r *http.Request) (*board.Permalink, *board.Session, error) {
	id, err := s.messageID(r)
	if err != nil {
		return nil, nil, err
	}
	sess, err := s.session(r)
	if err != nil {
		return nil, nil, err
	}
	pl, err := s.board.Permalink(r.Context(), visitOf(r).channel.ID, id, sess.Hide())
	return pl, sess, err
}

// showMessage serves message/ID/: the message among its neighbours,
// highlighted, with links to its day, to what it answers and to its
// answers.
func (s *Server) showMessage(w http.ResponseWriter, r *http.Request) error {
	pl, sess, err := s.permalink(r)
	if err != nil {
		return err
	}
	c, id := visitOf(r).channel, pl.Message.ID
	lang := langOf(r)
	local := pl.Message.Created.In(s.cfg.Location)
	p, err := s.newPage(r, "message", i18n.T(lang, "history.message_title", local.Format("2006-01-02 15:04:05")))
	if err != nil {
		return err
	}
	root := s.channelPath(c)
	day := dayString(board.DayOf(local))
	d := &historyData{Board: root, Archives: root + "archives/", Selected: id, MessagePath: root + "message/",
		MessageDay: longDate(lang, local), MessageDayLink: root + "archives/" + day + "/#m" + strconv.FormatInt(id, 10)}
	for _, group := range [][]model.Message{pl.Before, {pl.Message}, pl.After} {
		for i := range group {
			d.Messages = append(d.Messages, s.boardMessage(&group[i], sess))
		}
	}
	firstSuperscripts(d.Messages)
	d.Answers = s.historyLinks(pl.Answers)
	d.Replies = s.historyLinks(pl.Replies)
	d.Config = s.historyConfig(r, c)
	p.Data = d
	return s.render(w, r, http.StatusOK, p)
}

func (s *Server) historyLinks(ms []model.Message) []historyLink {
	var ls []historyLink
	for i := range ms {
		m := &ms[i]
		l := historyLink{ID: m.ID, Clock: m.Created.In(s.cfg.Location).Format("2006-01-02 15:04:05"), Login: m.Login}
		if l.Login == "" {
			l.Login = cutRunes(m.Info, 30)
		}
		l.Text = cutRunes(m.Raw, 80)
		ls = append(ls, l)
	}
	return ls
}

func cutRunes(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

// messageJSON serves message/ID/json/: the message and its context as
// rows of the JSON backend.
func (s *Server) messageJSON(w http.ResponseWriter, r *http.Request) error {
	pl, sess, err := s.permalink(r)
	if err != nil {
		return err
	}
	loc := s.cfg.Location
	rows := func(b []byte, ms []model.Message) []byte {
		b = append(b, '[')
		for i := range ms {
			if i > 0 {
				b = append(b, ',')
			}
			b = backend.AppendJSONRow(b, &ms[i], loc, sess.Owns(&ms[i]))
		}
		return append(b, ']')
	}
	ids := func(b []byte, ms []model.Message) []byte {
		b = append(b, '[')
		for i := range ms {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, ms[i].ID, 10)
		}
		return append(b, ']')
	}
	b := []byte(`{"message":`)
	b = backend.AppendJSONRow(b, &pl.Message, loc, sess.Owns(&pl.Message))
	b = append(b, `,"day":"`...)
	b = append(b, dayString(board.DayOf(pl.Message.Created.In(loc)))...)
	b = append(b, `","before":`...)
	b = rows(b, pl.Before)
	b = append(b, `,"after":`...)
	b = rows(b, pl.After)
	b = append(b, `,"answers":`...)
	b = ids(b, pl.Answers)
	b = append(b, `,"replies":`...)
	b = ids(b, pl.Replies)
	b = append(b, "}\n"...)
	writeBody(w, r, http.StatusOK, backend.JSON.ContentType(), b)
	return nil
}

// historyConfig is board.js's configuration on history pages: norloges
// work (the clock finder resolves what the page lacks), nothing live, no
// posting.
func (s *Server) historyConfig(r *http.Request, c model.Channel) string {
	root := s.channelPath(c)
	cfg := boardConfig{Channel: c.Slug, ClockURL: root + "clock/", Refresh: false, Strings: map[string]string{}}
	lang := langOf(r)
	for _, k := range jsStrings {
		cfg.Strings[k] = i18n.T(lang, k)
	}
	b, _ := json.Marshal(cfg)
	return string(b)
}

// longDate writes a date for people, in their language.
func longDate(lang i18n.Lang, t time.Time) string {
	return i18n.T(lang, "history.date", t.Day(), i18n.T(lang, "history.month."+strconv.Itoa(int(t.Month()))), t.Year())
}

// boardList reads what the board shows: its newest limit messages, or with
// before the limit ones before that id (a page back in time). older is the
// id a link to older messages goes on before, 0 when there are none.
func (s *Server) boardList(r *http.Request, channelID, before int64, limit int, sess *board.Session) (ms []model.Message, older int64, err error) {
	more := false
	if before > 0 {
		ms, more, err = s.board.Older(r.Context(), channelID, before, limit, sess.Hide())
	} else {
		ms, _, err = s.board.List(r.Context(), channelID, 0, limit, sess.Hide())
		more = len(ms) >= limit
	}
	if err != nil || len(ms) == 0 || !more {
		return ms, 0, err
	}
	return ms, ms[len(ms)-1].ID, nil
}
