package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tribune-go/tribune/internal/config"
	"github.com/tribune-go/tribune/internal/logctx"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/store/storetest"
)

// logBuffer keeps the JSON lines of a tribune's log.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines are the log's records whose msg is msg.
func (l *logBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(l.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// audit is the audit line of event whose fields hold want, failing the
// test when there is none.
func (l *logBuffer) audit(t *testing.T, event string, want map[string]any) map[string]any {
	t.Helper()
	var seen []map[string]any
	for _, rec := range l.lines(t, "audit") {
		if rec["event"] != event {
			continue
		}
		seen = append(seen, rec)
		ok := true
		for k, v := range want {
			ok = ok && fmt.Sprint(rec[k]) == fmt.Sprint(v)
		}
		if ok {
			if rec["level"] != "INFO" {
				t.Errorf("audit line at %v: %v", rec["level"], rec)
			}
			return rec
		}
	}
	t.Fatalf("no audit line %s with %v; lines of that event: %v", event, want, seen)
	return nil
}

// loggedTribune is newTribune whose log, at DEBUG and in JSON, is kept
// (wrapped as tribune.New wraps it, for the context's attributes).
func loggedTribune(t *testing.T, b storetest.Backend, mutate func(*config.Config)) (*tribune, *logBuffer) {
	t.Helper()
	tr := newTribune(t, b, mutate)
	logs := &logBuffer{}
	tr.log = logctx.Wrap(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	tr.board, tr.srv = tr.newServer()
	return tr, logs
}

// The request log line tells what a coincoin asked and what it got: the
// query string (last_id), the user agent, the answer's size and duration,
// and the request's id, honoured when short and printable, else made, and
// returned in X-Request-Id. Secrets in the query are masked.
func TestRequestLog(t *testing.T) {
	tr, logs := loggedTribune(t, storetest.Backends(t)[0], func(c *config.Config) { c.LogRequests = true })
	c := tr.client("olcc/2.1")
	c.say("/", "plop")
	c.say("/", "plop again")
	w := c.get("/remote/xml/?last_id=1&Token=sekrit&limit=5", "X-Request-Id", "abc-123")
	if got := w.Header().Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("X-Request-Id answered %q", got)
	}
	var line map[string]any
	for _, rec := range logs.lines(t, "request") {
		if rec["request_id"] == "abc-123" {
			line = rec
		}
	}
	if line == nil {
		t.Fatalf("no request line with the id:\n%s", logs)
	}
	req, resp := line["request"].(map[string]any), line["response"].(map[string]any)
	want := map[string]any{"method": "GET", "path": "/remote/xml/", "query": "last_id=1&Token=********&limit=5",
		"ip": "192.0.2.1", "user_agent": "olcc/2.1"}
	for k, v := range want {
		if req[k] != v {
			t.Errorf("request.%s = %v, want %v", k, req[k], v)
		}
	}
	if resp["status"] != 200.0 || resp["bytes"] != float64(w.Body.Len()) || resp["duration"] == nil {
		t.Errorf("response %v, want 200, %d bytes and a duration", resp, w.Body.Len())
	}

	// Ids that are too long or not printable are not taken: a new one.
	for _, given := range []string{"", strings.Repeat("x", 65), "two words", "caf\u00e9", "a\x01b"} {
		w := c.get("/remote/xml/", "X-Request-Id", given)
		id := w.Header().Get("X-Request-Id")
		if id == given || len(id) < 16 || strings.ContainsAny(id, " /+=") {
			t.Errorf("X-Request-Id %q answered as %q", given, id)
		}
		found := false
		for _, rec := range logs.lines(t, "request") {
			found = found || rec["request_id"] == id
		}
		if !found {
			t.Errorf("request %q not logged under the id it was given back (%q)", given, id)
		}
	}

	// Off, there is no request line, but the id is still answered.
	quiet, qlogs := loggedTribune(t, storetest.Backends(t)[0], nil)
	if w := quiet.client("x").get("/remote/xml/", "X-Request-Id", "q-1"); w.Header().Get("X-Request-Id") != "q-1" {
		t.Errorf("X-Request-Id without the request log: %q", w.Header().Get("X-Request-Id"))
	}
	if n := len(qlogs.lines(t, "request")); n != 0 {
		t.Errorf("%d request lines with TRIBUNE_LOG_REQUESTS off", n)
	}
}

// No password, token, session cookie or Authorization header is ever
// logged, whatever the request log and the audit trail show.
func TestLogsHoldNoSecrets(t *testing.T) {
	tr, logs := loggedTribune(t, storetest.Backends(t)[0], func(c *config.Config) { c.LogRequests = true })
	tr.createUser(t, "nono", model.RoleUser)
	c := tr.client("Mozilla/5.0")
	const typo = "correct-horse-typo"
	c.post("/login", "username", "nono", "password", typo)
	c.post("/login?password=in-the-url-too", "username", "nono", "password", "nono-password")
	session := c.cookies["sessionid"].Value
	c.say("/", "logged in")
	basic := base64.StdEncoding.EncodeToString([]byte("nono:wrong-basic-secret"))
	c.do("POST", "/post/", "content=x", "Authorization", "Basic "+basic)
	tr.client("x").get("/remote/xml/?access_token=tok-123456&sessionid=sess-123456")
	all := logs.String()
	for _, secret := range []string{typo, "nono-password", "in-the-url-too", session, basic, "wrong-basic-secret",
		"tok-123456", "sess-123456"} {
		if strings.Contains(all, secret) {
			t.Errorf("the log holds %q:\n%s", secret, all)
		}
	}
	logs.audit(t, "login_failed", map[string]any{"name": "nono", "reason": "bad credentials", "address": "192.0.2.1"})
	logs.audit(t, "login", map[string]any{"user": "nono"})
}

// The audit trail, at INFO, on both databases: log-ins and their
// failures, sign-ups, role and channel changes by an admin, moderators'
// decisions. Each line says who did it and carries the request's id.
func TestAuditTrail(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { auditTrail(t, b) })
	}
}

