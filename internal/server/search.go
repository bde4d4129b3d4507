package server

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/search"
)

// Full-text search: search/ (a page) and search/json/ (the JSON backend's
// rows), in a channel under its prefix, or in every channel at
// /all/search/. Results come newest first; a page ends with the before_id
// of the next one (a link on the page, a Link header on the JSON).

// searchData is what the search page shows.
type searchData struct {
	Query   string
	Action  string // where the form sends the query
	All     bool   // every channel
	Results []foundMessage
	Next    string // the next page's URL, "" for none
	Done    bool   // a query was searched
}

// foundMessage is a result: a board row whose text has its matches
// marked, and its channel.
type foundMessage struct {
	boardMessage
	Channel string // the channel's title
	Path    string // the channel's board
	Day     string // YYYY-MM-DD, in the tribune's zone
}

// searchRequest reads a search's arguments: the query, before_id and
// limit. A query that cannot be searched is a 400 with the reason.
func (s *Server) searchRequest(r *http.Request) (q search.Query, text string, before int64, limit int, err error) {
	v := r.URL.Query()
	text = v.Get("q")
	before, _ = strconv.ParseInt(v.Get("before_id"), 10, 64)
	limit = s.cfg.DefaultLimit
	if n, err := strconv.Atoi(v.Get("limit")); err == nil && n > 0 {
		limit = min(n, s.cfg.MaxLimit)
	}
	q, err = search.Parse(text)
	var se *search.Error
	if errors.As(err, &se) {
		err = httpError(http.StatusBadRequest, s.t(r, se.Key, se.Args...))
	}
	return q, text, max(before, 0), limit, err
}

// searchChannel is the channel a search route looks in: the request's, or
// every channel (0) on the site's routes, which check the lock themselves.
func (s *Server) searchChannel(w http.ResponseWriter, r *http.Request, all bool) (id int64, answered bool, err error) {
	if !all {
		return visitOf(r).channel.ID, false, nil
	}
	answered, err = s.unlocked(w, r, false)
	return 0, answered, err
}

func (s *Server) showSearch(all bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ch, answered, err := s.searchChannel(w, r, all)
		if answered || err != nil {
			return err
		}
		p, err := s.newPage(r, "search", s.t(r, "search.title"))
		if err != nil {
			return err
		}
		d := &searchData{All: all, Action: r.URL.Path}
		p.Data = d
		q, text, before, limit, err := s.searchRequest(r)
		d.Query = text
		status := http.StatusOK
		var e *Error
		switch {
		case strings.TrimSpace(text) == "":
			return s.render(w, r, status, p) // the form alone
		case errors.As(err, &e):
			p.Error = e.Msg
			return s.render(w, r, e.Status, p)
		case err != nil:
			return err
		}
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		res, err := s.board.Search(r.Context(), ch, q, before, limit, sess.Hide())
		if err != nil {
			if e := s.word(r, err); e != nil && e.Status < 500 {
				p.Error = e.Msg
				return s.render(w, r, e.Status, p)
			}
			return err
		}
		d.Done = true
		words := q.Words()
		channels := s.channelsByID()
		for i := range res.Messages {
			m := &res.Messages[i]
			f := foundMessage{boardMessage: s.boardMessage(m, sess), Day: m.Created.In(s.cfg.Location).Format(time.DateOnly)}
			f.Web = template.HTML(search.Highlight(m.Web, words))
			c := channels[m.ChannelID]
			f.Channel, f.Path = c.Title, s.channelPath(c)
			d.Results = append(d.Results, f)
		}
		if res.Next != 0 {
			d.Next = nextPage(r, res.Next)
		}
		return s.render(w, r, status, p)
	}
}

func (s *Server) searchJSON(all bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ch, answered, err := s.searchChannel(w, r, all)
		if answered || err != nil {
			return err
		}
		q, _, before, limit, err := s.searchRequest(r)
		if err != nil {
			return err
		}
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		res, err := s.board.Search(r.Context(), ch, q, before, limit, sess.Hide())
		if err != nil {
			return err
		}
		words := q.Words()
		channels := s.channelsByID()
		body := []byte{'['}
		for i := range res.Messages {
			m := &res.Messages[i]
			if i > 0 {
				body = append(body, ',')
			}
			body = s.jsonRow(body, m, sess, channels[m.ChannelID])
			body = body[:len(body)-1]
			body = append(body, `,"highlight":`...)
			body = appendJSON(body, search.Highlight(m.Web, words))
			body = append(body, '}')
		}
		body = append(body, ']')
		if res.Next != 0 {
			w.Header().Set("Link", "<"+nextPage(r, res.Next)+`>; rel="next"`)
		}
		writeBody(w, r, http.StatusOK, backend.JSON.ContentType(), body)
		return nil
	}
}

// jsonRow appends m as a row of the JSON backend, with its channel's slug
// added ("" for the default channel).
func (s *Server) jsonRow(dst []byte, m *model.Message, sess *board.Session, c model.Channel) []byte {
	dst = backend.AppendJSONRow(dst, m, s.cfg.Location, sess.Owns(m))
	dst = dst[:len(dst)-1]
	dst = append(dst, `,"channel":`...)
	dst = appendJSON(dst, c.Slug)
	return append(dst, '}')
}

