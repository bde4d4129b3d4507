package store

import "database/sql"

// QueryRowForTest runs a query on the writer connection (tests only).
func (s *Store) QueryRowForTest(query string, args ...any) *sql.Row {
	return s.w.QueryRow(query, args...)
}

// ExecForTest runs a statement on the writer connection (tests only).
func (s *Store) ExecForTest(query string, args ...any) error {
	_, err := s.w.Exec(query, args...)
	return err
}

// RunMigrationForTest runs the migration named name again, as an older
// database being brought up to date would (tests only).
func (s *Store) RunMigrationForTest(name string) error {
	ms, err := s.migrations()
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.name == name {
			_, err := s.w.Exec(m.sql)
			return err
		}
	}
	return nil
}

// SetSearchWindowForTest makes PostgreSQL's first search step read n rows
// (tests only); it returns the way back.
func SetSearchWindowForTest(n int) func() {
	old := searchWindow
	searchWindow = n
	return func() { searchWindow = old }
}

// SetIndexCandidatesForTest sets how many rows the GIN index may read for a
// phrase before windows are read instead (tests only); it returns the way
// back.
func SetIndexCandidatesForTest(n int64) func() {
	old := maxIndexCandidates
	maxIndexCandidates = n
	return func() { maxIndexCandidates = old }
}
