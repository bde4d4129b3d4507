// Package e2e drives the web board in a real browser: each test starts a
// tribune on a temporary SQLite database behind httptest, and one headless
// Chromium (Debian's /usr/bin/chromium, through chromedp) plays its users,
// each in its own browser context (own cookies, own tab). Remote clients are
// plain HTTP posts.
//
// The tests skip when Chromium is not installed (apt-get install chromium).
// Screenshots go to $TRIBUNE_E2E_ARTIFACTS, by default e2e/artifacts/.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris without the system's zoneinfo

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/model"
)

const (
	// stepTimeout bounds one browser step: a navigation, a click, a query.
	stepTimeout = 10 * time.Second
	// waitTimeout bounds the wait for a state the page should reach.
	waitTimeout = 4 * time.Second
	// password of every account the tests create.
	password = "motdepasse1"
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

// ---------------------------------------------------------------------------
// Chromium, one per test binary

var chrome struct {
	once   sync.Once
	ctx    context.Context // a chromedp context whose browser runs
	stop   []func()
	dir    string
	skip   string
	err    error
	output lockedBuffer
}

// lockedBuffer collects Chromium's output (written by the allocator's
// goroutine, read on failure).
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// chromiumPath finds Debian's Chromium.
func chromiumPath() string {
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if fi, err := os.Stat("/usr/bin/chromium"); err == nil && !fi.IsDir() {
		return "/usr/bin/chromium"
	}
	return ""
}

// browserContext returns the shared browser, starting it on first use; it
// skips the test when Chromium is not installed.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	chrome.once.Do(startBrowser)
	if chrome.skip != "" {
		t.Skip(chrome.skip)
	}
	if chrome.err != nil {
		t.Fatalf("starting Chromium: %v\nChromium said:\n%s", chrome.err, chrome.output.String())
	}
	return chrome.ctx
}

func startBrowser() {
	path := chromiumPath()
	if path == "" {
		chrome.skip = "Chromium not found (apt-get install chromium): browser tests skipped"
		return
	}
	dir, err := os.MkdirTemp("", "tribune-e2e-chromium-")
	if err != nil {
		chrome.err = err
		return
	}
	chrome.dir = dir
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.UserDataDir(dir),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1200, 800),
		chromedp.CombinedOutput(&chrome.output),
	)
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	chrome.stop = []func(){bcancel, acancel}
	// The first Do starts the browser and binds it to bctx: no timeout on
	// that context, a timer beside it instead.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(bctx) }()
	select {
	case err = <-done:
	case <-time.After(30 * time.Second):
		err = errors.New("Chromium did not answer within 30s")
	}
	if err != nil {
		chrome.err = err
		return
	}
	chrome.ctx = bctx
}

func stopBrowser() {
	for _, stop := range chrome.stop {
		stop()
	}
	if chrome.dir != "" {
		os.RemoveAll(chrome.dir)
	}
}

// ---------------------------------------------------------------------------
// The tribune under test

// server is one tribune behind httptest, with a log of the requests it
// served.
type server struct {
	t    *testing.T
	URL  string
	st   *tribune.Store
	reqs *requestLog
	logs *lockedBuffer
}

// newServer starts a tribune; setup (optional) prepares its store first
// (accounts, channels).
func newServer(t *testing.T, setup func(ctx context.Context, st *tribune.Store)) *server {
	t.Helper()
	return newServerWith(t, nil, setup)
}

// newServerWith is newServer with the configuration changed by mutate
// first.
func newServerWith(t *testing.T, mutate func(*config.Config), setup func(ctx context.Context, st *tribune.Store)) *server {
	t.Helper()
	ctx := context.Background()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	cfg := tribune.DefaultConfig()
	cfg.DB = filepath.Join(t.TempDir(), "tribune.db")
	cfg.Location = loc
	cfg.PostRateLimit = config.Rate{}
	cfg.PasswordHashMemoryKiB = 64
	cfg.SQLiteSynchronous = "normal"
	cfg.TotozSearchURL = "" // nothing may reach totoz.eu from a test: a test sets its own
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if mutate != nil {
		mutate(&cfg)
	}
	st, err := tribune.OpenStore(ctx, &cfg)
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	t.Cleanup(func() { st.Close() }) // last: after the server's cleanup below
	if setup != nil {
		setup(ctx, st)
	}
	tr, err := tribune.New(cfg, st)
	if err != nil {
		t.Fatalf("start the tribune: %v", err)
	}
	reqs := &requestLog{}
	srv := httptest.NewServer(reqs.wrap(tr))
	s := &server{t: t, URL: srv.URL, st: st, reqs: reqs, logs: logs}
	t.Cleanup(func() {
		// The tabs closed first (their cleanups ran before this one); cut
		// what is left of the live streams so that Close does not wait.
		srv.CloseClientConnections()
		srv.Close()
		tr.Close()
		if t.Failed() {
			if l := logs.String(); l != "" {
				t.Logf("tribune logs:\n%s", l)
			}
		}
	})
	return s
}

