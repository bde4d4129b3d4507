package server

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/store"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

func TestCaptchaImagesAndAnswers(t *testing.T) {
	tr := sqliteTribune(t, nil)
	c := tr.client("x")
	id := board.NewCaptchaID()
	// Nothing is stored until the picture is asked for.
	if _, err := tr.st.CaptchaDigits(t.Context(), id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an offered captcha is stored: %v", err)
	}
	w := c.get("/captcha/" + id + ".png")
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("image: %d %v", w.Code, w.Header())
	}
	if img, err := png.Decode(bytes.NewReader(w.Body.Bytes())); err != nil || img.Bounds().Dx() != captchaWidth {
		t.Fatalf("not a %d-wide PNG: %v", captchaWidth, err)
	}
	drawn, err := tr.st.CaptchaDigits(t.Context(), id)
	if err != nil || len(drawn) != board.CaptchaLen {
		t.Fatalf("drawn digits %q: %v", drawn, err)
	}
	w = c.get("/captcha/" + id + ".wav")
	if w.Code != 200 || w.Header().Get("Content-Type") != "audio/wav" || !bytes.HasPrefix(w.Body.Bytes(), []byte("RIFF")) {
		t.Fatalf("audio: %d %v", w.Code, w.Header())
	}
	if now, _ := tr.st.CaptchaDigits(t.Context(), id); now != drawn {
		t.Fatal("the sound drew other digits than the picture")
	}
	for _, bad := range []string{"/captcha/" + id + ".gif", "/captcha/nope.png", "/captcha/" + id} {
		if w := c.get(bad); w.Code != 404 {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
	before := drawn
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
	// Answering it: see the board's TestCaptchaAnswers.
}

// TestBoardViewsWriteNoCaptcha: showing the board to anonymous visitors
// stores no captcha; its picture does.
func TestBoardViewsWriteNoCaptcha(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Captcha = true })
	// Purging as if every captcha had expired counts them.
	countCaptchas := func() int64 {
		n, err := tr.st.PurgeCaptchas(t.Context(), time.Now().Add(2*board.CaptchaLifetime))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	var id string
	for _, path := range []string{"/", "/noscript/", "/"} {
		body := checkPage(t, tr.browser("Mozilla/5.0"), path, 200, `name="captcha_id"`)
		id = regexp.MustCompile(`name="captcha_id" value="([^"]+)"`).FindStringSubmatch(body)[1]
	}
	if n := countCaptchas(); n != 0 {
		t.Fatalf("%d captchas stored by page views", n)
	}
	tr.browser("Mozilla/5.0").get("/captcha/" + id + ".png")
	if n := countCaptchas(); n != 1 {
		t.Fatalf("%d captchas stored after one picture", n)
	}
}

// TestCaptchaAcrossProcesses: a captcha drawn by one server is solved on
// another sharing the database, once.
func TestCaptchaAcrossProcesses(t *testing.T) {
	pg := os.Getenv(storetest.PostgresEnv)
	if pg == "" {
		t.Skip("needs PostgreSQL: set " + storetest.PostgresEnv)
	}
	shared := storetest.Backend{Name: "postgres", DSN: storetest.PostgresSchema(t, pg)}
	captchaOn := func(c *config.Config) { c.Captcha = true }
	a, b := newTribune(t, shared, captchaOn), newTribune(t, shared, captchaOn)

	// Drawn on A: the board's form, then its picture.
	body := checkPage(t, a.browser("Mozilla/5.0"), "/", 200, `name="captcha_id"`)
	id := regexp.MustCompile(`name="captcha_id" value="([^"]+)"`).FindStringSubmatch(body)[1]
	if w := a.client("x").get("/captcha/" + id + ".png"); w.Code != 200 {
		t.Fatalf("picture on A: %d", w.Code)
	}
	// B draws the same picture (same digits, from the database).
	wa, wb := a.client("x").get("/captcha/"+id+".png"), b.client("x").get("/captcha/"+id+".png")
	if wb.Code != 200 || !bytes.Equal(wa.Body.Bytes(), wb.Body.Bytes()) {
		t.Fatalf("picture on B: %d, same as A's: %v", wb.Code, bytes.Equal(wa.Body.Bytes(), wb.Body.Bytes()))
	}
	digits, err := a.st.CaptchaDigits(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	// Solved on B.
	c := b.client("Mozilla/5.0")
	code, ans := boardPost(t, c, "/", "content", "solved elsewhere", "captcha_id", id, "captcha", digits)
	if code != 200 || ans.Status != "published" {
		t.Fatalf("solved on B: %d %+v", code, ans)
	}
	// Replayed on A or B: refused, nothing posted.
	for name, tr := range map[string]*tribune{"A": a, "B": b} {
		code, ans := boardPost(t, tr.client("Mozilla/5.0"), "/", "content", "replay", "captcha_id", id, "captcha", digits)
		if code != 400 || !strings.HasPrefix(ans.Error, "The captcha answer is wrong") {
			t.Errorf("replay on %s: %d %+v", name, code, ans)
		}
	}
	// Asked for again, a used id is a new challenge (captchas are drawn
	// when their picture is first fetched): the old answer stays refused.
	if w := a.client("x").get("/captcha/" + id + ".png"); w.Code != 200 {
		t.Fatalf("a used id drawn again: %d", w.Code)
	}
	fresh, err := b.st.CaptchaDigits(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if fresh != digits { // equal once in a million draws
		if code, ans := boardPost(t, b.client("Mozilla/5.0"), "/", "content", "replay", "captcha_id", id, "captcha", digits); code != 400 {
			t.Errorf("old answer to a new challenge: %d %+v", code, ans)
		}
	}
	rows := decodeJSON(t, a.client("x").get("/remote/json/"))
	if len(rows) != 1 || rows[0].ID != ans.ID {
		t.Errorf("messages %+v", rows)
	}
}

// TestCaptchaSparesCommands: commands that post nothing need no captcha;
// messages and /lastfm, which posts, do.
func TestCaptchaSparesCommands(t *testing.T) {
	tr := sqliteTribune(t, func(c *config.Config) { c.Captcha = true })
	c := tr.browser("Mozilla/5.0")
	for _, cmd := range []string{"/name Nono", "/bak on", "/bak add ua plop"} {
		if code, ans := boardPost(t, c, "/", "content", cmd); code != 200 || ans.Status != "command" {
			t.Errorf("%q without a captcha: %d %+v", cmd, code, ans)
		}
	}
	for _, text := range []string{"a message", "/lastfm instant someone", "/me dances"} {
		if code, ans := boardPost(t, c, "/", "content", text); code != 400 || !strings.HasPrefix(ans.Error, "The captcha answer is wrong") {
			t.Errorf("%q without a captcha: %d %+v", text, code, ans)
		}
	}
}
