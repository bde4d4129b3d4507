package server

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dchest/captcha"

	"github.com/tribune-go/tribune/internal/i18n"
)

// Captchas (TRIBUNE_CAPTCHA) guard anonymous posts from the web board. The
// images and sounds come from dchest/captcha; the solutions live in the
// database, so a captcha drawn by one process is checked by another, and
// each one gets a single try.
//
// A page offering a captcha only carries a fresh random id: the digits are
// drawn and stored when its picture (or sound) is first asked for. Robots
// and scripts reading the board write nothing; a browser showing the form
// writes one row, purged once expired.

const (
	captchaLen      = 6
	captchaLifetime = 30 * time.Minute
	captchaWidth    = 240
	captchaHeight   = 80
)

// captchaIDBytes is the randomness in a captcha id.
const captchaIDBytes = 15

// newCaptchaID picks the id of a captcha to offer; nothing is stored until
// its picture is drawn.
func newCaptchaID() string {
	b := make([]byte, captchaIDBytes)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// validCaptchaID accepts only ids of the shape newCaptchaID makes.
func validCaptchaID(id string) bool {
	if len(id) != base64.RawURLEncoding.EncodedLen(captchaIDBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil
}

// newDigits draws a captcha's solution.
func newDigits() string { return digitString(captcha.RandomDigits(captchaLen)) }

func digitString(d []byte) string {
	b := make([]byte, len(d))
	for i, v := range d {
		b[i] = '0' + v
	}
	return string(b)
}

func digitBytes(s string) []byte {
	b := make([]byte, len(s))
	for i := range s {
		b[i] = s[i] - '0'
	}
	return b
}

// showCaptcha serves captcha/ID.png and captcha/ID.wav, drawing the
// captcha on first use; ?reload=1 draws new digits for the same id (for
// someone who cannot read these).
func (s *Server) showCaptcha(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	id, ext, _ := strings.Cut(file, ".")
	if ext != "png" && ext != "wav" || !validCaptchaID(id) {
		return httpError(http.StatusNotFound, i18n.T(langOf(r), "captcha.unknown"))
	}
	expires := time.Now().Add(captchaLifetime)
	var digits string
	var err error
	if r.URL.Query().Get("reload") != "" {
		digits = newDigits()
		err = s.st.PutCaptcha(r.Context(), id, digits, expires)
	} else {
		digits, err = s.st.DrawCaptcha(r.Context(), id, newDigits(), expires)
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if ext == "png" {
		h.Set("Content-Type", "image/png")
		_, err = captcha.NewImage(id, digitBytes(digits), captchaWidth, captchaHeight).WriteTo(w)
	} else {
		// The library speaks English, Russian, Chinese and Japanese.
		h.Set("Content-Type", "audio/wav")
		a := captcha.NewAudio(id, digitBytes(digits), "en")
		h.Set("Content-Length", strconv.Itoa(a.EncodedLen()))
		_, err = a.WriteTo(w)
	}
	return err
}

// checkCaptcha verifies the captcha fields of a board form.
func (s *Server) checkCaptcha(r *http.Request, form url.Values) error {
	id, answer := form.Get("captcha_id"), strings.TrimSpace(form.Get("captcha"))
	ok := false
	if id != "" && answer != "" {
		var err error
		if ok, err = s.st.SolveCaptcha(r.Context(), id, answer); err != nil {
			return err
		}
	}
	if !ok {
		return contentError(i18n.T(langOf(r), "captcha.wrong"))
	}
	return nil
}
