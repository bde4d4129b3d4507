package store_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/store"
)

// A store opened with Lock holds the SQLite database's lock until it is
// closed: another one opened with Lock is refused, naming the holder; a
// store without Lock (a management command) opens all the same.
func TestLockOneServerPerFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tribune.db")
	locked := opts()
	locked.Lock = true
	first, err := store.Open(ctx, path, locked)
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Open(ctx, path, locked)
	var le *store.LockedError
	if !errors.As(err, &le) || le.Path != path+".lock" || !strings.HasPrefix(le.Holder, fmt.Sprintf("pid %d on host ", os.Getpid())) {
		t.Fatalf("second server: %v", err)
	}
	for _, w := range []string{fmt.Sprintf("pid %d", os.Getpid()), path, "PostgreSQL"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not say %q", err, w)
		}
	}
	other, err := store.Open(ctx, path, opts())
	if err != nil {
		t.Fatalf("a store without Lock: %v", err)
	}
	other.Close()

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path + ".lock"); err != nil || len(b) != 0 {
		t.Errorf("the lock file after Close: %q, %v", b, err)
	}
	again, err := store.Open(ctx, path, locked)
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	again.Close()
}
