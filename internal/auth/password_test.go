package auth_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/auth"
)

// small keeps the tests fast; the hash records its parameters.
var small = auth.Params{MemoryKiB: 64, Time: 1, Threads: 1}

func hash(t *testing.T, pw string, p auth.Params) string {
	t.Helper()
	h, err := auth.Hash(pw, p)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHashVerify(t *testing.T) {
	passwords := []string{"correct horse", "ünïcødé pässwörd ✓", strings.Repeat("x", 200), "with $ dollars $", " spaces "}
	for _, pw := range passwords {
		t.Run(pw[:min(len(pw), 20)], func(t *testing.T) {
			h := hash(t, pw, small)
			if err := auth.Verify(h, pw); err != nil {
				t.Errorf("Verify(right password) = %v", err)
			}
			for _, wrong := range []string{"", pw + "x", pw[:len(pw)-1], strings.ToUpper(pw), " " + pw} {
				if wrong == pw {
					continue
				}
				if err := auth.Verify(h, wrong); !errors.Is(err, auth.ErrMismatch) {
					t.Errorf("Verify(%q) = %v, want ErrMismatch", wrong, err)
				}
			}
		})
	}
}

func TestHashFormat(t *testing.T) {
	p := auth.Params{MemoryKiB: 64, Time: 2, Threads: 1}
	h := hash(t, "password", p)
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=64,t=2,p=1" {
		t.Fatalf("hash %q is not a PHC argon2id string with the given parameters", h)
	}
	// 16-byte salt and 32-byte key, unpadded base64 (the only "=" are
	// those of v=, m=, t= and p=).
	if len(parts[4]) != 22 || len(parts[5]) != 43 || strings.Count(h, "=") != 4 {
		t.Errorf("salt %q / key %q lengths", parts[4], parts[5])
	}
	// The parameters are read back from the hash, not from the defaults.
	if err := auth.Verify(h, "password"); err != nil {
		t.Errorf("Verify with non-default parameters: %v", err)
	}
}

func TestSaltedHashesDiffer(t *testing.T) {
	a, b := hash(t, "same password", small), hash(t, "same password", small)
	if a == b {
		t.Fatalf("two hashes of one password are equal: %s", a)
	}
	if strings.Split(a, "$")[4] == strings.Split(b, "$")[4] {
		t.Error("two hashes share their salt")
	}
	for _, h := range []string{a, b} {
		if err := auth.Verify(h, "same password"); err != nil {
			t.Errorf("Verify(%s) = %v", h, err)
		}
	}
}

func TestVerifyMalformed(t *testing.T) {
	good := hash(t, "password", small)
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct{ name, hash string }{
		{"empty", ""},
		{"garbage", "not a hash"},
		{"django pbkdf2", "pbkdf2_sha256$260000$salt$key"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", with(1, "argon2i")},
		{"too few parts", strings.Join(parts[:5], "$")},
		{"too many parts", good + "$extra"},
		{"no version", with(2, "")},
		{"other version", with(2, "v=16")},
		{"bad version", with(2, "v=x")},
		{"no parameters", with(3, "")},
		{"bad parameters", with(3, "m=a,t=1,p=1")},
		{"missing parameter", with(3, "m=64,t=1")},
		{"bad salt", with(4, "!!!")},
		{"bad key", with(5, "!!!")},
		{"padded key", with(5, parts[5]+"=")},
		{"zero time", with(3, "m=64,t=0,p=1")},
		{"zero threads", with(3, "m=64,t=1,p=0")},
		{"threads overflow", with(3, "m=64,t=1,p=256")},
		{"negative memory", with(3, "m=-1,t=1,p=1")},
		{"empty key", with(5, "")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
						t.Errorf("Verify(%q) panicked: %v", tc.hash, r)
					}
				}()
				err = auth.Verify(tc.hash, "password")
			}()
			if err == nil {
				t.Errorf("Verify(%q) accepted the password", tc.hash)
			}
		})
	}
}

func TestValidUsername(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"ab", true},
		{"superman", true},
		{"Super_Man-2.0", true},
		{"élodie", true},
		{"日本", true},
		{"user42", true},
		{"42", true},
		{strings.Repeat("a", 30), true},
		{strings.Repeat("é", 30), true}, // counted in characters, not bytes
		{"a", false},
		{"", false},
		{strings.Repeat("a", 31), false},
		{"with space", false},
		{"-dash", false},
		{"_under", false},
		{".dot", false},
		{"a-", true},
		{"tab\tname", false},
		{"name<", false},
		{"name@host", false},
		{"new\nline", false},
		{"a\u00a0b", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := auth.ValidUsername(tc.name); (err == nil) != tc.ok {
				t.Errorf("ValidUsername(%q) = %v, want ok=%v", tc.name, err, tc.ok)
			}
		})
	}
}

func TestValidPassword(t *testing.T) {
	tests := []struct {
		pw string
		ok bool
	}{
		{"", false},
		{"1234567", false},
		{"12345678", true},
		{"ééééééé", false}, // 7 characters, 14 bytes
		{"éééééééé", true},
		{strings.Repeat("x", 200), true},
		{strings.Repeat("x", 201), false},
		{strings.Repeat("é", 200), true},
		{"with spaces ok", true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(len(tc.pw)), func(t *testing.T) {
			if err := auth.ValidPassword(tc.pw); (err == nil) != tc.ok {
				t.Errorf("ValidPassword(%q) = %v, want ok=%v", tc.pw, err, tc.ok)
			}
		})
	}
}