// createUser makes an account with the shared password.
func createUser(t *testing.T, ctx context.Context, st *tribune.Store, name string, role model.Role) {
	t.Helper()
	hash, err := auth.Hash(password, auth.Params{MemoryKiB: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, name, hash, role); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
}

// request is one request the tribune served.
type request struct {
	At     time.Time
	Method string
	Path   string
	Accept string
	Status int
}

func (r request) String() string {
	return fmt.Sprintf("%s %s %s → %d", r.At.Format("15:04:05.000"), r.Method, r.Path, r.Status)
}

type requestLog struct {
	mu   sync.Mutex
	reqs []request
}

func (l *requestLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		i := len(l.reqs)
		l.reqs = append(l.reqs, request{At: time.Now(), Method: r.Method, Path: r.URL.RequestURI(), Accept: r.Header.Get("Accept")})
		l.mu.Unlock()
		next.ServeHTTP(&statusWriter{ResponseWriter: w, log: l, i: i}, r)
	})
}

// since lists the requests that started at or after t and match keep.
func (l *requestLog) since(t time.Time, keep func(request) bool) []request {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []request
	for _, r := range l.reqs {
		if !r.At.Before(t) && (keep == nil || keep(r)) {
			out = append(out, r)
		}
	}
	return out
}

// statusWriter records the status of an answer. Unwrap lets the tribune's
// http.ResponseController reach the connection (flushes of the live
// stream).
type statusWriter struct {
	http.ResponseWriter
	log   *requestLog
	i     int
	wrote bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.log.mu.Lock()
		w.log.reqs[w.i].Status = code
		w.log.mu.Unlock()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// posted is a remote post's answer.
type posted struct {
	ID     int64     // X-Post-Id, 0 for a pending message
	Status int       // HTTP status
	At     time.Time // when the answer came
}

// post sends a message as a remote client (a coincoin): a plain form POST
// to the channel's /post/ route. channel is "" for the default channel.
func (s *server) post(channel, ua, content string) posted {
	return s.postAs(channel, ua, "", content)
}

// postAs is post with HTTP Basic credentials (login "" for none).
func (s *server) postAs(channel, ua, login, content string) posted {
	s.t.Helper()
	u := s.URL + "/"
	if channel != "" {
		u += channel + "/"
	}
	req, err := http.NewRequest(http.MethodPost, u+"post/", strings.NewReader(url.Values{"content": {content}}.Encode()))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	if login != "" {
		req.SetBasicAuth(login, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("remote post %q: %v", content, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	at := time.Now()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		s.t.Fatalf("remote post %q: %s: %s", content, resp.Status, body)
	}
	id, _ := strconv.ParseInt(resp.Header.Get("X-Post-Id"), 10, 64)
	return posted{ID: id, Status: resp.StatusCode, At: at}
}

// row is a message as the JSON backend gives it.
type row struct {
	ID      int64  `json:"id"`
	Created string `json:"created"`
	Clock   string `json:"clock"`
	Index   int    `json:"clock_indice"`
	Web     string `json:"web_render"`
}

// rows reads the default channel's JSON backend.
func (s *server) rows() []row {
	s.t.Helper()
	resp, err := http.Get(s.URL + "/remote/json/?limit=200")
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var rows []row
	if err := json.NewDecoder(resp.Body).Decode(&rows); err != nil {
		s.t.Fatalf("read the JSON backend: %v", err)
	}
	return rows
}

// ref is the norloge that points at exactly message id, as a user types
// it: HH:MM:SS, with the superscript index when the second is shared.
func (s *server) ref(id int64) string {
	s.t.Helper()
	rows := s.rows()
	for _, r := range rows {
		if r.ID != id {
			continue
		}
		shared := false
		for _, o := range rows {
			if o.ID != id && o.Created == r.Created {
				shared = true
			}
		}
		if r.Index > 1 || shared {
			return r.Clock + superscript(max(r.Index, 1))
		}
		return r.Clock
	}
	s.t.Fatalf("message %d is not in the backend", id)
	return ""
}

func superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	var b strings.Builder
	for _, d := range strconv.Itoa(n) {
		b.WriteString(string([]rune(digits)[d-'0']))
	}
	return b.String()
}

// ---------------------------------------------------------------------------
// Browser users

// tab is one simulated user: a browser context of its own (cookies,
// storage) with one tab.
type tab struct {
	t    *testing.T
	name string
	ctx  context.Context

	mu         sync.Mutex
	exceptions []string
	console    []string
	requests   []sentRequest
}

// sentRequest is a request the tab's page sent, as the browser reports it.
type sentRequest struct {
	At  time.Time
	URL string
}

// sentSince lists the URLs of the requests the page sent since t whose
// URL contains part.
func (tb *tab) sentSince(t time.Time, part string) []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	var out []string
	for _, r := range tb.requests {
		if !r.At.Before(t) && strings.Contains(r.URL, part) {
			out = append(out, r.URL)
		}
	}
	return out
}

// newTab opens a tab for a new user, width×height CSS pixels.
func newTab(t *testing.T, name string, width, height int64) *tab {
	t.Helper()
	return openTab(t, browserContext(t), name, width, height, chromedp.WithNewBrowserContext())
}

// sibling opens another tab of the same user (same browser context, so the
// same cookies).
func (tb *tab) sibling(name string, width, height int64) *tab {
	tb.t.Helper()
	return openTab(tb.t, tb.ctx, name, width, height)
}

func openTab(t *testing.T, parent context.Context, name string, width, height int64, opts ...chromedp.ContextOption) *tab {
	t.Helper()
	tb := &tab{t: t, name: name}
	ctx, cancel := chromedp.NewContext(parent, append(opts, chromedp.WithListener(tb.listen))...)
	tb.ctx = ctx
	t.Cleanup(func() {
		tb.mu.Lock()
		exc := tb.exceptions
		tb.mu.Unlock()
		for _, e := range exc {
			t.Errorf("%s: uncaught JavaScript exception: %s", name, e)
		}
		if t.Failed() {
			tb.mu.Lock()
			if len(tb.console) > 0 {
				t.Logf("%s: browser console:\n%s", name, strings.Join(tb.console, "\n"))
			}
			tb.mu.Unlock()
		}
		cancel()
	})
	// The first Do opens the tab and binds it to ctx: no timeout there.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("%s: open a tab: %v", name, err)
	}
	tb.do("set the viewport", chromedp.EmulateViewport(width, height))
	return tb
}

