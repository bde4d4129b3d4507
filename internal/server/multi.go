package server

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/model"
)

// Several channels on one screen: multi/?c=troie,dev shows the messages of
// the channels chosen in one list, each channel with a colour and a short
// alias (troie:t names troie "t"; ~ is the default channel), live through
// one stream (multi/stream/). Posting goes to each channel's own board
// route, so its rules (captcha, moderation, limits) apply as on its board;
// reading applies the lock as a channel's routes do.
//
// Of the live machinery this file uses only the hub's public subscription
// API through the board: Board.Subscribe(channelID) → *hub.Subscription
// (its C and Close), the Event fields Message, Removed and Data, and
// Board.Backlog for what a reconnecting client missed.

// maxMulti is the most channels one multi view shows.
const maxMulti = 8

// multiChannel is one channel of the view.
type multiChannel struct {
	ID     int64  `json:"-"`
	Slug   string `json:"slug"`
	Alias  string `json:"alias"`
	Title  string `json:"title"`
	Colour int    `json:"colour"` // 0 to maxMulti-1, a CSS class
	Board  string `json:"board"`  // where its form posts
	Clock  string `json:"clockURL"`
}

// aliasChars: what a norloge's @name may hold, so that 12:34:56@alias
// reads as a norloge.
var aliasChars = regexp.MustCompile(`^[A-Za-z0-9_]{1,12}$`)

// multiChannels reads ?c=: slugs (~ for the default channel), each with an
// optional :alias, comma-separated or repeated; none means every channel
// (the first maxMulti).
func (s *Server) multiChannels(r *http.Request) ([]multiChannel, error) {
	var items []string
	for _, v := range r.URL.Query()["c"] {
		for it := range strings.SplitSeq(v, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
	}
	if len(items) == 0 {
		for _, c := range s.board.Channels() {
			items = append(items, cmpSlug(c.Slug))
		}
		items = items[:min(len(items), maxMulti)]
	}
	if len(items) > maxMulti {
		return nil, httpError(http.StatusBadRequest, s.t(r, "multi.too_many", maxMulti))
	}
	var out []multiChannel
	for i, it := range items {
		slug, alias, _ := strings.Cut(it, ":")
		if slug == "~" {
			slug = model.DefaultSlug
		}
		c, ok, err := s.board.Channel(r.Context(), slug)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, httpError(http.StatusNotFound, s.t(r, "multi.unknown_channel", it))
		}
		if alias == "" {
			alias = defaultAlias(slug)
		}
		if !aliasChars.MatchString(alias) {
			return nil, httpError(http.StatusBadRequest, s.t(r, "multi.bad_alias"))
		}
		if slices.ContainsFunc(out, func(m multiChannel) bool { return m.ID == c.ID || m.Alias == alias }) {
			return nil, httpError(http.StatusBadRequest, s.t(r, "multi.twice", it))
		}
		out = append(out, multiChannel{ID: c.ID, Slug: c.Slug, Alias: alias, Title: c.Title, Colour: i,
			Board: s.channelPath(c), Clock: s.channelPath(c) + "clock/"})
	}
	return out, nil
}

// defaultAlias is the alias of a channel named without one.
func defaultAlias(slug string) string {
	if slug == "" {
		return "tribune"
	}
	return strings.ReplaceAll(slug, "-", "_")
}

// cmpSlug names a channel in ?c=.
func cmpSlug(slug string) string {
	if slug == "" {
		return "~"
	}
	return slug
}

// multiMessage is a message of the combined list.
type multiMessage struct {
	boardMessage
	Alias  string
	Colour int
	Slug   string
}

type multiData struct {
	Channels []multiChannel
	Messages []multiMessage
	Config   string
	Lib      string // board.js, whose pure functions multi.js imports
	Captcha  string // captcha id when the viewer must solve one, as on a board
	Action   string // where the form posts without JavaScript (multi_post.go)
	Chosen   int    // the channel chosen in the selector, its index
	Content  string // what was typed, after a refused post
}

// multiConfig is what multi.js needs.
type multiConfig struct {
	Channels  []multiChannel    `json:"channels"`
	StreamURL string            `json:"streamURL"`
	Login     string            `json:"login"`
	Name      string            `json:"name"`
	Limit     int               `json:"limit"`
	LastID    int64             `json:"lastID"`
	Strings   map[string]string `json:"strings"`
	// CaptchaURL: + id + ".png" or ".wav", for a fresh captcha after a try.
	CaptchaURL string `json:"captchaURL"`
}

