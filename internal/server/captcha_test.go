package server

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"image/png"
	"net/http/httptest"
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
	tr := sqliteTribune(t, func(c *config.Config) { c.Captcha = true })
	c := tr.client("x")
	id := tr.board.NewCaptchaID()
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
	// Other digits come with another id: asking again for the same one,
	// whatever the query, draws nothing new.
	for range 3 {
		c.get("/captcha/" + id + ".png?reload=1")
		if now, _ := tr.st.CaptchaDigits(t.Context(), id); now != drawn {
			t.Fatal("the digits changed for the same id")
		}
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
	// Asked for again, a used id is no challenge at all: it cannot be
	// drawn anew and answered a second time.
	if w := a.client("x").get("/captcha/" + id + ".png"); w.Code != 404 {
		t.Fatalf("a used id drawn again: %d", w.Code)
	}
	if code, ans := boardPost(t, b.client("Mozilla/5.0"), "/", "content", "replay", "captcha_id", id, "captcha", digits); code != 400 {
		t.Errorf("the used id answered again: %d %+v", code, ans)
	}
	// A learns of B's post through PostgreSQL's notification: wait for it.
	var w *httptest.ResponseRecorder
	for start := time.Now(); ; time.Sleep(10 * time.Millisecond) {
		if w = a.client("x").get("/remote/json/"); w.Code == 200 || time.Since(start) > 5*time.Second {
			break
		}
	}
	rows := decodeJSON(t, w)
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

// countCaptchas counts the stored captchas (by purging them all as if they
// had expired).
func countCaptchas(t *testing.T, tr *tribune) int64 {
	t.Helper()
	n, err := tr.st.PurgeCaptchas(t.Context(), time.Now().Add(2*board.CaptchaLifetime))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCaptchaPicturesOfMadeUpIds: asking for the pictures of ids no page
// offered writes nothing and answers 404, and so does any id when captchas
// are off; a forged id is refused on posting too; the ids the board offers
// still work.
func TestCaptchaPicturesOfMadeUpIds(t *testing.T) {
	t.Run("on", func(t *testing.T) { eachTribune(t, func(c *config.Config) { c.Captcha = true }, madeUpIdsOn) })
	t.Run("off", func(t *testing.T) { eachTribune(t, nil, madeUpIdsOff) })
}

func madeUpIdsOn(t *testing.T, tr *tribune) {
	c := tr.client("robot")
	offered := tr.board.NewCaptchaID()
	start := time.Now()
	for i := range 1000 {
		b := make([]byte, []int{36, 15}[i%2]) // the shapes of offered ids, now and before
		rand.Read(b)
		id := base64.RawURLEncoding.EncodeToString(b)
		if i%10 == 0 { // a few of other shapes
			id = []string{"AAAA", "a.b", strings.Repeat("A", 48), offered + "A", offered[1:]}[i/10%5]
		}
		ext := []string{".png", ".wav"}[i/2%2]
		if w := c.get("/captcha/" + id + ext); w.Code != 404 {
			t.Fatalf("%s%s: %d", id, ext, w.Code)
		}
	}
	t.Logf("1000 pictures of made-up ids in %v", time.Since(start))
	if n := countCaptchas(t, tr); n != 0 {
		t.Fatalf("%d captchas stored for made-up ids", n)
	}
	// A forged id (one offered, with another offer time) is refused
	// when posting, with nothing stored.
	forged := []byte(offered)
	forged[20] ^= 1
	code, ans := boardPost(t, tr.browser("Mozilla/5.0"), "/", "content", "forged", "captcha_id", string(forged), "captcha", "123456")
	if code != 400 || !strings.HasPrefix(ans.Error, "The captcha answer is wrong") {
		t.Fatalf("a forged id: %d %+v", code, ans)
	}
	if w := c.get("/captcha/" + string(forged) + ".png"); w.Code != 404 {
		t.Fatalf("picture of a forged id: %d", w.Code)
	}
	// The ids the board offers work.
	body := checkPage(t, tr.browser("Mozilla/5.0"), "/", 200, `name="captcha_id"`)
	id := regexp.MustCompile(`name="captcha_id" value="([^"]+)"`).FindStringSubmatch(body)[1]
	for range 3 {
		if w := c.get("/captcha/" + id + ".png"); w.Code != 200 {
			t.Fatalf("offered id: %d", w.Code)
		}
	}
	digits, err := tr.st.CaptchaDigits(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	b := tr.browser("Mozilla/5.0")
	if code, ans := boardPost(t, b, "/", "content", "solved", "captcha_id", id, "captcha", digits); code != 200 || ans.Status != "published" {
		t.Fatalf("solving an offered captcha: %d %+v", code, ans)
	}
}

// madeUpIdsOff: with captchas off, every id is unknown and none is stored.
func madeUpIdsOff(t *testing.T, tr *tribune) {
	offered := tr.board.NewCaptchaID()
	for _, id := range []string{offered, strings.Repeat("A", 48), strings.Repeat("A", 20)} {
		if w := tr.client("robot").get("/captcha/" + id + ".png"); w.Code != 404 {
			t.Fatalf("captchas off, %s: %d", id, w.Code)
		}
	}
	if n := countCaptchas(t, tr); n != 0 {
		t.Fatalf("captchas off: %d stored", n)
	}
}
