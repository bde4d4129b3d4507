// Command baseline is the yardstick of bench/run.sh: a bare net/http server
// answering every request with the same 60-byte body, the fastest a Go
// server on this machine can answer.
package main

import (
	"flag"
	"log"
	"net/http"
	"strconv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18181", "listen address")
	flag.Parse()
	body := []byte("<?xml version='1.0' encoding='UTF-8'?>\n<board></board>\n12345")[:60]
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