// multiStrings are the catalogue keys multi.js uses.
var multiStrings = []string{"board.insert_clock", "board.live", "board.refresh_error", "board.network_error",
	"board.pending", "error.internal", "multi.to", "multi.other_channel", "board.not_found"}

func (s *Server) showMulti(w http.ResponseWriter, r *http.Request) error {
	if answered, err := s.unlocked(w, r, false); answered || err != nil {
		return err
	}
	chans, err := s.multiChannels(r)
	if err != nil {
		return err
	}
	return s.multiPage(w, r, http.StatusOK, chans, r.URL.Query().Get("to"), "", "")
}

// multiPage shows the view of chans; to is the channel chosen in the
// selector (a slug, ~ for the default channel; none: the first), and a
// refused post comes back with its error and its text.
func (s *Server) multiPage(w http.ResponseWriter, r *http.Request, status int, chans []multiChannel, to, errMsg, content string) error {
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	s.board.EnsureToken(sess)
	s.sendToken(w, r, sess)
	var titles []string
	for _, c := range chans {
		titles = append(titles, c.Title)
	}
	p, err := s.newPage(r, "multi", s.t(r, "multi.title"))
	if err != nil {
		return err
	}
	p.TabTitle = boardTabTitle(strings.Join(titles, ", "), p.Site)
	if errMsg != "" {
		p.Error = errMsg
	} else {
		s.showFlash(w, r, p)
	}
	limit := s.cfg.DefaultLimit
	var all []multiMessage
	for _, c := range chans {
		ms, _, err := s.board.List(r.Context(), c.ID, 0, limit, sess.Hide())
		if err != nil {
			return err
		}
		list := make([]boardMessage, 0, len(ms))
		for i := len(ms) - 1; i >= 0; i-- {
			list = append(list, s.boardMessage(&ms[i], sess))
		}
		firstSuperscripts(list)
		for _, m := range list {
			all = append(all, multiMessage{boardMessage: m, Alias: c.Alias, Colour: c.Colour, Slug: c.Slug})
		}
	}
	// Ids are the tribune's, across channels: their order is the order of
	// arrival.
	slices.SortFunc(all, func(a, b multiMessage) int { return int(a.ID - b.ID) })
	if len(all) > limit {
		all = all[len(all)-limit:]
	}
	cfg := multiConfig{CaptchaURL: s.cfg.Prefix + "/captcha/", Channels: chans, StreamURL: s.cfg.Prefix + "/multi/stream/?" + r.URL.Query().Encode(),
		Name: s.chosenName(r), Limit: limit, Strings: map[string]string{}}
	if len(all) > 0 {
		cfg.LastID = all[len(all)-1].ID
	}
	if sess.User != nil {
		cfg.Login = sess.User.Username
	}
	for _, k := range multiStrings {
		cfg.Strings[k] = i18n.T(langOf(r), k)
	}
	b, _ := json.Marshal(cfg)
	d := multiData{Channels: chans, Messages: all, Config: string(b), Lib: s.pages.Static.Path("board.js"),
		Action: s.multiPath(chans, ""), Content: content}
	for i, c := range chans {
		if cmpSlug(c.Slug) == to || c.Slug == to && to != "" {
			d.Chosen = i
		}
	}
	if s.cfg.Captcha && sess.User == nil {
		d.Captcha = s.board.NewCaptchaID()
	}
	p.Data = d
	return s.render(w, r, status, p)
}

// multiEvent is a live message of one of the channels.
type multiEvent struct {
	Channel string          `json:"c"`
	Row     json.RawMessage `json:"row"`
}

