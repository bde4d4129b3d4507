// Package auth hashes and checks account passwords (argon2id), validates
// account names and tells those that look alike (names.go).
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's costs. The hash records them, so changing them only
// affects new hashes.
type Params struct {
	MemoryKiB uint32
	Time      uint32
	Threads   uint8
}

// DefaultParams follows the RFC 9106 second recommendation (64 MiB, 3
// passes would be the first; 2 passes keeps log-ins quick on small
// machines).
var DefaultParams = Params{MemoryKiB: 64 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Hash returns the PHC string of password:
// $argon2id$v=19$m=65536,t=2,p=1$<salt>$<key>.
func Hash(password string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// ErrMismatch is returned by Verify for a wrong password.
var ErrMismatch = errors.New("auth: wrong password")

// Verify checks password against a PHC string made by Hash, or against an
// imported Django hash (django.go). An account without a password (hash
// "") matches none.
func Verify(hash, password string) error {
	if hash == "" {
		return ErrMismatch
	}
	if !strings.HasPrefix(hash, "$") {
		return verifyDjango(hash, password)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("auth: unknown hash format")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return errors.New("auth: unknown argon2 version")
	}
	var p Params
	// argon2.IDKey panics on zero passes or threads, and a corrupted hash
	// must not make a log-in allocate gigabytes: refuse them here.
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil ||
		p.Time == 0 || p.Threads == 0 || p.Time > 100 || p.MemoryKiB > 4<<20 {
		return errors.New("auth: bad argon2 parameters")
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return errors.New("auth: bad salt")
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		// An empty key would make argon2.IDKey panic.
		return errors.New("auth: bad key")
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrMismatch
	}
	return nil
}

// ValidUsername checks an account name: 2 to 30 characters, letters,
// digits, and "-", "_", "." inside; no spaces, so a login is always one
// word in a /bak rule or a bigorno (name<).
func ValidUsername(name string) error {
	n := utf8.RuneCountInString(name)
	if n < 2 || n > 30 {
		return errors.New("a user name has 2 to 30 characters")
	}
	for i, r := range name {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
		case (r == '-' || r == '_' || r == '.') && i > 0:
		default:
			return fmt.Errorf("a user name holds letters, digits, and -, _ or . after the first character (not %q)", r)
		}
	}
	return nil
}

// ValidPassword checks a new password's length.
func ValidPassword(pw string) error {
	if n := utf8.RuneCountInString(pw); n < 8 || n > 200 {
		return errors.New("a password has 8 to 200 characters")
	}
	return nil
}
