package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/hub"
)

// The validators of the backends' answers (docs/protocol.md): a
// Last-Modified that never hides a change (hub.Snapshot.LastModified), and
// an ETag that names the answer exactly. Both are checked from memory,
// without reading the session.

// answerTag is the ETag of an answer made from snap with the options of k
// (extra: what else selects it, the clock finder's clock). It covers what
// the answer shows: the channel's newest message and removal count (ids
// and removals only grow, so no two states of a channel share both), the
// options, and who asks: a request that carries a session cookie or
// credentials gets a tag of its own, since its BaK filters and "owned"
// marks may make its answer differ from anyone else's.
func (s *Server) answerTag(r *http.Request, snap *hub.Snapshot, k hub.Key, extra string) string {
	h := newTagHash()
	h.int(visitOf(r).channel.ID)
	if m := snap.Newest(); m != nil {
		h.int(m.ID)
	} else {
		h.int(0)
	}
	h.int(snap.Removals())
	h.int(int64(k.Format))
	h.int(k.After)
	h.int(int64(k.Limit))
	if k.Ascending {
		h.int(1)
	} else {
		h.int(0)
	}
	h.int(int64(k.TableWidth))
	h.str(k.Site)
	h.str(extra)
	// The session is not read here: a change of its filters within one
	// cookie is answered 304 until the channel changes, like
	// If-Modified-Since (see docs/protocol.md).
	if c, err := r.Cookie(s.cfg.SessionCookieName); err == nil {
		h.str(c.Value)
	} else {
		h.str("")
	}
	h.str(r.Header.Get("Authorization"))
	if c, err := r.Cookie(tokenCookie); err == nil { // an access token's other carrier on reads
		h.str(c.Value)
	} else {
		h.str("")
	}
	return h.tag()
}

// tagHash is 64-bit FNV-1a, the same in every process: a client may poll
// any of them.
type tagHash uint64

func newTagHash() tagHash { return 14695981039346656037 }

func (h *tagHash) byte(b byte) {
	*h ^= tagHash(b)
	*h *= 1099511628211
}

func (h *tagHash) int(n int64) {
	for i := range 8 {
		h.byte(byte(n >> (8 * i)))
	}
}

// str adds s and its length, so that no two lists of strings hash alike
// by their concatenation.
func (h *tagHash) str(s string) {
	h.int(int64(len(s)))
	for i := 0; i < len(s); i++ {
		h.byte(s[i])
	}
}

// tag is the hash as a strong entity tag.
func (h tagHash) tag() string {
	const digits = "0123456789abcdef"
	var b [18]byte
	b[0], b[17] = '"', '"'
	for i := 16; i >= 1; i-- {
		b[i] = digits[h&15]
		h >>= 4
	}
	return string(b[:])
}

// notModified answers 304 when the client's copy is current: one of the
// tags of If-None-Match matches the answer's (then If-Modified-Since is
// ignored, RFC 9110 13.2.2), or else If-Modified-Since is at or after the
// channel's stamp. at is the time read before snap was loaded.
func (s *Server) notModified(w http.ResponseWriter, r *http.Request, snap *hub.Snapshot, at time.Time, k hub.Key, extra string) bool {
	var tag string
	if inm := r.Header.Values("If-None-Match"); len(inm) > 0 {
		tag = s.answerTag(r, snap, k, extra)
		if !matchesTag(inm, tag) {
			return false
		}
	} else {
		ims := r.Header.Get("If-Modified-Since")
		if ims == "" {
			return false
		}
		t, err := http.ParseTime(ims)
		if err != nil || snap.Modified().After(t) {
			return false
		}
		tag = s.answerTag(r, snap, k, extra)
	}
	h := w.Header()
	h["Etag"] = []string{tag} // canonical keys: polls are the hot path
	h["Last-Modified"] = []string{httpTime(snap.LastModified(at))}
	writeNotModified(w)
	return true
}

// Shared header values of the hot paths (never appended to).
var (
	noCachePragma  = []string{"no-cache"}
	noCacheControl = []string{"no-cache, no-store, must-revalidate, max-age=0"}
)

// writeNotModified answers 304 with the cache headers a 200 would carry
// (RFC 9110 15.4.5).
func writeNotModified(w http.ResponseWriter) {
	h := w.Header()
	h["Pragma"] = noCachePragma
	h["Cache-Control"] = noCacheControl
	w.WriteHeader(http.StatusNotModified)
}

// setValidators gives an answer made from snap its Last-Modified and ETag
// (none for a channel without messages: nothing to date).
func (s *Server) setValidators(w http.ResponseWriter, r *http.Request, snap *hub.Snapshot, at time.Time, k hub.Key, extra string) {
	if snap.Newest() == nil {
		return
	}
	h := w.Header()
	h["Last-Modified"] = []string{httpTime(snap.LastModified(at))}
	h["Etag"] = []string{s.answerTag(r, snap, k, extra)}
}

func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// matchesTag tells whether the If-None-Match lists hold "*" or tag, by the
// weak comparison (RFC 9110 8.8.3.2: W/"x" matches "x"). A list that
// cannot be read matches up to where it breaks.
func matchesTag(lists []string, tag string) bool {
	for _, l := range lists {
		for {
			l = strings.TrimLeft(l, " \t,")
			if l == "" {
				break
			}
			if l[0] == '*' {
				return true
			}
			l = strings.TrimPrefix(l, "W/")
			if l == "" || l[0] != '"' {
				break
			}
			end := strings.IndexByte(l[1:], '"')
			if end < 0 {
				break
			}
			if l[:end+2] == tag {
				return true
			}
			l = l[end+2:]
		}
	}
	return false
}
