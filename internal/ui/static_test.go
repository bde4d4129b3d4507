package ui

import (
	"net/http/httptest"
	"path"
	"strings"
	"testing"
)

// A module importing another loads it by its fingerprinted name: the one
// the page's own script tag uses, so the browser runs it once.
func TestModulesImportFingerprints(t *testing.T) {
	e, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	e.Static.ServeHTTP(w, httptest.NewRequest("GET", "/static/"+e.Static.Path("history.js"), nil))
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `from "./`+path.Base(e.Static.Path("board.js"))+`"`) {
		t.Fatalf("history.js: %d, imports %q", w.Code, body[strings.Index(body, "import"):][:80])
	}
	if strings.Contains(body, `from "./board.js"`) {
		t.Error("history.js still imports board.js by its plain name, which is not served")
	}
}
