package board

import "time"

// SetMissEvery sets the least time between channel list reloads for
// unknown slugs.
func SetMissEvery(b *Board, d time.Duration) { b.channels.missEvery = d }

// CaptchaIDAt is a captcha id offered at t.
func CaptchaIDAt(b *Board, t time.Time) string { return b.captchaIDAt(t) }
