package auth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/auth"
)

// Hashes of "password" in Django's formats, computed with Python's hashlib
// as Django's hashers do.
func TestDjangoHashes(t *testing.T) {
	for _, tc := range []struct{ name, hash string }{
		{"pbkdf2_sha256", "pbkdf2_sha256$10000$Xy7salt$ml9FXWxuWCIeZ/wvQF9tC55qWRPMpRRnh+EmTiEgskY="},
		{"pbkdf2_sha1", "pbkdf2_sha1$1000$s4lt$LcV9NnUBE5jSbSeX/3XN4keoYEk="},
		{"sha1", "sha1$4d3a8$421c3f91a319d88b6398ed26180744b3ee8687ea"},
		{"md5", "md5$abcde$871108235bfefede288620664f44ada8"},
		{"unsalted md5", "5f4dcc3b5aa765d61d8327deb882cf99"},
		{"unsalted sha1", "sha1$$5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !auth.Legacy(tc.hash) {
				t.Fatalf("Legacy(%q) = false", tc.hash)
			}
			if err := auth.Verify(tc.hash, "password"); err != nil {
				t.Errorf("Verify: %v", err)
			}
			if err := auth.Verify(tc.hash, "Password"); !errors.Is(err, auth.ErrMismatch) {
				t.Errorf("Verify with a wrong password: %v", err)
			}
		})
	}
}

func TestDjangoHashesRefused(t *testing.T) {
	for _, tc := range []struct{ name, hash string }{
		{"unusable", "!Qx9abcdef"},
		{"empty", ""},
		{"too many iterations", "pbkdf2_sha256$2000001$salt$ml9FXWxuWCIeZ/wvQF9tC55qWRPMpRRnh+EmTiEgskY="},
		{"zero iterations", "pbkdf2_sha256$0$salt$ml9FXWxuWCIeZ/wvQF9tC55qWRPMpRRnh+EmTiEgskY="},
		{"negative iterations", "pbkdf2_sha256$-1$salt$ml9FXWxuWCIeZ/wvQF9tC55qWRPMpRRnh+EmTiEgskY="},
		{"short key", "pbkdf2_sha256$1000$salt$AAAA"},
		{"bad base64", "pbkdf2_sha256$1000$salt$!!!"},
		{"bad hex", "sha1$salt$zz"},
		{"bcrypt", "bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuu"},
		{"argon2 of django", "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA"},
		{"upper-case md5", strings.ToUpper("5f4dcc3b5aa765d61d8327deb882cf99")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if auth.Legacy(tc.hash) {
				t.Errorf("Legacy(%q) = true", tc.hash)
			}
			if err := auth.Verify(tc.hash, "password"); err == nil {
				t.Errorf("Verify(%q) accepted the password", tc.hash)
			}
		})
	}
}
