package board

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
)

// Captchas (TRIBUNE_CAPTCHA) guard anonymous posts from the web board. The
// solutions live in the database, so a captcha drawn by one process is
// checked by another, and each one gets a single try; the HTTP layer draws
// the pictures and sounds.
//
// A page offering a captcha only carries a fresh random id: the digits are
// drawn and stored when its picture (or sound) is first asked for. Robots
// and scripts reading the board write nothing; a browser showing the form
// writes one row, purged once expired.

// A captcha's digits, and how long its solution is kept.
const (
	CaptchaLen      = 6
	CaptchaLifetime = 30 * time.Minute
)

const captchaIDBytes = 15 // randomness in a captcha id

// NewCaptchaID picks the id of a captcha to offer; nothing is stored until
// its picture is drawn.
func NewCaptchaID() string {
	b := make([]byte, captchaIDBytes)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidCaptchaID accepts only ids of the shape NewCaptchaID makes.
func ValidCaptchaID(id string) bool {
	if len(id) != base64.RawURLEncoding.EncodedLen(captchaIDBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil
}

// DrawCaptcha returns the digits of captcha id, drawing them on first use;
// redraw gives the id new digits (for someone who cannot read these).
func (b *Board) DrawCaptcha(ctx context.Context, id string, redraw bool) (digits string, err error) {
	expires := time.Now().Add(CaptchaLifetime)
	if redraw {
		digits = newDigits()
		return digits, b.st.PutCaptcha(ctx, id, digits, expires)
	}
	return b.st.DrawCaptcha(ctx, id, newDigits(), expires)
}

// solveCaptcha checks an answer (one try per captcha): a wrong one is a
// *ContentError holding ErrWrongCaptcha.
func (b *Board) solveCaptcha(ctx context.Context, id, answer string) error {
	answer = strings.TrimSpace(answer)
	ok := false
	if id != "" && answer != "" {
		var err error
		if ok, err = b.st.SolveCaptcha(ctx, id, answer); err != nil {
			return err
		}
	}
	if !ok {
		return &ContentError{Err: ErrWrongCaptcha}
	}
	return nil
}

// newDigits draws a captcha's solution, uniformly.
func newDigits() string {
	d := make([]byte, CaptchaLen)
	for i := range d {
		var r [1]byte
		for {
			rand.Read(r[:])
			if r[0] < 250 { // 250 = 25 × 10: no digit more likely than another
				break
			}
		}
		d[i] = '0' + r[0]%10
	}
	return string(d)
}
