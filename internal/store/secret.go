package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// Secret returns the secret called name, storing fresh as it when the
// database has none yet. Processes sharing the database that ask at once
// all get the one stored first.
func (s *Store) Secret(ctx context.Context, name string, fresh []byte) ([]byte, error) {
	key, err := s.secret(ctx, name)
	if !errors.Is(err, sql.ErrNoRows) {
		return key, err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`,
		name, hex.EncodeToString(fresh))
	if err != nil {
		return nil, classify(fmt.Errorf("store: secret %s: %w", name, err))
	}
	return s.secret(ctx, name)
}

// secret reads a secret; sql.ErrNoRows when there is none.
func (s *Store) secret(ctx context.Context, name string) ([]byte, error) {
	var v string
	err := s.w.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if err != nil {
		return nil, classify(fmt.Errorf("store: secret %s: %w", name, err))
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("store: secret %s is not hex", name)
	}
	return key, nil
}
