package server

import (
	"encoding/base64"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/markup"
)

// The identity of a post (the XML <info>) is, as in djangotribune, the name
// chosen with /name (kept base64-encoded in a cookie) or else the browser's
// User-Agent, "coward" when that is too short. It is stored as typed and
// escaped only by each output.

// Lengths are counted in characters (runes), never bytes: "éé" is two.

// maxIdentity is the longest identity kept, in characters.
const maxIdentity = 150

// coward is the identity of a poster without a usable user agent.
const coward = "coward"

// identity is the info text of the requester's next post.
func (s *Server) identity(r *http.Request) string {
	if name := s.chosenName(r); name != "" {
		return name
	}
	ua := userAgent(r)
	if utf8.RuneCountInString(ua) < s.cfg.UALengthMin {
		return coward
	}
	return cut(ua, maxIdentity)
}

// userAgent decodes the User-Agent header as UTF-8, or Latin-1 when it is
// not valid UTF-8, and cleans it as djangotribune did.
func userAgent(r *http.Request) string {
	ua := r.Header.Get("User-Agent")
	if !utf8.ValidString(ua) {
		runes := make([]rune, len(ua))
		for i := 0; i < len(ua); i++ {
			runes[i] = rune(ua[i])
		}
		ua = string(runes)
	}
	ua = strings.ReplaceAll(ua, "&nbsp;", "")
	return strings.TrimSpace(markup.Sanitize(ua))
}

// chosenName reads the name cookie; "" when there is none or it is not
// valid (djangotribune answered 500 to a bad cookie).
func (s *Server) chosenName(r *http.Request) string {
	c, err := r.Cookie(s.cfg.UACookieName)
	if err != nil {
		return ""
	}
	v := strings.Trim(c.Value, `"`)
	if len(v) <= 2 {
		return ""
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		if b, err = base64.URLEncoding.DecodeString(v); err != nil {
			return ""
		}
	}
	name := strings.TrimSpace(markup.Sanitize(string(b)))
	if utf8.RuneCountInString(name) < s.cfg.UALengthMin {
		return ""
	}
	return cut(name, maxIdentity)
}

// nameCookie is the cookie /name sets: the name in base64, quoted as
// Python's cookie library quoted it (the value holds "=").
func (s *Server) nameCookie(name string) *http.Cookie {
	c := &http.Cookie{Name: s.cfg.UACookieName, Path: "/", Domain: s.cfg.CookieDomain}
	if utf8.RuneCountInString(name) < s.cfg.UALengthMin {
		c.MaxAge = -1
		return c
	}
	c.Value = base64.StdEncoding.EncodeToString([]byte(name))
	c.Quoted = true
	c.MaxAge = s.cfg.UACookieMaxAge
	return c
}

// cut keeps the first n characters of s.
func cut(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
