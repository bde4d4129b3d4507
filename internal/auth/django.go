package auth

import (
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
)

// Password hashes imported from a Django site (tribune import -from
// djangotribune): the account logs in with its old password, checked
// against the old hash, which is then replaced by an argon2id one
// (Legacy tells the board to). The formats are Django's:
//
//	pbkdf2_sha256$ITERATIONS$SALT$BASE64   pbkdf2_sha1$ITERATIONS$SALT$BASE64
//	sha1$SALT$HEX   md5$SALT$HEX   (SALT empty: unsalted)   HEX (32 digits, unsalted md5)
//
// Iteration counts are bounded: a hostile dump must not make a log-in cost
// minutes of a core.

// MaxPBKDF2Iterations is the most iterations a usable PBKDF2 hash may ask
// for (Django 6 uses 1,200,000).
const MaxPBKDF2Iterations = 2_000_000

// Legacy reports whether hash is an imported Django hash this package can
// check, to be replaced at the next successful log-in.
func Legacy(hash string) bool {
	_, err := parseDjango(hash)
	return err == nil
}

// UsableDjangoHash reports whether a Django password field is a hash an
// account can log in with here. Django marks an account without a usable
// password with a leading "!"; other hashers (bcrypt, argon2, scrypt)
// are not read.
func UsableDjangoHash(hash string) bool { return Legacy(hash) }

type djangoHash struct {
	algo string // pbkdf2_sha256, pbkdf2_sha1, sha1, md5
	iter int
	salt string
	sum  []byte
}

var errNotDjango = errors.New("auth: not a Django hash this tribune reads")

func parseDjango(s string) (djangoHash, error) {
	if len(s) == 32 && isHex(s) { // unsalted md5, Django < 1.4
		sum, _ := hex.DecodeString(s)
		return djangoHash{algo: "md5", sum: sum}, nil
	}
	parts := strings.Split(s, "$")
	switch {
	case len(parts) == 4 && (parts[0] == "pbkdf2_sha256" || parts[0] == "pbkdf2_sha1"):
		iter, err := strconv.Atoi(parts[1])
		if err != nil || iter < 1 || iter > MaxPBKDF2Iterations {
			return djangoHash{}, errNotDjango
		}
		sum, err := base64.StdEncoding.DecodeString(parts[3])
		want := sha256.Size
		if parts[0] == "pbkdf2_sha1" {
			want = sha1.Size
		}
		if err != nil || len(sum) != want {
			return djangoHash{}, errNotDjango
		}
		return djangoHash{algo: parts[0], iter: iter, salt: parts[2], sum: sum}, nil
	case len(parts) == 3 && (parts[0] == "sha1" || parts[0] == "md5"):
		sum, err := hex.DecodeString(parts[2])
		want := md5.Size
		if parts[0] == "sha1" {
			want = sha1.Size
		}
		if err != nil || len(sum) != want {
			return djangoHash{}, errNotDjango
		}
		return djangoHash{algo: parts[0], salt: parts[1], sum: sum}, nil
	}
	return djangoHash{}, errNotDjango
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// verifyDjango checks password against an imported Django hash.
func verifyDjango(s, password string) error {
	d, err := parseDjango(s)
	if err != nil {
		return err
	}
	var got []byte
	switch d.algo {
	case "pbkdf2_sha256":
		if got, err = pbkdf2.Key(sha256.New, password, []byte(d.salt), d.iter, len(d.sum)); err != nil {
			return err
		}
	case "pbkdf2_sha1":
		if got, err = pbkdf2.Key(sha1.New, password, []byte(d.salt), d.iter, len(d.sum)); err != nil {
			return err
		}
	case "sha1":
		s := sha1.Sum([]byte(d.salt + password))
		got = s[:]
	case "md5":
		s := md5.Sum([]byte(d.salt + password))
		got = s[:]
	}
	if subtle.ConstantTimeCompare(got, d.sum) != 1 {
		return ErrMismatch
	}
	return nil
}
