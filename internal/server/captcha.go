package server

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dchest/captcha"

	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/store"
)

// Captchas (TRIBUNE_CAPTCHA) guard anonymous posts from the web board. The
// images and sounds come from dchest/captcha; the solutions live in the
// database, so a captcha drawn by one process is checked by another, and
// each one gets a single try.

const (
	captchaLen      = 6
	captchaLifetime = 30 * time.Minute
	captchaWidth    = 240
	captchaHeight   = 80
)

// newCaptcha creates a captcha and returns its id.
func (s *Server) newCaptcha(r *http.Request) (string, error) {
	b := make([]byte, 15)
	rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	return id, s.st.PutCaptcha(r.Context(), id, digitString(captcha.RandomDigits(captchaLen)), time.Now().Add(captchaLifetime))
}

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

// showCaptcha serves captcha/ID.png and captcha/ID.wav; ?reload=1 draws new
// digits for the same id first (for someone who cannot read these).
func (s *Server) showCaptcha(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	id, ext, _ := strings.Cut(file, ".")
	lang := langOf(r)
	notFound := httpError(http.StatusNotFound, i18n.T(lang, "captcha.unknown"))
	if ext != "png" && ext != "wav" {
		return notFound
	}
	if r.URL.Query().Get("reload") != "" {
		if _, err := s.st.CaptchaDigits(r.Context(), id); err != nil {
			return notFound
		}
		if err := s.st.PutCaptcha(r.Context(), id, digitString(captcha.RandomDigits(captchaLen)), time.Now().Add(captchaLifetime)); err != nil {
			return err
		}
	}
	digits, err := s.st.CaptchaDigits(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound
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
