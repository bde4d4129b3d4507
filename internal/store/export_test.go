package store

import "database/sql"

// QueryRowForTest runs a query on the writer connection (tests only).
func (s *Store) QueryRowForTest(query string, args ...any) *sql.Row {
	return s.w.QueryRow(query, args...)
}
