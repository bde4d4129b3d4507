package server

import (
	"net/http"
	"net/url"

	"github.com/tribune-go/tribune/internal/model"
)

// siteURL is the public base URL: the configured one, or the request's
// scheme and host.
func (s *Server) siteURL(r *http.Request) string {
	if s.cfg.SiteURL != "" {
		return s.cfg.SiteURL
	}
	scheme := "http"
	if s.requestHTTPS(r) {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// requestHTTPS tells whether the request came over TLS, to us or to a
// trusted proxy that says so (X-Forwarded-Proto).
func (s *Server) requestHTTPS(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" && s.fromTrustedProxy(r)
}

// siteName is the configured site name, or the site's host.
func (s *Server) siteName(r *http.Request) string {
	if s.cfg.SiteName != "" {
		return s.cfg.SiteName
	}
	if u, err := url.Parse(s.siteURL(r)); err == nil && u.Host != "" {
		return u.Hostname()
	}
	return "tribune"
}

// channelPath is the path of a channel's root, with a final slash.
func (s *Server) channelPath(c model.Channel) string {
	if c.IsDefault() {
		return s.cfg.Prefix + "/"
	}
	return s.cfg.Prefix + "/" + c.Slug + "/"
}

// boardURL is the XML site attribute: the request's channel's public root
// URL.
func (s *Server) boardURL(r *http.Request) string {
	return s.siteURL(r) + s.channelPath(visitOf(r).channel)
}