func appendJSON(dst []byte, v any) []byte {
	b, _ := json.Marshal(v)
	return append(dst, b...)
}

// channelsByID maps the channels' ids to them.
func (s *Server) channelsByID() map[int64]model.Channel {
	cs := s.board.Channels()
	m := make(map[int64]model.Channel, len(cs))
	for _, c := range cs {
		m[c.ID] = c
	}
	return m
}

// nextPage is the request's URL (path and query) with before_id set.
func nextPage(r *http.Request, before int64) string {
	v := r.URL.Query()
	v.Set("before_id", strconv.FormatInt(before, 10))
	return r.URL.EscapedPath() + "?" + v.Encode()
}

// The URL archive: urls/ and urls/json/, per channel, and every channel's
// at /all/urls/. Searched by djangotribune's arguments (url__contains,
// author__username__contains, message__raw__contains, OR-combined) or by
// the page's form (pattern and where to look); paged by before_id.

type urlsData struct {
	Action  string
	All     bool
	Pattern string
	In      map[string]bool // where the pattern is looked for
	URLs    []archivedURL
	Next    string
}

type archivedURL struct {
	URL     string
	Label   string // the URL cut to 115 characters, as djangotribune showed it
	Message foundMessage
	Date    string
}

// urlQuery reads the archive's arguments.
func (s *Server) urlQuery(r *http.Request, ch int64) (board.URLQuery, string, map[string]bool) {
	v := r.URL.Query()
	clean := func(s string) string { return strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", "") }
	q := board.URLQuery{ChannelID: ch, Limit: max(s.cfg.ArchiveURLsMaxLimit, 1),
		URL: clean(v.Get("url__contains")), Author: clean(v.Get("author__username__contains")),
		Message: clean(v.Get("message__raw__contains"))}
	q.Before, _ = strconv.ParseInt(v.Get("before_id"), 10, 64)
	q.Before = max(q.Before, 0)
	if n, err := strconv.Atoi(v.Get("limit")); err == nil && n > 0 {
		q.Limit = min(n, s.cfg.MaxLimit)
	}
	pattern := clean(v.Get("pattern"))
	pattern = string([]rune(pattern)[:min(len([]rune(pattern)), 200)])
	in := map[string]bool{}
	for _, f := range v["in"] {
		in[f] = true
	}
	if len(in) == 0 {
		in["url"] = true
	}
	if pattern != "" {
		if in["url"] {
			q.URL = pattern
		}
		if in["author"] {
			q.Author = pattern
		}
		if in["message"] {
			q.Message = pattern
		}
	}
	return q, pattern, in
}

func (s *Server) showURLs(all bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ch, answered, err := s.searchChannel(w, r, all)
		if answered || err != nil {
			return err
		}
		p, err := s.newPage(r, "urls", s.t(r, "urls.title"))
		if err != nil {
			return err
		}
		q, pattern, in := s.urlQuery(r, ch)
		d := &urlsData{Action: r.URL.Path, All: all, Pattern: pattern, In: in}
		p.Data = d
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		res, err := s.board.URLs(r.Context(), q, sess.Hide())
		if err != nil {
			if e := s.word(r, err); e != nil && e.Status < 500 {
				p.Error = e.Msg
				return s.render(w, r, e.Status, p)
			}
			return err
		}
		channels := s.channelsByID()
		for i := range res.URLs {
			u := &res.URLs[i]
			m := &u.Message
			f := foundMessage{boardMessage: s.boardMessage(m, sess)}
			c := channels[m.ChannelID]
			f.Channel, f.Path = c.Title, s.channelPath(c)
			label := u.URL
			if r := []rune(label); len(r) > 115 {
				label = string(r[:115]) + "…"
			}
			d.URLs = append(d.URLs, archivedURL{URL: u.URL, Label: label, Message: f,
				Date: m.Created.In(s.cfg.Location).Format(time.DateTime)})
		}
		if res.Next != 0 {
			d.Next = nextPage(r, res.Next)
		}
		return s.render(w, r, http.StatusOK, p)
	}
}

func (s *Server) urlsJSON(all bool) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		ch, answered, err := s.searchChannel(w, r, all)
		if answered || err != nil {
			return err
		}
		q, _, _ := s.urlQuery(r, ch)
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		res, err := s.board.URLs(r.Context(), q, sess.Hide())
		if err != nil {
			return err
		}
		channels := s.channelsByID()
		body := []byte{'['}
		for i := range res.URLs {
			u := &res.URLs[i]
			if i > 0 {
				body = append(body, ',')
			}
			body = append(body, `{"id":`...)
			body = strconv.AppendInt(body, u.ID, 10)
			body = append(body, `,"url":`...)
			body = appendJSON(body, u.URL)
			body = append(body, `,"message":`...)
			body = s.jsonRow(body, &u.Message, sess, channels[u.Message.ChannelID])
			body = append(body, '}')
		}
		body = append(body, ']')
		if res.Next != 0 {
			w.Header().Set("Link", "<"+nextPage(r, res.Next)+`>; rel="next"`)
		}
		writeBody(w, r, http.StatusOK, backend.JSON.ContentType(), body)
		return nil
	}
}
