package store

import (
	"context"
	"fmt"
	"time"
)

// DrawCaptcha gives the captcha id the solution digits unless it already
// has a live one, and returns the solution it holds ("" for a captcha
// already used). Captchas are drawn when
// their picture is first asked for, not when a page offers one, so pages
// read by robots write nothing; two processes drawing the same id at once
// agree on its digits.
func (s *Store) DrawCaptcha(ctx context.Context, id, digits string, expires time.Time) (string, error) {
	_, err := s.w.ExecContext(ctx, `INSERT INTO captchas (id, digits, expires) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET digits = excluded.digits, expires = excluded.expires
		WHERE captchas.expires <= $4`, id, digits, micros(expires), s.now().UnixMicro())
	if err != nil {
		return "", classify(fmt.Errorf("store: draw captcha: %w", err))
	}
	var held string
	if err := s.w.QueryRowContext(ctx, `SELECT digits FROM captchas WHERE id = $1`, id).Scan(&held); err != nil {
		return "", classify(fmt.Errorf("store: draw captcha: %w", err))
	}
	return held, nil
}
