package store

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// A server on SQLite holds an exclusive lock on a file beside the database
// (tribune.db.lock) for as long as it runs: a second server on the same
// file would commit to it happily, but its snapshots and live streams would
// never hear of the first one's posts, so the two boards would silently
// disagree. The lock is the operating system's (flock, LockFileEx), so it
// goes with the process however it ends, SIGKILL included; the text in the
// file only says who holds it.

// LockedError is a second server refused: another process holds the
// database's lock.
type LockedError struct {
	Path   string // the lock file
	Holder string // what the holder wrote: "pid 1234 on host example", or ""
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.Holder != "" {
		who = e.Holder
	}
	return fmt.Sprintf("store: %s serves %s already (it holds %s): an SQLite database takes one server; "+
		"to run several, use PostgreSQL (TRIBUNE_DB=postgres://…)", who, strings.TrimSuffix(e.Path, ".lock"), e.Path)
}

// errNoLocks: this system has no file locks we know of (lock_other.go).
var errNoLocks = errors.New("no file locks on this system")

// fileLock is a held lock.
type fileLock struct{ f *os.File }

// lockPath takes the lock beside the SQLite database at path.
func lockPath(path string) (*fileLock, error) {
	name := path + ".lock"
	// Not truncated on open: the holder's text must stay readable to the
	// one refused.
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: the lock beside the database: %w", err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: locking %s: %w", name, err)
	}
	if !held {
		b, _ := io.ReadAll(io.LimitReader(f, 512))
		f.Close()
		return nil, &LockedError{Path: name, Holder: strings.TrimSpace(string(b))}
	}
	host, _ := os.Hostname()
	if err := f.Truncate(0); err == nil {
		f.WriteAt(fmt.Appendf(nil, "pid %d on host %s\n", os.Getpid(), host), 0)
	}
	return &fileLock{f: f}, nil
}

// release empties the file (nobody holds it) and lets the lock go.
func (l *fileLock) release() error {
	if l == nil {
		return nil
	}
	l.f.Truncate(0)
	return l.f.Close() // closing the last descriptor releases the lock
}
