package server

import (
	"net/url"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
)

// TestLookAlikeNames: sign-up refuses a name that looks like an existing
// account's (аdmin with a Cyrillic а, adrnin), or mixes scripts, and takes
// accented and non-Latin names written in one script.
func TestLookAlikeNames(t *testing.T) {
	eachTribune(t, nil, func(t *testing.T, tr *tribune) {
		// An account from before skeletons: the store alone, none.
		tr.createUser(t, "admin", model.RoleAdmin)
		signUp := func(name string, headers ...string) (int, string) {
			t.Helper()
			form := "username=" + url.QueryEscape(name) + "&password=longenough"
			w := tr.client("x").do("POST", "/signup", form, headers...)
			return w.Code, w.Body.String()
		}
		for _, name := range []string{"scope", "l33t"} {
			if code, body := signUp(name); code != 200 {
				t.Fatalf("sign-up of %s: %d %q", name, code, body)
			}
		}
		refused := []struct {
			name   string
			status int
			body   string
		}{
			{"аdmin", 400, "A user name is written in one script (Latin, Cyrillic, Greek…), not a mix of them."}, // Cyrillic а
			{"pаypal", 400, "A user name is written in one script (Latin, Cyrillic, Greek…), not a mix of them."},
			{"ѕсоре", 409, "The name ѕсоре looks too much like an existing user's name."}, // all Cyrillic
			{"adrnin", 409, "The name adrnin looks too much like an existing user's name."},
			{"I33t", 409, "The name I33t looks too much like an existing user's name."}, // a capital i
			{"Admin", 409, "The name Admin is already taken."},
			{"ａｄｍｉｎ", 409, "The name admin is already taken."}, // wide forms
			{"ﬁne", 400, "A user name has 2 to 30 characters: letters, digits, and - _ . after the first one."},
		}
		for _, r := range refused {
			if code, body := signUp(r.name); code != r.status || body != r.body {
				t.Errorf("sign-up of %q: %d %q, want %d %q", r.name, code, body, r.status, r.body)
			}
		}
		if code, body := signUp("аdmin", "Accept-Language", "fr"); code != 400 ||
			body != "Un nom d'utilisateur s'écrit dans une seule écriture (latine, cyrillique, grecque…), sans les mélanger." {
			t.Errorf("in French: %d %q", code, body)
		}
		if code, body := signUp("adrnin", "Accept-Language", "fr"); code != 409 ||
			body != "Le nom adrnin ressemble trop à celui d'un utilisateur existant." {
			t.Errorf("in French: %d %q", code, body)
		}
		for _, name := range []string{"Élodie", "José", "Дмитрий", "日本", "Ελένη"} {
			if code, body := signUp(name); code != 200 {
				t.Errorf("sign-up of %q: %d %q", name, code, body)
			}
			if w := tr.logIn("198.51.100.9:1", name, "longenough"); w.Code != 200 {
				t.Errorf("log-in as %q: %d %q", name, w.Code, w.Body)
			}
		}
		// A name typed decomposed is the same account.
		if w := tr.logIn("198.51.100.9:1", "E\u0301lodie", "longenough"); w.Code != 200 {
			t.Errorf("log-in as a decomposed Élodie: %d %q", w.Code, w.Body)
		}
		if code, _ := signUp("E\u0301LODIE"); code != 409 {
			t.Errorf("a decomposed ÉLODIE signed up: %d", code)
		}
	})
}
