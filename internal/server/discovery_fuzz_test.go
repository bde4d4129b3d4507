package server

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"
)

// FuzzDiscovery: whatever a channel's title, the site's name or the host
// holds, the discovery file is well-formed XML.
func FuzzDiscovery(f *testing.F) {
	f.Add("http://example.com", "example.com", "Troie", "/troie/")
	f.Add("http://a&b\"<c>", "site\v\x00\uFFFE", "title\x1b[0m\xff\xfe", "/\n/")
	s := &Server{cfg: testConfig()}
	f.Fuzz(func(t *testing.T, site, name, title, root string) {
		doc := s.discoveryDoc(site, name+" - "+title, "Tribune /"+title+"/", root)
		d := xml.NewDecoder(bytes.NewReader(doc))
		for {
			_, err := d.Token()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("%v\n%q", err, doc)
			}
		}
	})
}
