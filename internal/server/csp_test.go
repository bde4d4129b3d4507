package server

import (
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
)

// The pages may load images from the site and from the totoz server's
// host only; with no totoz server, from the site only.
func TestCSPImagesFromTheTotozServerOnly(t *testing.T) {
	for _, c := range []struct{ setting, want string }{
		{"https://totoz.eu/img/{name}", "img-src 'self' data: https://totoz.eu;"},
		{"http://totoz.example:8080/{0}.gif", "img-src 'self' data: http://totoz.example:8080;"},
		{"/totoz/{name}", "img-src 'self' data:;"},
		{"", "img-src 'self' data:;"},
	} {
		tr := sqliteTribune(t, func(cfg *config.Config) { cfg.SmileysURL = c.setting })
		w := tr.browser("Mozilla/5.0").get("/")
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, c.want) || strings.Contains(csp, "*") {
			t.Errorf("setting %q: CSP %q, want %q", c.setting, csp, c.want)
		}
		if body := w.Body.String(); !strings.Contains(body, `totozURL`) {
			t.Errorf("setting %q: the board is not told the totoz server", c.setting)
		}
	}
	if def := config.Default(); def.SmileysURL != "https://totoz.eu/img/{name}" {
		t.Errorf("default totoz server %q", def.SmileysURL)
	}
	// A setting without the name's place, or not a web address, is refused
	// at start-up.
	for _, bad := range []string{"https://totoz.eu/img/", "javascript:alert(1)//{name}"} {
		cfg := config.Default()
		cfg.SmileysURL = bad
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "TRIBUNE_SMILEYS_URL") {
			t.Errorf("setting %q: %v", bad, err)
		}
	}
}