// multiStream is the combined live stream: the message events of every
// channel chosen, each with its channel, and removals. It counts as one
// stream against the client's share.
func (s *Server) multiStream(w http.ResponseWriter, r *http.Request) error {
	if answered, err := s.unlocked(w, r, false); answered || err != nil {
		return err
	}
	chans, err := s.multiChannels(r)
	if err != nil {
		return err
	}
	v := visitOf(r)
	key := limit.AddressKey(v.ip)
	if s.streams.acquire(key, s.cfg.StreamMaxPerAddress, s.streamMax) != streamOK {
		s.metrics.Limited("streams")
		return tooMany(v.lang, "error.too_many_streams", streamRetryOne)
	}
	defer s.streams.release(key)
	// Watch the session before reading it, so no change falls in between:
	// new BaK filters apply at once, as on a channel's stream (stream.go).
	var changed <-chan struct{}
	if id := s.sessionID(r); id != "" {
		c, stop := s.board.WatchSession(id)
		defer stop()
		changed = c
	}
	sess, err := s.session(r)
	if err != nil {
		return err
	}
	vw := newViewer(sess)
	after := lastID(r.URL.Query())
	if id, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64); err == nil && id > 0 {
		after = id
	}
	// One merged channel of events, fed by one goroutine per subscription;
	// subscribed before the backlog is read, so nothing falls in between.
	type tagged struct {
		c *multiChannel
		e *hub.Event
	}
	merged := make(chan tagged)
	done := make(chan struct{})
	defer close(done)
	for i := range chans {
		sub := s.board.Subscribe(chans[i].ID)
		defer sub.Close()
		go func(c *multiChannel, sub *hub.Subscription) {
			for {
				select {
				case e, ok := <-sub.C:
					if !ok {
						e = nil // dropped by the hub: the stream ends, the client reconnects
					}
					select {
					case merged <- tagged{c, e}:
					case <-done:
						return
					}
					if !ok {
						return
					}
				case <-done:
					return
				}
			}
		}(&chans[i], sub)
	}
	sw := &sseWriter{w: w, rc: http.NewResponseController(w), timeout: 2*s.cfg.StreamKeepAlive + 10*time.Second}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache, no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	sw.write([]byte("retry: 3000\n\n"))
	send := func(c *multiChannel, m *model.Message, data []byte) {
		if vw.hide != nil && vw.hide(m) {
			return
		}
		b, _ := json.Marshal(multiEvent{Channel: c.Slug, Row: data})
		sw.buf.Reset()
		sw.buf.WriteString("event: message\nid: ")
		sw.buf.WriteString(strconv.FormatInt(m.ID, 10))
		sw.buf.WriteString("\ndata: ")
		sw.buf.Write(b)
		sw.buf.WriteString("\n\n")
		sw.write(sw.buf.Bytes())
	}
	last := map[int64]int64{}
	if after > 0 {
		for i := range chans {
			ms, err := s.board.Backlog(r.Context(), chans[i].ID, after, maxBacklog+1)
			if err != nil {
				return nil // the stream is open: the client retries
			}
			if len(ms) > maxBacklog {
				// Too much was missed: the client reloads the page.
				sw.event("reset", map[string]string{"reason": "backlog"})
				break
			}
			for j := range ms {
				last[chans[i].ID] = ms[j].ID
				send(&chans[i], &ms[j], s.board.EncodeLive(&ms[j], vw.owns(&ms[j])))
			}
		}
	}
	// reread applies the session as it is now: its filters (the page
	// reloads its list when they changed), its user; false ends the
	// stream (the client reconnects), as the lock asks for one without a
	// user.
	reread := func() bool {
		s.forgetSession(r)
		fresh, err := s.session(r)
		if err != nil || s.cfg.Locked && fresh.User == nil {
			return false
		}
		old := vw
		vw = newViewer(fresh)
		if vw.filters != old.filters {
			sw.event("reset", map[string]string{"reason": "filters"})
		}
		return true
	}
	keep := time.NewTicker(s.cfg.StreamKeepAlive)
	defer keep.Stop()
	for sw.err == nil {
		// A change of the session is applied before the events that
		// follow it (a save made before an event applies to it).
		select {
		case <-changed:
			if !reread() {
				return nil
			}
		default:
		}
		select {
		case <-r.Context().Done():
			return nil
		case <-s.stopping:
			return nil
		case <-changed:
			if !reread() {
				return nil
			}
		case <-keep.C:
			sw.write([]byte(": keep-alive\n\n"))
			// Changes made in another process, or ending the session
			// (a password change), are seen here.
			if !reread() {
				return nil
			}
		case t := <-merged:
			switch {
			case t.e == nil:
				return nil
			case t.e.Message != nil:
				m := t.e.Message
				if m.ID <= max(after, last[t.c.ID]) {
					continue
				}
				last[t.c.ID] = m.ID
				owned := 0
				if vw.owns(m) {
					owned = 1
				}
				send(t.c, m, t.e.Data[owned])
			case t.e.Removed != nil:
				sw.event("removed", map[string]any{"id": t.e.Removed.ID, "c": t.c.Slug})
			}
		}
	}
	return nil
}
