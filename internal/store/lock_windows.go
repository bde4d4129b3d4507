//go:build windows

package store

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// tryLock locks one byte of f far beyond its text without waiting: Windows
// locks are mandatory, and the holder's text must stay readable.
func tryLock(f *os.File) (bool, error) {
	ol := &windows.Overlapped{Offset: 0, OffsetHigh: 1} // at 4 GiB
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, ol)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION):
		return false, nil
	default:
		return false, err
	}
}
