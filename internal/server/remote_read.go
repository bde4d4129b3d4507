package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	if n, err := strconv.Atoi(last(q, "limit")); err == nil && n > 0 {
		o.limit = min(n, s.cfg.MaxLimit)
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
		opt := s.parseListOptions(r.URL.Query(), f)
		ch := visitOf(r).channel.ID
		snap, err := s.board.Snapshot(r.Context(), ch)
		if err != nil {
			return err
		}
		// Most polls end here, without reading the session: nothing after
		// the client's last id, or nothing since its If-Modified-Since.
		// That is so for every requester, since BaK filters only hide
		// messages.
		if newest := snap.Newest(); newest == nil || newest.ID <= opt.after {
			// An empty selection is "not modified", as in djangotribune.
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		if notModified(w, r, snap.Modified()) {
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
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		body := s.encodeList(r, f, opt, ms, snap, sess, hide == nil)
		h := w.Header()
		h.Set("Last-Modified", lastModified(snap.Modified()))
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "Last-Modified, X-Post-Id")
		writeBody(w, r, http.StatusOK, f.ContentType(), body)
		return nil
	}
}

// notModified applies If-Modified-Since against the channel's stamp and
// answers 304 when the client's copy is current. Stamps grow strictly with
// every change (see hub.Snapshot.Modified), so a message posted in the same
// second as the client's copy still counts as new.
func notModified(w http.ResponseWriter, r *http.Request, stamp time.Time) bool {
	ims := r.Header.Get("If-Modified-Since")
	if ims == "" || r.Header.Get("If-None-Match") != "" {
		return false
	}
	t, err := http.ParseTime(ims)
	if err != nil || stamp.After(t) {
		return false
	}
	w.Header().Set("Last-Modified", lastModified(stamp))
	w.WriteHeader(http.StatusNotModified)
	return true
}

// lastModified is the Last-Modified header for a stamp. A burst of posts
// pushes stamps ahead of the clock, but the header must not be later than
// the answer's Date (RFC 9110, 8.8.2.1): it says now instead. A client
// sending that back is behind the stamp and gets a 200, never a 304 that
// would hide a message.
func lastModified(stamp time.Time) string {
	if now := time.Now(); stamp.After(now) {
		stamp = now
	}
	return stamp.UTC().Format(http.TimeFormat)
}

// encodeList encodes ms (newest first) in format f for the requester. When
// the answer is the same for every requester (no BaK, nothing owned), the
// encoded bytes are cached on the snapshot.
func (s *Server) encodeList(r *http.Request, f backend.Format, opt listOptions, ms []model.Message, snap *hub.Snapshot, sess *board.Session, shared bool) []byte {
	meta := s.meta()
	meta.Site, meta.TableWidth = s.boardURL(r), opt.tableWidth
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
	k := hub.Key{Format: f, After: opt.after, Limit: opt.limit, Ascending: opt.ascending}
	if f == backend.XML || f == backend.CrapXML {
		k.Site = meta.Site
	}
	if f == backend.Plain {
		k.TableWidth = opt.tableWidth
	}
	return snap.Encoded(k, encode)
}

// meta is what every encoding needs of the tribune: its zone.
func (s *Server) meta() backend.Meta {
	return backend.Meta{Location: s.cfg.Location, Zone: s.cfg.ZoneName()}
}
