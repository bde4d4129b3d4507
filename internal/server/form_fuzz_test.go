package server

import (
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzReadForm: any body, with any content type, is read or refused with a
// 400 or 413, never a panic; urlencoded bodies keep every field they carry.
func FuzzReadForm(f *testing.F) {
	for _, seed := range []struct{ body, ctype string }{
		{"content=plop", "application/x-www-form-urlencoded"},
		{"content=a;b c<d&last_id=3", ""},
		{"content=%E9t%C3%A9+%zz%", "text/plain"},
		{"--b\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nplop\r\n--b--\r\n", "multipart/form-data; boundary=b"},
		{"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n\x00\r\n--b--", "multipart/form-data; boundary=b"},
		{"x", "multipart/form-data"},
		{"&&==&=%", "application/x-www-form-urlencoded; charset=latin1"},
	} {
		f.Add(seed.body, seed.ctype)
	}
	s := &Server{cfg: testConfig()}
	s.cfg.MaxBodyBytes = 4096
	f.Fuzz(func(t *testing.T, body, ctype string) {
		r := httptest.NewRequest("POST", "/post/", strings.NewReader(body))
		r.Header.Set("Content-Type", ctype)
		w := httptest.NewRecorder()
		form, err := s.readForm(w, r)
		if err != nil {
			e := s.word(r, err)
			if e == nil || e.Status != http.StatusBadRequest && e.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("%q (%q): %v", body, ctype, err)
			}
			return
		}
		if mt, _, _ := mime.ParseMediaType(ctype); mt == "multipart/form-data" {
			return
		}
		// Every "&"-separated piece with a name is a field.
		for pair := range strings.SplitSeq(body, "&") {
			k, _, _ := strings.Cut(pair, "=")
			if k != "" && !form.Has(unescape(k)) {
				t.Fatalf("%q: field %q lost (%v)", body, k, form)
			}
		}
		for k, vs := range form {
			for _, v := range vs {
				if !utf8.ValidString(k+v) && utf8.ValidString(body) && !strings.Contains(body, "%") {
					t.Fatalf("%q: invalid UTF-8 made of valid input: %q=%q", body, k, v)
				}
			}
		}
	})
}
