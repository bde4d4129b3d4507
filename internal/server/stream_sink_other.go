//go:build !unix

package server

import "syscall"

const canWriteRaw = false

func writeNow(syscall.RawConn, []byte) (int, error) { return 0, nil }
