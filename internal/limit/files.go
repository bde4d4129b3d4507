package limit

// OpenFiles is the process's limit on open files (the soft RLIMIT_NOFILE,
// which the Go runtime raises to the hard limit when the program starts),
// 0 when the system has none to tell.
func OpenFiles() int {
	n := openFiles()
	// RLIM_INFINITY, or a limit no process reaches: keep the arithmetic
	// of callers in range.
	return int(min(n, 1<<30))
}
