package server

import (
	"net/http"
	"strconv"

	"github.com/tribune-go/tribune/internal/backend"
	"github.com/tribune-go/tribune/internal/version"
)

// discovery serves the board configuration file coincoins' wizards and
// humans read: where the XML backend and the post route are, in
// djangotribune's shape (ElementTree style: sorted attributes, " />").
func (s *Server) discovery(w http.ResponseWriter, r *http.Request) error {
	c := visitOf(r).channel
	site := s.siteURL(r)
	name := s.siteName(r)
	title := "Tribune"
	if !c.IsDefault() {
		name += " - " + c.Title
		title = "Tribune /" + c.Slug + "/"
	}
	b := s.discoveryDoc(site, name, title, s.channelPath(c))
	h := w.Header()
	h.Set("Content-Type", "application/xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if r.Method != http.MethodHead {
		w.Write(b)
	}
	return nil
}

// discoveryDoc is the discovery file of the board at root.
func (s *Server) discoveryDoc(site, name, title, root string) []byte {
	public := strconv.FormatBool(!s.cfg.Locked)
	anonymous := strconv.FormatBool(!s.cfg.Locked && s.cfg.RemoteAnonymousPost)
	b := []byte(backend.XMLDeclaration)
	b = appendTag(b, "site", false, "baseurl", site, "name", name, "title", name, "version", version.String())
	b = appendTag(b, "board", false, "name", "board", "title", title)
	b = appendTag(b, "backend", true, "path", root+"remote/xml/", "public", public,
		"refresh", strconv.Itoa(s.cfg.RefreshShifting/1000), "tags_encoded", "false")
	b = appendTag(b, "post", false, "anonymous", anonymous, "max_length", strconv.Itoa(s.cfg.PostMaxLength),
		"method", "post", "path", root+"post/xml/")
	return append(b, `<field name="content">$m</field></post></board></site>`...)
}

// appendTag writes an opening (or, when empty, self-closing) tag with
// attributes given as name, value pairs in sorted order.
func appendTag(b []byte, name string, empty bool, attrs ...string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	for i := 0; i+1 < len(attrs); i += 2 {
		b = append(b, ' ')
		b = append(b, attrs[i]...)
		b = append(b, `="`...)
		b = backend.AppendAttr(b, attrs[i+1])
		b = append(b, '"')
	}
	if empty {
		return append(b, " />"...)
	}
	return append(b, '>')
}
