package server

import (
	"bytes"
	"image/png"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestCaptchaImagesAndAnswers(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("x")
	req := httptest.NewRequest("GET", "/", nil)
	id, err := tr.srv.newCaptcha(req)
	if err != nil {
		t.Fatal(err)
	}
	w := c.get("/captcha/" + id + ".png")
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("image: %d %v", w.Code, w.Header())
	}
	if img, err := png.Decode(bytes.NewReader(w.Body.Bytes())); err != nil || img.Bounds().Dx() != captchaWidth {
		t.Fatalf("not a %d-wide PNG: %v", captchaWidth, err)
	}
	w = c.get("/captcha/" + id + ".wav")
	if w.Code != 200 || w.Header().Get("Content-Type") != "audio/wav" || !bytes.HasPrefix(w.Body.Bytes(), []byte("RIFF")) {
		t.Fatalf("audio: %d %v", w.Code, w.Header())
	}
	for _, bad := range []string{"/captcha/" + id + ".gif", "/captcha/nope.png", "/captcha/" + id} {
		if w := c.get(bad); w.Code != 404 {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
	before, _ := tr.st.CaptchaDigits(t.Context(), id)
	for range 5 { // new digits, most likely different at least once
		c.get("/captcha/" + id + ".png?reload=1")
		if now, _ := tr.st.CaptchaDigits(t.Context(), id); now != before {
			before = ""
			break
		}
	}
	if before != "" {
		t.Fatal("reload never changed the digits")
	}
	digits, _ := tr.st.CaptchaDigits(t.Context(), id)
	if err := tr.srv.checkCaptcha(req, url.Values{"captcha_id": {id}, "captcha": {"000000x"}}); err == nil {
		t.Fatal("a wrong answer passed")
	}
	// One try: the right digits no longer work after a wrong answer.
	if err := tr.srv.checkCaptcha(req, url.Values{"captcha_id": {id}, "captcha": {digits}}); err == nil {
		t.Fatal("a used captcha passed")
	}
	id2, _ := tr.srv.newCaptcha(req)
	digits2, _ := tr.st.CaptchaDigits(t.Context(), id2)
	if err := tr.srv.checkCaptcha(req, url.Values{"captcha_id": {id2}, "captcha": {" " + digits2 + " "}}); err != nil {
		t.Fatalf("the right answer failed: %v", err)
	}
}
