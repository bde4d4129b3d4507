//go:build unix && !linux

package server

import "syscall"

// nonblockingWrite is write(2) on a non-blocking socket.
func nonblockingWrite(fd int, b []byte) (int, error) { return syscall.Write(fd, b) }