func auditTrail(t *testing.T, b storetest.Backend) {
	tr, logs := loggedTribune(t, b, nil)
	visitor := tr.client("Mozilla/5.0")
	if w := visitor.post("/signup", "username", "Superman", "password", "kryptonite"); w.Code != 200 {
		t.Fatalf("sign-up: %d %s", w.Code, w.Body)
	}
	logs.audit(t, "signup", map[string]any{"user": "Superman", "address": "192.0.2.1"})
	if w := tr.client("x").post("/login", "username", "Superman", "password", "wrong"); w.Code != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", w.Code)
	}
	failed := logs.audit(t, "login_failed", map[string]any{"name": "Superman", "reason": "bad credentials"})
	if id, _ := failed["request_id"].(string); id == "" {
		t.Errorf("audit line without the request id: %v", failed)
	}
	if w := tr.client("x").post("/login", "username", "Superman", "password", "kryptonite"); w.Code != 200 {
		t.Fatalf("log-in: %d", w.Code)
	}
	logs.audit(t, "login", map[string]any{"user": "Superman", "address": "192.0.2.1"})

	// An admin's changes, signed with the admin's name.
	tr.createUser(t, "chief", model.RoleAdmin)
	chief := tr.client("Mozilla/5.0 chief")
	chief.login(t, "chief")
	for _, f := range [][]string{
		{"op", "create", "slug", "troie", "title", "Troie"},
		{"op", "rename", "slug", "troie", "title", "Ilion"},
		{"op", "moderate", "slug", "troie", "mode", "auto", "moderators", "words:spam\nwebhook:http://u:pw@127.0.0.1:9/x?key=k", "auto_moderate_as", "pending"},
	} {
		if w := chief.post("/admin/channels", f...); w.Code >= 400 {
			t.Fatalf("admin %v: %d %s", f, w.Code, w.Body)
		}
	}
	logs.audit(t, "channel_created", map[string]any{"channel": "troie", "title": "Troie", "by": "chief"})
	logs.audit(t, "channel_renamed", map[string]any{"channel": "troie", "title": "Ilion", "by": "chief"})
	logs.audit(t, "channel_moderation", map[string]any{"channel": "troie", "mode": "auto", "moderators": 2, "by": "chief"})
	if strings.Contains(logs.String(), "pw@") {
		t.Error("a webhook's credentials are in the log")
	}
	if w := chief.post("/admin/users", "username", "Superman", "role", "moderator"); w.Code >= 400 {
		t.Fatalf("role: %d", w.Code)
	}
	logs.audit(t, "role_changed", map[string]any{"user": "Superman", "role": "moderator", "by": "chief"})

	// Decisions: the chain's rejection, a moderator's acceptance,
	// rejection and removal.
	anon := tr.client("coincoin")
	if w := anon.post("/troie/post/", "content", "buy spam"); w.Code != http.StatusForbidden {
		t.Fatalf("rejected post: %d", w.Code)
	}
	logs.audit(t, "moderation", map[string]any{"decision": "rejected", "by": "auto", "channel": "troie"})
	var held []string
	for _, text := range []string{"one", "two"} {
		w := anon.post("/troie/post/", "content", text)
		if w.Code != http.StatusAccepted {
			t.Fatalf("held post: %d", w.Code)
		}
		held = append(held, w.Header().Get("X-Submission-Id"))
	}
	if w := chief.post("/moderation/" + held[0] + "/accept"); w.Code >= 400 {
		t.Fatalf("accept: %d %s", w.Code, w.Body)
	}
	logs.audit(t, "moderation", map[string]any{"decision": "accepted", "moderator": "chief", "submission": held[0]})
	if w := chief.post("/moderation/"+held[1]+"/reject", "reason", "off topic"); w.Code >= 400 {
		t.Fatalf("reject: %d", w.Code)
	}
	logs.audit(t, "moderation", map[string]any{"decision": "rejected", "moderator": "chief", "submission": held[1], "reason": "off topic"})
	id := anon.say("/", "take me down")
	if w := chief.post(fmt.Sprintf("/moderation/%d/remove", id), "reason", "rude"); w.Code >= 400 {
		t.Fatalf("remove: %d", w.Code)
	}
	logs.audit(t, "moderation", map[string]any{"decision": "removed", "moderator": "chief", "message": id, "reason": "rude"})

	if w := chief.post("/admin/channels", "op", "delete", "slug", "troie", "confirm", "yes"); w.Code >= 400 {
		t.Fatalf("delete: %d", w.Code)
	}
	logs.audit(t, "channel_deleted", map[string]any{"channel": "troie", "by": "chief"})
}
