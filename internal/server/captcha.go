package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/dchest/captcha"

	"github.com/tribune-go/tribune/internal/board"
)

// Captcha pictures and sounds (TRIBUNE_CAPTCHA), drawn by dchest/captcha
// from the digits the board keeps (see board.DrawCaptcha).

const (
	captchaWidth  = 240
	captchaHeight = 80
)

// showCaptcha serves captcha/ID.png and captcha/ID.wav, drawing the
// captcha on first use. An id no page offered is 404, and so is any id when
// captchas are off: nothing is written for them. Other digits come with a
// new id (the board's answer to a post, or the page again), never for the
// same one, so that a GET of an offered id writes at most once.
func (s *Server) showCaptcha(w http.ResponseWriter, r *http.Request) error {
	id, ext, _ := strings.Cut(r.PathValue("file"), ".")
	if ext != "png" && ext != "wav" {
		return httpError(http.StatusNotFound, s.t(r, "captcha.unknown"))
	}
	digits, err := s.board.DrawCaptcha(r.Context(), id, visitOf(r).ip)
	if errors.Is(err, board.ErrNoCaptcha) {
		return httpError(http.StatusNotFound, s.t(r, "captcha.unknown"))
	}
	if err != nil {
		return err
	}
	d := []byte(digits)
	for i := range d {
		d[i] -= '0'
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	if ext == "png" {
		h.Set("Content-Type", "image/png")
		_, err = captcha.NewImage(id, d, captchaWidth, captchaHeight).WriteTo(w)
	} else {
		// The library speaks English, Russian, Chinese and Japanese.
		h.Set("Content-Type", "audio/wav")
		a := captcha.NewAudio(id, d, "en")
		h.Set("Content-Length", strconv.Itoa(a.EncodedLen()))
		_, err = a.WriteTo(w)
	}
	return err
}
