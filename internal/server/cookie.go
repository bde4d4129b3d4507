package server

import (
	"net/http"
	"strings"
)

// cookie builds each cookie the tribune sets (the session token, the /name
// cookie, the language, the flash message) with the same attributes: the
// tribune's path (its prefix) and TRIBUNE_COOKIE_DOMAIN, HttpOnly (board.js
// reads none of them), SameSite=Lax (a link from another site still shows
// the visitor logged in; cross-site posts get no session, see routes.go),
// and Secure when the site is served over HTTPS. maxAge < 0 deletes it.
func (s *Server) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: s.cookiePath(), Domain: s.cfg.CookieDomain, MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.https(r)}
}

func (s *Server) cookiePath() string {
	if s.cfg.Prefix == "" {
		return "/"
	}
	return s.cfg.Prefix + "/"
}

// https tells whether the site is served over HTTPS: TRIBUNE_SITE_URL says
// so, or the request came over TLS, directly or through a trusted proxy.
func (s *Server) https(r *http.Request) bool {
	return strings.HasPrefix(s.cfg.SiteURL, "https://") || s.requestHTTPS(r)
}
