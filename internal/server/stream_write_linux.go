package server

import (
	"syscall"
	"unsafe"
)

// nonblockingWrite is write(2) on a non-blocking socket, without telling
// the Go scheduler: the call never waits, so the goroutine keeps its P.
// Through syscall.Write each of the fan-out's writes (about 15 µs of
// kernel TCP work on loopback) let sysmon hand the P to another thread
// and the shard then waited to get one back.
func nonblockingWrite(fd int, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
