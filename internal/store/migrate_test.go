package store_test

import (
	"strings"
	"testing"

	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// A database behind the binary is refused by CheckSchema (serve with
// TRIBUNE_MIGRATE=false) until migrated; one ahead of it (written by a
// newer tribune) is refused by both, and left as it is.
func TestSchemaVersionRefusals(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, err := store.Open(ctx, b.DSN, opts())
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			_, latest, err := s.SchemaVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantErr := func(what string, err error, words ...string) {
				t.Helper()
				for _, w := range words {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Fatalf("%s: %v, want an error saying %q", what, err, w)
					}
				}
			}
			// Empty, then one version behind.
			wantErr("empty database", s.CheckSchema(ctx), "at version 0", "run tribune migrate")
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			var v int
			if err := s.QueryRowForTest(`DELETE FROM schema_version WHERE version = $1 RETURNING version`, latest).Scan(&v); err != nil {
				t.Fatal(err)
			}
			wantErr("an older schema", s.CheckSchema(ctx), "run tribune migrate")
			if err := s.QueryRowForTest(`INSERT INTO schema_version (version) VALUES ($1) RETURNING version`, latest).Scan(&v); err != nil {
				t.Fatal(err)
			}
			if err := s.CheckSchema(ctx); err != nil {
				t.Fatal(err)
			}
			// A newer one.
			if err := s.QueryRowForTest(`INSERT INTO schema_version (version) VALUES ($1) RETURNING version`, latest+1).Scan(&v); err != nil {
				t.Fatal(err)
			}
			wantErr("a newer schema (check)", s.CheckSchema(ctx), "only knows", "run a newer tribune")
			n, err := s.Migrate(ctx)
			wantErr("a newer schema (migrate)", err, "only knows", "run a newer tribune")
			if current, _, _ := s.SchemaVersion(ctx); n != 0 || current != latest+1 {
				t.Fatalf("migrate on a newer schema applied %d, left version %d", n, current)
			}
		})
	}
}
