package auth

import (
	"errors"
	"fmt"
	"slices"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/secure/precis"
)

// Look-alike account names. A new name must be a PRECIS identifier (RFC
// 8265), be written in one script, and not look like an existing one: two
// names look alike when their skeletons (Unicode TS #39) are equal.
//
// The profile is UsernameCasePreserved: it refuses unassigned,
// compatibility and control characters and maps wide forms to their usual
// ones (ａｄｍｉｎ is admin), in NFC, and keeps the case the user chose,
// which is how the name is shown. The comparison UsernameCaseMapped would
// add, ignoring case, the accounts already make with their key (the name
// in lower case): Admin is admin. The skeleton is taken of the name as
// shown, case and all, because that is what readers compare: I33t (a
// capital i) looks like l33t, while i33t does not.

// ErrMixedScripts refuses a name that mixes scripts: аdmin with a
// Cyrillic а looks exactly like admin.
var ErrMixedScripts = errors.New("a user name is written in one script (Latin, Cyrillic, Greek…), with digits and - _ .")

// NewName checks the name of a new account: ValidUsername's rules, the
// PRECIS profile, one script. It returns the name as stored (wide forms
// mapped, NFC) and its skeleton, which must not be an existing account's.
func NewName(name string) (stored, skeleton string, err error) {
	stored, err = precis.UsernameCasePreserved.String(name)
	if err != nil {
		return "", "", fmt.Errorf("a user name holds letters and digits, not symbols, compatibility forms or unassigned characters (%w)", err)
	}
	if err := ValidUsername(stored); err != nil {
		return "", "", err
	}
	if mixedScripts(stored) {
		return "", "", ErrMixedScripts
	}
	return stored, Skeleton(stored), nil
}

// LookupName is the form an account is looked up by: wide forms mapped,
// NFC, as NewName stores names; the name as given if the profile refuses
// it (an older account's).
func LookupName(name string) string {
	if n, err := precis.UsernameCasePreserved.String(name); err == nil {
		return n
	}
	return name
}

// Skeleton is the key under which look-alike names are equal: the TS #39
// skeleton of the name as shown (LookupName's form).
func Skeleton(name string) string { return confusables.Skeleton(LookupName(name)) }

// mixedScripts reports whether name mixes scripts beyond what TS #39 calls
// highly restrictive: one script, or Latin with the scripts Chinese,
// Japanese or Korean are written with. Common and inherited characters
// (digits, - _ ., combining marks) count for none.
func mixedScripts(name string) bool {
	var used []string
	for _, r := range name {
		if s := script(r); s != "" && !slices.Contains(used, s) {
			used = append(used, s)
		}
	}
	if len(used) <= 1 {
		return false
	}
	for _, allowed := range cjk {
		if allInside(used, allowed) {
			return false
		}
	}
	return true
}

// cjk are the sets of scripts a name may mix (TS #39, section 5.2).
var cjk = [][]string{
	{"Latin", "Han", "Hiragana", "Katakana"},
	{"Latin", "Han", "Bopomofo"},
	{"Latin", "Han", "Hangul"},
}

func allInside(used, allowed []string) bool {
	for _, s := range used {
		if !slices.Contains(allowed, s) {
			return false
		}
	}
	return true
}

// script names r's script, "" for Common and Inherited ones.
func script(r rune) string {
	if unicode.In(r, unicode.Common, unicode.Inherited) {
		return ""
	}
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return ""
}
