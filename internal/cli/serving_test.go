package cli

import "testing"

// The start line names the database without its password.
func TestDBLabel(t *testing.T) {
	for _, tc := range []struct{ dsn, want string }{
		{"tribune.db", "sqlite tribune.db"},
		{"/var/lib/tribune/tribune.db", "sqlite /var/lib/tribune/tribune.db"},
		{"postgres://tribune:hunter2@db.example.com/tribune?sslmode=require", "postgres://tribune:xxxxx@db.example.com/tribune?sslmode=require"},
		{"postgresql://db.example.com/tribune?password=hunter2&sslmode=disable", "postgresql://db.example.com/tribune?password=xxxxx&sslmode=disable"},
		{"postgres://tribune@db.example.com:5433/tribune", "postgres://tribune@db.example.com:5433/tribune"},
	} {
		if got := dbLabel(tc.dsn); got != tc.want {
			t.Errorf("dbLabel(%q) = %q, want %q", tc.dsn, got, tc.want)
		}
	}
}
