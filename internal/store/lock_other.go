//go:build !(linux || darwin || dragonfly || freebsd || netbsd || openbsd || illumos || windows)

package store

import "os"

// tryLock: no file lock here (Solaris, AIX, Plan 9, WebAssembly…); the
// store opens the database without one and says so.
func tryLock(*os.File) (bool, error) { return false, errNoLocks }
