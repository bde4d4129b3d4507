package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one forward step: migrations/<dialect>/NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

func (s *Store) migrations() ([]migration, error) {
	dir := "migrations/sqlite"
	if s.dialect == postgres {
		dir = "migrations/postgres"
	}
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: bad migration file name %s", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migrations must be numbered 1, 2, 3…: found %d at position %d", m.version, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion returns the version the database is at and the version this
// binary knows.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int, err error) {
	ms, err := s.migrations()
	if err != nil {
		return 0, 0, err
	}
	current, err = s.currentVersion(ctx)
	return current, len(ms), err
}

// currentVersion reads the schema's version, 0 for a database without a
// tribune (which it leaves as it is: reading creates nothing).
func (s *Store) currentVersion(ctx context.Context) (int, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`
	if s.dialect == postgres {
		q = `SELECT COUNT(*) FROM pg_catalog.pg_class WHERE oid = to_regclass('schema_version')`
	}
	var tables int
	if err := s.w.QueryRowContext(ctx, q).Scan(&tables); err != nil {
		return 0, classify(fmt.Errorf("store: schema_version: %w", err))
	}
	if tables == 0 {
		return 0, nil
	}
	var v int
	err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	if err != nil {
		return 0, classify(fmt.Errorf("store: schema_version: %w", err))
	}
	return v, nil
}

// Migrate brings the schema up to date, one transaction per step. It
// refuses a database written by a newer binary. Several processes may call
// it at once on PostgreSQL: an advisory lock serialises them.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	ms, err := s.migrations()
	if err != nil {
		return 0, err
	}
	if s.dialect == postgres {
		conn, err := s.w.Conn(ctx)
		if err != nil {
			return 0, classify(fmt.Errorf("store: migrate: %w", err))
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7405111)`); err != nil {
			return 0, classify(fmt.Errorf("store: migrate lock: %w", err))
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7405111)`)
	}
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return 0, classify(fmt.Errorf("store: schema_version: %w", err))
	}
	current, err := s.currentVersion(ctx)
	if err != nil {
		return 0, err
	}
	if current > len(ms) {
		return 0, fmt.Errorf("store: the database schema is at version %d but this binary only knows %d: run a newer tribune", current, len(ms))
	}
	for _, m := range ms[current:] {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return applied, classify(fmt.Errorf("store: migration %d: %w", m.version, err))
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return applied, classify(fmt.Errorf("store: migration %d (%s): %w", m.version, m.name, err))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, m.version); err != nil {
			tx.Rollback()
			return applied, classify(fmt.Errorf("store: migration %d: %w", m.version, err))
		}
		if err := tx.Commit(); err != nil {
			return applied, classify(fmt.Errorf("store: migration %d: %w", m.version, err))
		}
		applied++
	}
	return applied, nil
}

// CheckSchema fails unless the schema is exactly at the binary's version.
func (s *Store) CheckSchema(ctx context.Context) error {
	current, latest, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case current < latest:
		return fmt.Errorf("store: the database schema is at version %d, %d is needed: run tribune migrate", current, latest)
	case current > latest:
		return fmt.Errorf("store: the database schema is at version %d but this binary only knows %d: run a newer tribune", current, latest)
	}
	return nil
}

// Ready fails unless the database answers and its schema is at the
// binary's version (the readiness check). It only reads, on the reading
// connections: it never waits for the writer.
func (s *Store) Ready(ctx context.Context) error {
	ms, err := s.migrations()
	if err != nil {
		return err
	}
	var v int
	if err := s.r.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v); err != nil {
		return classify(fmt.Errorf("store: schema_version: %w", err))
	}
	if v != len(ms) {
		return fmt.Errorf("%w: at version %d, this binary needs %d", ErrSchema, v, len(ms))
	}
	return nil
}