// listen records what the page says; it runs in the tab's event loop.
func (tb *tab) listen(ev any) {
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		tb.mu.Lock()
		tb.exceptions = append(tb.exceptions, fmt.Sprintf("%s (%s:%d)", msg, d.URL, d.LineNumber+1))
		tb.mu.Unlock()
	case *network.EventRequestWillBeSent:
		tb.mu.Lock()
		tb.requests = append(tb.requests, sentRequest{At: time.Now(), URL: e.Request.URL})
		tb.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range e.Args {
			if a.Description != "" {
				parts = append(parts, a.Description)
			} else {
				parts = append(parts, string(a.Value))
			}
		}
		tb.mu.Lock()
		tb.console = append(tb.console, string(e.Type)+": "+strings.Join(parts, " "))
		tb.mu.Unlock()
	}
}

// do runs browser steps, bounded by stepTimeout.
func (tb *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
}

// call sends one protocol command to the tab.
func call[P, R any](tb *tab, what string, cmd cdp.Command[P, R], params P) {
	tb.t.Helper()
	tb.do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	}))
}

// disableJS turns the tab's scripts off (before its first page).
func (tb *tab) disableJS() {
	tb.t.Helper()
	call(tb, "disable JavaScript", emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
}

// acceptLanguage sets the tab's Accept-Language header.
func (tb *tab) acceptLanguage(lang string) {
	tb.t.Helper()
	call(tb, "set Accept-Language", network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}})
}

// colorScheme emulates the system's light or dark preference.
func (tb *tab) colorScheme(scheme string) {
	tb.t.Helper()
	call(tb, "emulate prefers-color-scheme", emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
}

// beforeScripts runs js in every page of the tab before the page's own
// scripts (to take a browser feature away, say).
func (tb *tab) beforeScripts(js string) {
	tb.t.Helper()
	call(tb, "add a script to new documents", page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: js})
}

// login logs the tab in through the log-in form, then goes to next.
func (tb *tab) login(base, user, next string) {
	tb.t.Helper()
	tb.navigate(base + "/login?next=" + url.QueryEscape(next))
	tb.typeIn("#username", user)
	tb.typeIn("#password", password+"\r")
	tb.waitFor("the page after logging in", `location.pathname === `+js(next)+` && !document.getElementById("password")`, waitTimeout,
		`location.href`, `document.querySelector(".alert")?.textContent`)
}

// key presses keys on the focused element (kb.Tab, kb.Escape…).
func (tb *tab) key(what, keys string) {
	tb.t.Helper()
	tb.do("press "+what, chromedp.KeyEvent(keys))
}

// navigate loads a page and waits for its load event.
func (tb *tab) navigate(u string) {
	tb.t.Helper()
	tb.do("load "+u, chromedp.Navigate(u))
}

