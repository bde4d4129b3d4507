package auth_test

import (
	"errors"
	"testing"

	"github.com/tribune-go/tribune/internal/auth"
)

func TestNewName(t *testing.T) {
	tests := []struct {
		name, stored string
		mixed, bad   bool
	}{
		{name: "admin", stored: "admin"},
		{name: "Élodie", stored: "Élodie"},
		{name: "E\u0301lodie", stored: "Élodie"}, // NFC
		{name: "José", stored: "José"},
		{name: "Дмитрий", stored: "Дмитрий"},
		{name: "Ελένη", stored: "Ελένη"},
		{name: "日本", stored: "日本"},
		{name: "山田たろう", stored: "山田たろう"}, // Han and Hiragana: Japanese
		{name: "Taro山田", stored: "Taro山田"},
		{name: "김철수", stored: "김철수"},
		{name: "user_42", stored: "user_42"},
		{name: "ａｄｍｉｎ", stored: "admin"}, // wide forms
		{name: "аdmin", mixed: true},     // Cyrillic а
		{name: "pаypal", mixed: true},
		{name: "Αlice", mixed: true},    // Greek Alpha
		{name: "user৩", mixed: true},    // a Bengali digit
		{name: "user٣", bad: true},      // an Arabic-Indic digit: the bidi rule
		{name: "김Дмитрий", mixed: true}, // Hangul and Cyrillic
		{name: "ﬁne", bad: true},        // a compatibility ligature
		{name: "Ⅻ", bad: true},
		{name: "a", bad: true},
		{name: "has space", bad: true},
		{name: "a\u200db", bad: true}, // zero-width joiner
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stored, skel, err := auth.NewName(tc.name)
			switch {
			case tc.mixed:
				if !errors.Is(err, auth.ErrMixedScripts) {
					t.Errorf("NewName(%q) = %q, %v; want mixed scripts", tc.name, stored, err)
				}
			case tc.bad:
				if err == nil || errors.Is(err, auth.ErrMixedScripts) {
					t.Errorf("NewName(%q) = %q, %v; want refused", tc.name, stored, err)
				}
			case err != nil || stored != tc.stored || skel == "":
				t.Errorf("NewName(%q) = %q, %q, %v; want %q", tc.name, stored, skel, err, tc.stored)
			}
		})
	}
}

func TestSkeleton(t *testing.T) {
	alike := [][2]string{
		{"admin", "аdmin"}, // Cyrillic а
		{"admin", "adrnin"},
		{"admin", "ａｄｍｉｎ"},
		{"scope", "ѕсоре"}, // all Cyrillic
		{"Scope", "Ѕсоре"},
		{"paypal", "раураl"},
		{"l33t", "I33t"}, // a capital i
		{"bobl", "bob1"},
		{"anonO", "anon0"},
		{"Élodie", "E\u0301lodie"},
	}
	for _, p := range alike {
		if a, b := auth.Skeleton(p[0]), auth.Skeleton(p[1]); a != b {
			t.Errorf("%q (%q) and %q (%q) do not look alike", p[0], a, p[1], b)
		}
	}
	apart := [][2]string{
		{"admin", "Admin"}, // the same account by its key, not by its looks
		{"i33t", "l33t"},
		{"Scope", "scope"},
		{"admin", "admins"},
		{"Élodie", "Elodie"},
		{"José", "Jose"},
		{"bob", "rob"},
		{"Дмитрий", "Dmitri"},
	}
	for _, p := range apart {
		if auth.Skeleton(p[0]) == auth.Skeleton(p[1]) {
			t.Errorf("%q and %q look alike", p[0], p[1])
		}
	}
}
