// Package i18n holds every user-facing string of the tribune, in English
// and French, and picks the language of a request.
//
// Catalogues are JSON files embedded in the binary (locales/*.json), one
// key per message; a message may hold fmt verbs. A test checks that both
// languages have the same keys and the same verbs.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"golang.org/x/text/language"
)

// Lang is a supported language.
type Lang string

// The supported languages; English is the default.
const (
	EN Lang = "en"
	FR Lang = "fr"
)

// Langs lists the supported languages.
var Langs = []Lang{EN, FR}

//go:embed locales/*.json
var files embed.FS

var catalogs = func() map[Lang]map[string]string {
	cs := map[Lang]map[string]string{}
	for _, l := range Langs {
		b, err := files.ReadFile(path.Join("locales", string(l)+".json"))
		if err != nil {
			panic(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s.json: %v", l, err))
		}
		cs[l] = m
	}
	return cs
}()

// T returns the message key in lang, formatted with args. A key missing
// from lang falls back to English, and a key missing everywhere is returned
// as is (tests catch both).
func T(lang Lang, key string, args ...any) string {
	s, ok := catalogs[lang][key]
	if !ok {
		s, ok = catalogs[EN][key]
		if !ok {
			return key
		}
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// Has reports whether key exists.
func Has(key string) bool {
	_, ok := catalogs[EN][key]
	return ok
}

// Keys lists the keys of lang's catalogue.
func Keys(lang Lang) []string {
	keys := make([]string, 0, len(catalogs[lang]))
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	return keys
}

var matcher = language.NewMatcher([]language.Tag{language.English, language.French})

// Match picks the language for an Accept-Language header.
func Match(acceptLanguage string) Lang {
	if acceptLanguage == "" {
		return EN
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return EN
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return EN
	}
	return Langs[i]
}

// Parse reads a language code ("fr", "fr-FR", "en"); ok is false for an
// unsupported one.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(s)
	if i := strings.IndexAny(s, "-_"); i > 0 {
		s = s[:i]
	}
	for _, l := range Langs {
		if string(l) == s {
			return l, true
		}
	}
	return EN, false
}
