package store_test

import (
	"errors"
	"testing"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// TestSkeletons: a name's skeleton is unique; older accounts get theirs
// filled, the later of two look-alikes a key of its own.
func TestSkeletons(t *testing.T) {
	storetest.Each(t, opts(), func(t *testing.T, s *store.Store) {
		add := func(name, skel string) error {
			_, err := s.AddUser(ctx, store.NewUser{Username: name, PasswordHash: "h", Role: model.RoleUser, Skeleton: skel})
			return err
		}
		if err := add("scope", "scope"); err != nil {
			t.Fatal(err)
		}
		if err := add("ѕсоре", "scope"); !errors.Is(err, store.ErrLookAlike) {
			t.Fatalf("the same skeleton: %v", err)
		}
		if err := add("SCOPE", "scope"); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("the same name: %v", err)
		}
		// Accounts from before skeletons, two of them alike.
		old1, _ := s.CreateUser(ctx, "adrnin", "h", model.RoleUser)
		old2, _ := s.CreateUser(ctx, "admin", "h", model.RoleAdmin)
		us, err := s.Unskeletoned(ctx)
		if err != nil || len(us) != 2 || us[0].ID != old1.ID || us[1].ID != old2.ID {
			t.Fatalf("unskeletoned: %+v %v", us, err)
		}
		for i, u := range us {
			clash, err := s.FillSkeleton(ctx, u.ID, "adrnin")
			if err != nil || clash != (i == 1) {
				t.Fatalf("fill %s: clash %v, %v", u.Username, clash, err)
			}
		}
		if clash, err := s.FillSkeleton(ctx, old1.ID, "other"); err != nil || clash {
			t.Fatalf("a second fill: %v %v", clash, err)
		}
		if us, err := s.Unskeletoned(ctx); err != nil || len(us) != 0 {
			t.Fatalf("unskeletoned after filling: %+v %v", us, err)
		}
		if err := add("аdmin", "adrnin"); !errors.Is(err, store.ErrLookAlike) {
			t.Fatalf("like two older accounts: %v", err)
		}
	})
}
