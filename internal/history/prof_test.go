package history

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

func TestProfImport(t *testing.T) {
	f, err := os.Open("/tmp/i13io/h100k.jsonl")
	if err != nil {
		t.Skip()
	}
	be := storetest.Backends(t)[0]
	cfg := config.Default()
	cfg.Location, _ = time.LoadLocation("Europe/Paris")
	st := storetest.Open(t, be, store.Options{Location: cfg.Location, Synchronous: "normal"})
	b, err := board.New(board.Deps{Config: &cfg, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := Import(context.Background(), b, st, f, Options{})
	t.Log(rep.Messages, time.Since(start), err)
}
