//go:build unix

package server

import (
	"errors"
	"syscall"
)

const canWriteRaw = true

// writeNow writes what the socket takes at once (it is non-blocking, as
// Go keeps every network socket): n < len(b) and no error when it is full.
func writeNow(raw syscall.RawConn, b []byte) (n int, err error) {
	cerr := raw.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, e := nonblockingWrite(int(fd), b[n:])
			if e == syscall.EINTR {
				continue
			}
			if e == syscall.EAGAIN {
				return true
			}
			if e != nil {
				err = e
				return true
			}
			if m <= 0 {
				err = errors.New("stream: short write")
				return true
			}
			n += m
		}
		return true
	})
	if err == nil {
		err = cerr
	}
	return n, err
}
