package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/texttable"
)

// listOptions are a backend request's query arguments.
type listOptions struct {
	limit      int
	ascending  bool
	after      int64 // last id: only messages with a greater id
	tableWidth int
}

// parseListOptions reads limit, direction, the last id and table_width from
// q. As in djangotribune, a malformed value falls back to its default, and a
// repeated argument counts by its last value (Django's QueryDict).
func (s *Server) parseListOptions(q url.Values, f backend.Format) listOptions {
	o := listOptions{limit: s.cfg.DefaultLimit, ascending: f.Ascending(), tableWidth: texttable.DefaultTableWidth}
	if v := last(q, "limit"); v != "" { // Atoi("") allocates its error: polls are the hot path
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			o.limit = min(n, s.cfg.MaxLimit)
		}
	}
	// djangotribune kept "ASC" but only reversed on an exact "asc"; any
	// case works here.
	switch strings.ToLower(last(q, "direction")) {
	case "asc":
		o.ascending = true
	case "desc":
		o.ascending = false
	}
	o.after = lastID(q)
	if _, ok := q["table_width"]; ok {
		o.tableWidth = texttable.ParseTableWidth(last(q, "table_width"))
	}
	return o
}

// backend serves one remote format for the request's channel.
func (s *Server) backend(f backend.Format) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		opt := s.parseListOptions(query(r), f)
		ch := visitOf(r).channel.ID
		// The clock before the snapshot: see hub.Snapshot.LastModified.
		at := s.board.Now()
		snap, err := s.board.Snapshot(r.Context(), ch)
		if err != nil {
			return err
		}
		// Most polls end here, without reading the session: nothing after
		// the client's last id, or a current copy by its ETag or its
		// If-Modified-Since.
		if newest := snap.Newest(); newest == nil || newest.ID <= opt.after {
			// An empty selection is "not modified", as in djangotribune.
			writeNotModified(w)
			return nil
		}
		k := s.listKey(r, f, opt)
		if s.notModified(w, r, snap, at, k, "") {
			return nil
		}
		sess, err := s.session(r)
		if err != nil {
			return err
		}
		hide := sess.Hide()
		ms, snap, err := s.board.List(r.Context(), ch, opt.after, opt.limit, hide)
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			writeNotModified(w)
			return nil
		}
		body := s.encodeList(f, opt, k, ms, snap, sess, hide == nil)
		s.setValidators(w, r, snap, at, k, "")
		writeBody(w, r, http.StatusOK, f.ContentType(), body)
		return nil
	}
}

// query is the request's query, without making an empty map for none
// (most polls).
func query(r *http.Request) url.Values {
	if r.URL.RawQuery == "" {
		return nil
	}
	return r.URL.Query()
}

// listKey names an answer's options: what makes two answers made from one
// snapshot differ (the encoded answers' cache key, and part of the ETag).
func (s *Server) listKey(r *http.Request, f backend.Format, opt listOptions) hub.Key {
	k := hub.Key{Format: f, After: opt.after, Limit: opt.limit, Ascending: opt.ascending}
	if f == backend.XML || f == backend.CrapXML {
		k.Site = s.boardURL(r)
	}
	if f == backend.Plain {
		k.TableWidth = opt.tableWidth
	}
	return k
}

// encodeList encodes ms (newest first) in format f for the requester, with
// the options of k. When the answer is the same for every requester (no
// BaK, nothing owned), the encoded bytes are cached on the snapshot.
func (s *Server) encodeList(f backend.Format, opt listOptions, k hub.Key, ms []model.Message, snap *hub.Snapshot, sess *board.Session, shared bool) []byte {
	meta := s.meta()
	meta.Site, meta.TableWidth = k.Site, opt.tableWidth
	if f == backend.JSON {
		for i := range ms {
			if sess.Owns(&ms[i]) {
				shared = false
				meta.Owned = sess.Owns
				break
			}
		}
	}
	encode := func() []byte {
		rows := ms
		if opt.ascending {
			rows = hub.Reverse(ms)
		}
		return backend.Encode(nil, f, &meta, rows)
	}
	if !shared || snap == nil {
		return encode()
	}
	return snap.Encoded(k, encode)
}

// meta is what every encoding needs of the tribune: its zone.
func (s *Server) meta() backend.Meta {
	return backend.Meta{Location: s.cfg.Location, Zone: s.cfg.ZoneName()}
}
