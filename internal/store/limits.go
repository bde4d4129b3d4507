package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Rate limits shared by every process on a PostgreSQL database
// (limit.Shared): a token bucket per limit and key, kept as the time it is
// full again (full_at, by the database's clock, so that the processes'
// clocks need not agree). A token costs period/n; one is left while
// full_at is less than period-cost ahead. Taking it is one statement, which
// the row lock makes atomic across processes. On SQLite the limits stay in
// the server's memory: these methods are PostgreSQL's only.

// errLimitsOnSQLite: the caller should have used the limits in memory.
var errLimitsOnSQLite = errors.New("store: shared rate limits need PostgreSQL")

// nowMicros is the database's clock in microseconds.
const nowMicros = `(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::bigint`

const (
	// The inserted row is a full bucket less one token: full at now+cost.
	// A conflict takes a token only if one is left; otherwise it writes
	// nothing and returns no row.
	takeToken = `INSERT INTO rate_limits AS b (name, key, full_at)
SELECT $1, $2, t.now + $3 FROM (SELECT ` + nowMicros + ` AS now) t
ON CONFLICT (name, key) DO UPDATE SET full_at = GREATEST(b.full_at, EXCLUDED.full_at - $3) + $3
WHERE b.full_at - (EXCLUDED.full_at - $3) <= $4
RETURNING full_at`
	// How far a refused bucket is from its next token.
	tokenWait = `SELECT full_at - ` + nowMicros + ` - $3 FROM rate_limits WHERE name = $1 AND key = $2`
	// A bucket full in the past is full: a token given back never lifts
	// it above the burst.
	giveToken   = `UPDATE rate_limits SET full_at = full_at - $3 WHERE name = $1 AND key = $2`
	purgeTokens = `DELETE FROM rate_limits WHERE full_at <= ` + nowMicros
)

// limitKey is a key as stored: as it is when short, hashed when long (a
// name a client sent may be any length), as bytes (it may hold NUL or
// invalid UTF-8, which PostgreSQL's text refuses). A short key cannot be
// mistaken for a hash without a preimage of SHA-256.
func limitKey(key string) []byte {
	if len(key) <= 64 {
		return []byte(key)
	}
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// bucketCost is a token's cost and the bucket's tolerance (how far ahead
// full_at may be for a token to be left), in microseconds.
func bucketCost(n int, period time.Duration) (cost, tolerance int64) {
	p := period.Microseconds()
	cost = p / int64(n)
	return cost, p - cost
}

// TakeToken takes a token of the bucket (limit, key), holding n a period
// in bursts of n, if it has one; otherwise it says how long until it has.
// An allowed take is one statement.
func (s *Store) TakeToken(ctx context.Context, limit, key string, n int, period time.Duration) (ok bool, wait time.Duration, err error) {
	if s.dialect != postgres {
		return false, 0, errLimitsOnSQLite
	}
	k := limitKey(key)
	cost, tolerance := bucketCost(n, period)
	var full int64
	err = s.w.QueryRowContext(ctx, takeToken, limit, k, cost, tolerance).Scan(&full)
	if err == nil {
		return true, 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, 0, classify(fmt.Errorf("store: take a token of %s: %w", limit, err))
	}
	var ahead int64
	err = s.w.QueryRowContext(ctx, tokenWait, limit, k, tolerance).Scan(&ahead)
	if errors.Is(err, sql.ErrNoRows) {
		ahead = 1 // purged meanwhile: full, as the next try will find
	} else if err != nil {
		return false, 0, classify(fmt.Errorf("store: take a token of %s: %w", limit, err))
	}
	return false, time.Duration(max(ahead, 1)) * time.Microsecond, nil
}

// GiveToken gives a token back to the bucket (limit, key).
func (s *Store) GiveToken(ctx context.Context, limit, key string, n int, period time.Duration) error {
	if s.dialect != postgres {
		return errLimitsOnSQLite
	}
	cost, _ := bucketCost(n, period)
	if _, err := s.w.ExecContext(ctx, giveToken, limit, limitKey(key), cost); err != nil {
		return classify(fmt.Errorf("store: give a token of %s back: %w", limit, err))
	}
	return nil
}

// PurgeTokens forgets the buckets that are full again (a new one starts
// full), returning how many. Nothing to do on SQLite.
func (s *Store) PurgeTokens(ctx context.Context) (int64, error) {
	if s.dialect != postgres {
		return 0, nil
	}
	res, err := s.w.ExecContext(ctx, purgeTokens)
	if err != nil {
		return 0, classify(fmt.Errorf("store: purge rate limits: %w", err))
	}
	return res.RowsAffected()
}
