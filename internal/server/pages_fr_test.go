package server

import (
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// englishMatcher recognises an English catalogue message whose French
// translation differs: a string found on a French page that matches one is
// English left untranslated.
type englishMatcher struct {
	plain    map[string]string // folded English text -> key
	patterns map[string]*regexp.Regexp
}

// fmtVerb matches the fmt verbs the catalogue uses.
var fmtVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)

func newEnglishMatcher() *englishMatcher {
	m := &englishMatcher{plain: map[string]string{}, patterns: map[string]*regexp.Regexp{}}
	for _, k := range i18n.Keys(i18n.EN) {
		en, fr := i18n.T(i18n.EN, k), i18n.T(i18n.FR, k)
		if en == fr {
			continue
		}
		if !fmtVerb.MatchString(en) {
			m.plain[fold(en)] = k
			continue
		}
		parts := fmtVerb.Split(en, -1)
		if len(strings.Join(parts, "")) < 6 {
			continue // too little text to tell languages apart
		}
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(fold(p))
		}
		m.patterns[k] = regexp.MustCompile(`^` + strings.Join(parts, `.+`) + `$`)
	}
	// Go's own English names of the statuses the server answers with.
	for _, code := range []int{400, 401, 403, 404, 405, 409, 413, 429, 500, 503} {
		m.plain[fold(http.StatusText(code))] = "http.StatusText(" + strconv.Itoa(code) + ")"
	}
	return m
}

// fold compares strings whatever their case and spacing ("Not Found" is
// "Not found").
func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// key returns the catalogue key s is the English text of, or "".
func (m *englishMatcher) key(s string) string {
	f := fold(s)
	if k, ok := m.plain[f]; ok {
		return k
	}
	for k, re := range m.patterns {
		if re.MatchString(f) {
			return k
		}
	}
	return ""
}

var (
	scriptOrStyle = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>`)
	anyTag        = regexp.MustCompile(`<[^>]*>`)
	shownAttr     = regexp.MustCompile(`\s(title|placeholder|aria-label|alt|value)="([^"]*)"`)
	valueAttr     = regexp.MustCompile(`^\s*<(option|button|input[^>]*type="hidden")`)
)

// visibleStrings collects what a page shows or reads out: its text nodes
// and the title, placeholder, aria-label, alt and value attributes. The
// values of options, buttons and hidden inputs are left out: they are
// codes for the server, never shown.
func visibleStrings(page string) []string {
	page = scriptOrStyle.ReplaceAllString(page, "")
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(html.UnescapeString(s)); s != "" {
			out = append(out, s)
		}
	}
	last := 0
	for _, loc := range anyTag.FindAllStringIndex(page, -1) {
		add(page[last:loc[0]])
		last = loc[1]
		tag := page[loc[0]:loc[1]]
		for _, a := range shownAttr.FindAllStringSubmatch(tag, -1) {
			if a[1] == "value" && valueAttr.MatchString(tag) {
				continue
			}
			add(a[2])
		}
	}
	add(page[last:])
	return out
}

// TestFrenchPagesHaveNoEnglish crawls every kind of page in French and
// fails on any string that is the English text of a message translated
// otherwise.
func TestFrenchPagesHaveNoEnglish(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.st.CreateChannel(t.Context(), "troie", "Troie")
	tr.st.SetModeration(t.Context(), "troie", "manual", nil, "")
	tr.createUser(t, "chief", model.RoleAdmin)
	tr.createUser(t, "modo", model.RoleModerator)
	tr.createUser(t, "nomad", model.RoleUser)
	tr.client("Poster").say("/", "bonjour 12:00:00")
	tr.client("Poster").post("/troie/post/", "content", "en attente")

	browser := func(login string) *client {
		c := tr.browser("Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0")
		c.header.Set("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5")
		if login != "" {
			c.login(t, login)
		}
		return c
	}
	anon, nomad, modo, chief := browser(""), browser("nomad"), browser("modo"), browser("chief")
	nomad.post("/troie/", "content", "mon message")
	pages := []struct {
		c      *client
		path   string
		status int
	}{
		{anon, "/", 200},
		{anon, "/noscript/", 200},
		{anon, "/multi/", 200},
		{anon, "/login", 200},
		{anon, "/signup", 200},
		{nomad, "/troie/", 200},
		{nomad, "/profile", 200},
		{modo, "/moderation/", 200},
		{chief, "/admin/", 200},
		{anon, "/nope/remote/extra", 404},
		{anon, "/admin/", 303},
		{nomad, "/admin/", 403},
	}
	m := newEnglishMatcher()
	for _, p := range pages {
		w := p.c.get(p.path)
		if w.Code != p.status {
			t.Errorf("%s: %d, want %d", p.path, w.Code, p.status)
			continue
		}
		if w.Code == 303 {
			continue
		}
		body := w.Body.String()
		if !strings.Contains(body, `<html lang="fr"`) {
			t.Errorf("%s is not in French", p.path)
		}
		for _, s := range visibleStrings(body) {
			if k := m.key(s); k != "" {
				t.Errorf("%s shows %q, the English of %s", p.path, s, k)
			}
			if k := untranslated.FindString(s); k != "" {
				t.Errorf("%s shows the catalogue key %q", p.path, k)
			}
		}
	}
}

func TestVisibleStrings(t *testing.T) {
	page := `<html><head><title>Not Found</title><script>var x = "Log in";</script></head>
<body><a href="/" title="Back &amp; forth">Home</a> <input placeholder="Your message" value="typed">
<input type="hidden" name="op" value="Remove"><select><option value="Reject">Refuser</option></select>
<img alt="Digits" src="x"><button aria-label="Close">×</button></body></html>`
	got := strings.Join(visibleStrings(page), "|")
	want := "Not Found|Back & forth|Home|Your message|typed|Refuser|Digits|Close|×"
	if got != want {
		t.Errorf("visibleStrings:\n got %s\nwant %s", got, want)
	}
	m := newEnglishMatcher()
	for s, want := range map[string]string{
		"Log in":                 "login.title",
		"Skip to the   messages": "nav.skip",
		"Messages waiting: 3":    "moderation.queue_size",
		"Se connecter":           "",
		"nomad":                  "",
	} {
		if got := m.key(s); (got == "") != (want == "") || want != "" && i18n.T(i18n.EN, got) != i18n.T(i18n.EN, want) {
			t.Errorf("key(%q) = %q, want %q", s, got, want)
		}
	}
}
