package server

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// readForm reads a post's body fields, tolerating what real coincoins send:
// urlencoded bodies with raw ";", spaces, "<" and UTF-8 (olcc only encodes
// + & ; %), stray "%" signs, any or no Content-Type, and multipart. Go's
// ParseForm would reject a raw ";" and lose the whole form. Bodies over
// the limit get 413.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	limit := s.cfg.EffectiveMaxBody()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, httpError(http.StatusRequestEntityTooLarge, s.t(r, "error.too_large", limit))
		}
		return nil, httpError(http.StatusBadRequest, s.t(r, "error.bad_form"))
	}
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		vs, err := parseMultipart(body, params["boundary"], limit)
		if err != nil {
			return nil, &Error{Status: http.StatusBadRequest, Msg: s.t(r, "error.bad_form"), Err: err}
		}
		return vs, nil
	}
	return parseURLEncoded(string(body)), nil
}

// parseURLEncoded splits on "&" only and decodes each side leniently.
func parseURLEncoded(body string) url.Values {
	vs := url.Values{}
	for pair := range strings.SplitSeq(body, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		vs.Add(unescape(k), unescape(v))
	}
	return vs
}

// unescape decodes + and valid %XX escapes and keeps anything else as is.
func unescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b.WriteByte(' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// parseMultipart reads the text fields of a multipart body (files are
// skipped: a tribune post has none).
func parseMultipart(body []byte, boundary string, limit int64) (url.Values, error) {
	if boundary == "" {
		return nil, errors.New("multipart body without boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	vs := url.Values{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return vs, nil
		}
		if err != nil {
			return nil, err
		}
		if p.FileName() != "" {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(p, limit))
		if err != nil {
			return nil, err
		}
		vs.Add(p.FormName(), string(b))
	}
}

// messageFieldNames are the fields a message may come in: djangotribune's
// content, the rfm standard's message and linuxfr's board[message].
var messageFieldNames = [...]string{"content", "message", "board[message]"}

// messageField returns the first non-empty message field.
func messageField(vs url.Values) string {
	for _, name := range messageFieldNames {
		if v := vs.Get(name); v != "" {
			return v
		}
	}
	return ""
}

// lastIDNames are the spellings of the last-id argument clients use:
// djangotribune's last_id, jb3's and quteqoin's last, rfm's lastId and
// moules' id.
var lastIDNames = [...]string{"last_id", "last", "lastId", "id"}

// last is the last value of a query argument, "" when absent.
func last(q url.Values, name string) string {
	vs := q[name]
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

// lastID reads the last id under any of its names; a missing, malformed or
// negative value means no lower bound. A number too large for 64 bits is
// the largest id (nothing is newer), not "no bound": a client that sends
// one must not be flooded with the whole backend.
func lastID(q url.Values) int64 {
	for _, name := range lastIDNames {
		if v := last(q, name); v != "" {
			// On overflow ParseInt returns the largest int64, with ErrRange.
			if n, err := strconv.ParseInt(v, 10, 64); (err == nil || errors.Is(err, strconv.ErrRange)) && n > 0 {
				return n
			}
			return 0
		}
	}
	return 0
}

// hasLastID tells whether a form gives a last id, even an empty one.
func hasLastID(form url.Values) bool {
	for _, name := range lastIDNames {
		if len(form[name]) > 0 {
			return true
		}
	}
	return false
}
