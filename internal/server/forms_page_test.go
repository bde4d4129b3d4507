package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// flashAfter posts a form as a browser, follows the redirect and returns
// the page it lands on.
func flashAfter(t *testing.T, c *client, path, back string, fields ...string) string {
	t.Helper()
	w := c.post(path, fields...)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != back {
		t.Fatalf("%s %v: %d %v\n%s", path, fields, w.Code, w.Header(), w.Body)
	}
	return checkPage(t, c, back, 200)
}

// errorAlert is how a page shows a refused form's error.
func errorAlert(msg string) string { return `<p class="alert error" role="alert">` + msg + `</p>` }

func noticeAlert(msg string) string { return `<p class="alert notice" role="status">` + msg + `</p>` }

// TestAdminErrorsAreTranslatedAlerts: the administration page's refusals
// are errors (not notices), in the page's language, naming what is wrong.
func TestAdminErrorsAreTranslatedAlerts(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.createUser(t, "chief", model.RoleAdmin)
	tr.st.CreateChannel(t.Context(), "troie", "Troie")
	for _, lang := range []i18n.Lang{i18n.EN, i18n.FR} {
		t.Run(string(lang), func(t *testing.T) {
			c := tr.browser("x")
			c.header.Set("Accept-Language", string(lang))
			c.login(t, "chief")
			tests := []struct {
				fields []string
				want   string
			}{
				{[]string{"op", "create", "slug", "a b", "title", "x"},
					i18n.T(lang, "admin.bad_slug", i18n.T(lang, "admin.slug_chars"))},
				{[]string{"op", "create", "slug", strings.Repeat("a", 76), "title", "x"},
					i18n.T(lang, "admin.bad_slug", i18n.T(lang, "admin.slug_length"))},
				{[]string{"op", "create", "slug", "Remote", "title", "x"},
					i18n.T(lang, "admin.bad_slug", i18n.T(lang, "admin.slug_reserved", "Remote"))},
				{[]string{"op", "moderate", "slug", "troie", "mode", "auto", "moderators", "links:x\nnope:1\njunk\ncaps:", "auto_moderate_as", ""},
					i18n.T(lang, "admin.bad_policy", strings.Join([]string{
						i18n.T(lang, "admin.spec_invalid", "links:x", "links"), i18n.T(lang, "admin.spec_kind", "nope:1"),
						i18n.T(lang, "admin.spec_shape", "junk"), i18n.T(lang, "admin.spec_argument", "caps:")}, " "))},
				{[]string{"op", "moderate", "slug", "troie", "mode", "sometimes", "moderators", "", "auto_moderate_as", ""},
					i18n.T(lang, "admin.bad_policy", i18n.T(lang, "admin.policy_mode", "sometimes"))},
				{[]string{"op", "moderate", "slug", "troie", "mode", "auto", "moderators", "", "auto_moderate_as", "maybe"},
					i18n.T(lang, "admin.bad_policy", i18n.T(lang, "admin.policy_fallback", "maybe"))},
				{[]string{"op", "delete", "slug", "troie"}, i18n.T(lang, "admin.confirm_delete")},
			}
			for _, tt := range tests {
				body := flashAfter(t, c, "/admin/channels", "/admin/", tt.fields...)
				if want := errorAlert(templateEscape(tt.want)); !strings.Contains(body, want) {
					t.Errorf("%v: no %s", tt.fields, want)
				}
				for _, english := range []string{"moderation:", "bad moderator spec", "want KIND", "a channel slug"} {
					if strings.Contains(body, english) {
						t.Errorf("%v: the page shows the internal error %q", tt.fields, english)
					}
				}
			}
			body := flashAfter(t, c, "/admin/channels", "/admin/", "op", "rename", "slug", "troie", "title", "Ilion")
			if want := noticeAlert(i18n.T(lang, "admin.renamed", "Ilion")); !strings.Contains(body, want) {
				t.Errorf("rename: no %s", want)
			}
		})
	}
}

// templateEscape escapes text as html/template does in an element.
func templateEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "+", "&#43;").Replace(s)
}

// TestProfileFormsWithoutJavaScript: the profile's forms come back to the
// profile with their error, worded in the form's terms.
func TestProfileFormsWithoutJavaScript(t *testing.T) {
	tr := sqliteTribune(t, nil)
	tr.createUser(t, "nomad", model.RoleUser)
	c := tr.browser("x")
	tests := []struct {
		path   string
		fields []string
		want   string
	}{
		{"/prefs", []string{"refresh_secs", "1"}, errorAlert(templateEscape(i18n.T(i18n.EN, "prefs.bad_interval")))},
		{"/prefs", []string{"theme", "pink"}, errorAlert(i18n.T(i18n.EN, "prefs.bad_theme"))},
		{"/prefs/filters", []string{"op", "add", "target", "ua", "kind", "*=", "pattern", "  "}, errorAlert(i18n.T(i18n.EN, "filter.need_pattern"))},
		{"/prefs/filters", []string{"op", "add", "target", "nick", "kind", "*=", "pattern", "x"}, errorAlert(i18n.T(i18n.EN, "filter.bad_target"))},
		{"/prefs/filters", []string{"op", "remove", "target", "ua", "kind", "%%", "pattern", "x"}, errorAlert(i18n.T(i18n.EN, "filter.bad_kind"))},
		{"/prefs/filters", []string{"op", "shuffle"}, errorAlert(i18n.T(i18n.EN, "filter.bad_op"))},
		{"/prefs/filters", []string{"op", "save"}, errorAlert(templateEscape(i18n.T(i18n.EN, "bak.registered_only")))},
		{"/prefs/filters", []string{"op", "add", "target", "ua", "kind", "*=", "pattern", "troll"}, noticeAlert(i18n.T(i18n.EN, "bak.added", "ua", "*=", "troll"))},
		{"/prefs", []string{"refresh_secs", "30"}, noticeAlert(i18n.T(i18n.EN, "prefs.saved"))},
	}
	for _, tt := range tests {
		body := flashAfter(t, c, tt.path, "/profile", append(tt.fields, "next", "/profile")...)
		if !strings.Contains(body, tt.want) {
			t.Errorf("%s %v: no %s", tt.path, tt.fields, tt.want)
		}
		if strings.Contains(body, "Option '") {
			t.Errorf("%s %v: the message names a command", tt.path, tt.fields)
		}
	}
	// The password form's refusals are errors too.
	c.login(t, "nomad")
	body := flashAfter(t, c, "/profile/password", "/profile", "current", "nomad-password", "password", "newpassword",
		"password2", "other", "next", "/profile")
	if want := errorAlert(i18n.T(i18n.EN, "account.passwords_differ")); !strings.Contains(body, want) {
		t.Errorf("password: no %s", want)
	}
}
