package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// PutCaptcha stores (or replaces, for a reload) a captcha's solution.
func (s *Store) PutCaptcha(ctx context.Context, id, digits string, expires time.Time) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO captchas (id, digits, expires) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET digits = excluded.digits, expires = excluded.expires`, id, digits, micros(expires))
	if err != nil {
		return classify(fmt.Errorf("store: put captcha: %w", err))
	}
	return nil
}

// CaptchaDigits reads a live captcha's solution (to draw it); ErrNotFound
// when it is unknown, used or expired.
func (s *Store) CaptchaDigits(ctx context.Context, id string) (string, error) {
	var digits string
	var expires int64
	err := s.r.QueryRowContext(ctx, `SELECT digits, expires FROM captchas WHERE id = $1`, id).Scan(&digits, &expires)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (digits == "" || expires <= s.now().UnixMicro()) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", classify(fmt.Errorf("store: captcha: %w", err))
	}
	return digits, nil
}

// SolveCaptcha checks an answer and uses the captcha up, right or wrong:
// each captcha gets one try, on whichever process. A used captcha keeps
// its row, without digits, until it expires, so that it cannot be drawn
// again.
func (s *Store) SolveCaptcha(ctx context.Context, id, answer string) (bool, error) {
	if answer == "" {
		return false, nil
	}
	res, err := s.w.ExecContext(ctx, `UPDATE captchas SET digits = '' WHERE id = $1 AND digits = $2 AND expires > $3`,
		id, answer, s.now().UnixMicro())
	if err != nil {
		return false, classify(fmt.Errorf("store: solve captcha: %w", err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE captchas SET digits = '' WHERE id = $1`, id); err != nil {
		return false, classify(fmt.Errorf("store: solve captcha: %w", err))
	}
	return false, nil
}

// PurgeCaptchas deletes expired captchas.
func (s *Store) PurgeCaptchas(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM captchas WHERE expires <= $1`, micros(now))
	if err != nil {
		return 0, classify(fmt.Errorf("store: purge captchas: %w", err))
	}
	return res.RowsAffected()
}
