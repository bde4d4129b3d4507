// Command embed shows the tribune as a library inside another Go web
// application: the application keeps its own pages and mounts a tribune
// under /tribune/, on its own database file.
//
//	go run ./examples/embed
//	curl -d content=plop http://127.0.0.1:8081/tribune/post/
//	curl http://127.0.0.1:8081/tribune/remote/xml/
//	curl http://127.0.0.1:8081/readyz
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/tribune-go/tribune"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	cfg := tribune.DefaultConfig()
	cfg.Prefix = "/tribune"         // where the application mounts it
	cfg.DB = "embed-example.db"     // or a postgres:// URL
	cfg.SiteName = "My application" // shown in discovery files
	cfg.Titles = []string{"The coffee machine"}

	st, err := tribune.OpenStore(ctx, &cfg) // migrates the schema (cfg.Migrate)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	t, err := tribune.New(cfg, st)
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `The application's own home page. The tribune is at /tribune/.`)
	})
	mux.Handle("/tribune/", t)
	// The tribune's health checks and metrics, where the application's
	// probes and scraper look.
	mux.Handle("GET /healthz", t.Health())
	mux.Handle("GET /readyz", t.Ready())
	mux.Handle("GET /metrics", t.Metrics())

	srv := &http.Server{Addr: "127.0.0.1:8081", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	// Live streams never end by themselves: end them when the server
	// shuts down, or Shutdown waits for them until its deadline.
	srv.RegisterOnShutdown(t.EndStreams)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("listening on http://%s/ (tribune at /tribune/)", srv.Addr)
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
