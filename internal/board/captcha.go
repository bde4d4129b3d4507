package board

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/limit"
	"github.com/tribune-go/tribune/internal/store"
)

// Captchas (TRIBUNE_CAPTCHA) guard anonymous posts from the web board. The
// solutions live in the database, so a captcha drawn by one process is
// checked by another, and each one gets a single try; the HTTP layer draws
// the pictures and sounds.
//
// A page offering a captcha only carries a fresh id: 12 random bytes and
// the time of the offer, signed (see signer). The digits are drawn and
// stored when its picture (or sound) is first asked for. Robots and scripts
// reading the board write nothing; a browser showing the form writes one
// row, purged once expired. An id the tribune never offered, or offered
// more than CaptchaLifetime ago, is refused without a lookup, so asking
// for pictures of made-up ids writes nothing either.

// A captcha's digits, and how long an offered captcha can be drawn and
// answered.
const (
	CaptchaLen      = 6
	CaptchaLifetime = 30 * time.Minute
)

const (
	captchaRandom  = 12                // bytes of randomness in a captcha id
	captchaPayload = captchaRandom + 8 // and the offer's Unix time
	captchaPurpose = "captcha"
	clockSkew      = time.Minute // between the processes sharing the database
)

// ErrNoCaptcha is the answer to a captcha id the tribune did not offer,
// or offered too long ago, or to any id when captchas are off.
var ErrNoCaptcha = errors.New("board: no such captcha")

// NewCaptchaID picks the id of a captcha to offer; nothing is stored until
// its picture is drawn.
func (b *Board) NewCaptchaID() string { return b.captchaIDAt(time.Now()) }

func (b *Board) captchaIDAt(offered time.Time) string {
	p := make([]byte, captchaPayload)
	rand.Read(p[:captchaRandom])
	binary.BigEndian.PutUint64(p[captchaRandom:], uint64(offered.Unix()))
	return b.signer.sign(captchaPurpose, p)
}

// captchaExpires is when captcha id stops being valid; ok is false for an
// id the tribune did not offer or that expired.
func (b *Board) captchaExpires(id string) (expires time.Time, ok bool) {
	p, ok := b.signer.open(captchaPurpose, id, captchaPayload)
	if !ok {
		return time.Time{}, false
	}
	now := time.Now()
	offered := time.Unix(int64(binary.BigEndian.Uint64(p[captchaRandom:])), 0)
	expires = offered.Add(CaptchaLifetime)
	return expires, now.Before(expires) && offered.Before(now.Add(clockSkew))
}

// DrawCaptcha returns the digits of captcha id, drawing them on first use
// (the only write, counted against the address like a post: pages offer
// ids for free). ErrNoCaptcha refuses an id the tribune did not offer, one
// expired or already answered, and any id when captchas are off.
func (b *Board) DrawCaptcha(ctx context.Context, id, address string) (digits string, err error) {
	expires, ok := b.captchaExpires(id)
	if !b.cfg.Captcha || !ok {
		return "", ErrNoCaptcha
	}
	digits, err = b.st.CaptchaDigits(ctx, id)
	if !errors.Is(err, store.ErrNotFound) {
		return digits, err
	}
	if ok, wait, err := b.captchas.Take(ctx, limit.AddressKey(address)); err != nil {
		return "", err
	} else if !ok {
		return "", b.limited("captchas", &LimitError{Limit: LimitPosts, Wait: wait})
	}
	if digits, err = b.st.DrawCaptcha(ctx, id, newDigits(), expires); err == nil && digits == "" {
		err = ErrNoCaptcha // answered already
	}
	return digits, err
}

// solveCaptcha checks an answer (one try per captcha): a wrong one is a
// *ContentError holding ErrWrongCaptcha.
func (b *Board) solveCaptcha(ctx context.Context, id, answer string) error {
	answer = strings.TrimSpace(answer)
	ok := false
	if _, offered := b.captchaExpires(id); offered && answer != "" {
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
