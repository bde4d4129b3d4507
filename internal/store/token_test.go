package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// TestTokens: a token is found by its hash with its user in one read, is
// capped per user, records its last use only when older than asked, keeps
// its data, and goes with its user.
func TestTokens(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		u, err := s.CreateUser(ctx, "nono", "hash", model.RoleModerator)
		if err != nil {
			t.Fatal(err)
		}
		add := func(hash string) (model.Token, error) {
			return s.AddToken(ctx, store.NewToken{UserID: u.ID, Hash: hash, Name: "olcc", Scope: model.ScopeModerate, Max: 2})
		}
		tok, err := add("h1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := add("h1"); err == nil {
			t.Fatal("two tokens with one hash")
		}
		if _, err := add("h2"); err != nil {
			t.Fatal(err)
		}
		if _, err := add("h3"); !errors.Is(err, store.ErrTooMany) {
			t.Fatalf("a third token over a cap of 2: %v", err)
		}
		if _, err := s.AddToken(ctx, store.NewToken{UserID: u.ID + 100, Hash: "h4", Max: 2}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a token of no user: %v", err)
		}

		use, err := s.TokenByHash(ctx, "h1")
		if err != nil {
			t.Fatal(err)
		}
		if use.Token.ID != tok.ID || use.Token.Username != "nono" || use.Token.Scope != model.ScopeModerate ||
			use.User.Role != model.RoleModerator || use.User.PasswordHash != "" || string(use.Data) != "{}" || !use.Token.LastUsed.IsZero() {
			t.Fatalf("by hash: %+v", use)
		}
		if _, err := s.TokenByHash(ctx, "nope\x00"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown hash: %v", err)
		}

		t0 := time.Date(2013, 3, 10, 15, 30, 12, 0, time.UTC)
		if err := s.TouchToken(ctx, tok.ID, t0, t0.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		// Another process was first: a use already recorded since is kept.
		if err := s.TouchToken(ctx, tok.ID, t0.Add(30*time.Second), t0.Add(-30*time.Second)); err != nil {
			t.Fatal(err)
		}
		if use, _ := s.TokenByHash(ctx, "h1"); !use.Token.LastUsed.Equal(t0) {
			t.Fatalf("last use %v, want %v", use.Token.LastUsed, t0)
		}
		if err := s.SaveTokenData(ctx, tok.ID, []byte(`{"bak":{"active":false}}`)); err != nil {
			t.Fatal(err)
		}
		if use, _ := s.TokenByHash(ctx, "h1"); string(use.Data) != `{"bak":{"active":false}}` {
			t.Fatalf("data %s", use.Data)
		}
		if ts, err := s.Tokens(ctx, 0); err != nil || len(ts) != 2 || ts[0].ID != tok.ID {
			t.Fatalf("all tokens: %+v %v", ts, err)
		}

		if err := s.DeleteToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteToken(ctx, tok.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting twice: %v", err)
		}
		if err := s.SaveTokenData(ctx, tok.ID, []byte(`{}`)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("saving a revoked token's data: %v", err)
		}
		if err := s.DeleteUser(ctx, "nono"); err != nil {
			t.Fatal(err)
		}
		if ts, err := s.Tokens(ctx, 0); err != nil || len(ts) != 0 {
			t.Fatalf("a deleted user's tokens: %+v %v", ts, err)
		}
	})
}