// openBoard loads a board page and waits until board.js runs and its live
// stream is open.
func (tb *tab) openBoard(u string) {
	tb.t.Helper()
	tb.navigate(u)
	tb.waitFor("board.js started and the live stream is open",
		`document.documentElement.classList.contains("js-board") && document.getElementById("live-state")?.dataset.state === "live"`,
		waitTimeout, `document.getElementById("live-state")?.dataset.state`)
}

// evalJS evaluates an expression in the page (a promise is awaited).
func evalJS[T any](tb *tab, js string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: evaluate %s: %v", tb.name, js, err)
	}
	return v
}

// str evaluates an expression as a string.
func (tb *tab) str(js string) string {
	tb.t.Helper()
	return evalJS[string](tb, "String("+js+")")
}

// truth evaluates an expression as a boolean.
func (tb *tab) truth(js string) bool {
	tb.t.Helper()
	return evalJS[bool](tb, "!!("+js+")")
}

// waitFor polls cond (a JavaScript expression) until it is true, for at
// most timeout; on failure the message shows what (and the value of the
// JavaScript expression show, when given). It polls from Go, not with
// chromedp.Poll: the board's Content-Security-Policy forbids the eval that
// Poll's page function needs, and a wait may span a navigation.
func (tb *tab) waitFor(what, cond string, timeout time.Duration, show ...string) {
	tb.t.Helper()
	if !tb.poll(cond, timeout) {
		msg := fmt.Sprintf("%s: %s: not within %v", tb.name, what, timeout)
		for _, s := range show {
			msg += fmt.Sprintf("\n\t%s = %s", s, tb.peek(s))
		}
		tb.t.Fatal(msg)
	}
}

// poll reports whether cond (awaited when it is a promise) became true
// within timeout.
func (tb *tab) poll(cond string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("(async () => { try { return !!(await ("+cond+")) } catch { return false } })()", chromedp.EvalAwaitPromise))
		cancel()
		if err == nil && ok {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// peek evaluates an expression for a failure message, never failing.
func (tb *tab) peek(js string) string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string]("(async () => { try { return String(await ("+js+")) } catch (e) { return 'throws ' + e } })()", chromedp.EvalAwaitPromise))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return strconv.Quote(v)
}

// center gives the viewport coordinates of the middle of the element that
// the JavaScript expression el yields, after checking that this point hits
// the element (nothing covers it).
func (tb *tab) center(what, el string) (x, y float64) {
	tb.t.Helper()
	var p struct {
		X, Y float64
		Hit  bool
		Err  string
	}
	raw := evalJS[string](tb, `JSON.stringify((() => {
		const e = `+el+`;
		if (!e) return {Err: "no such element"};
		let r = e.getBoundingClientRect();
		const inside = () => r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth;
		const hits = () => { const h = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return !!h && (h === e || e.contains(h)); };
		if (!inside() || !hits()) { e.scrollIntoView({block: "center"}); r = e.getBoundingClientRect(); }
		return {X: r.left + r.width / 2, Y: r.top + r.height / 2, Hit: hits()};
	})())`)
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		tb.t.Fatalf("%s: locate %s: %v", tb.name, what, err)
	}
	if p.Err != "" {
		tb.t.Fatalf("%s: locate %s: %s", tb.name, what, p.Err)
	}
	if !p.Hit {
		tb.t.Fatalf("%s: %s is covered by another element at (%.0f, %.0f)", tb.name, what, p.X, p.Y)
	}
	return p.X, p.Y
}

// hover moves the mouse over the middle of an element.
func (tb *tab) hover(what, el string) {
	tb.t.Helper()
	x, y := tb.center(what, el)
	tb.do("hover "+what, chromedp.MouseEvent(chromedp.MouseMoved, x, y))
}

// mouseTo moves the mouse to a point.
func (tb *tab) mouseTo(x, y float64) {
	tb.t.Helper()
	tb.do("move the mouse", chromedp.MouseEvent(chromedp.MouseMoved, x, y))
}

// click clicks the first element matching a CSS selector.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.do("click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// typeIn types text in the element matching a CSS selector ("\r" is Enter).
func (tb *tab) typeIn(sel, text string) {
	tb.t.Helper()
	tb.do("type in "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// screenshot saves the viewport as a PNG file and returns its bytes.
func (tb *tab) screenshot(path string) []byte {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("%s: screenshot: %v", tb.name, err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		tb.t.Fatal(err)
	}
	return png
}

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// liWith is a JavaScript expression: the board's message li whose content
// is exactly text (null when none).
func liWith(text string) string {
	return `[...document.querySelectorAll("#messages li.message")].find(l => l.querySelector(".content")?.textContent.trim() === ` + js(text) + `)`
}

// artifactsDir is where screenshots go: $TRIBUNE_E2E_ARTIFACTS, else
// e2e/artifacts/ (git-ignored).
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("TRIBUNE_E2E_ARTIFACTS")
	if dir == "" {
		dir = "artifacts" // the test runs in e2e/
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
