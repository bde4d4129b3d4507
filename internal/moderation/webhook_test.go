package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tribune-go/tribune/internal/outbound"
)

// poster makes the tests' webhook calls, as the tribune's server does.
var poster = outbound.New(nil)

// rateService is a fake moderation service: it hands each request it gets
// to the test and answers with a fixed status and body.
type rateService struct {
	*httptest.Server
	requests chan *capturedRequest
}

type capturedRequest struct {
	method, contentType string
	body                []byte
}

func newRateService(t *testing.T, status int, answer string) *rateService {
	t.Helper()
	svc := &rateService{requests: make(chan *capturedRequest, 1)}
	svc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// The channel hands the request over with a happens-before edge
		// the race detector sees; the network would not give one.
		select {
		case svc.requests <- &capturedRequest{r.Method, r.Header.Get("Content-Type"), body}:
		default:
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(svc.Close)
	return svc
}

func TestWebhookRequest(t *testing.T) {
	tests := []struct {
		name      string
		s         Submission
		wantLogin any
	}{
		{"anonymous", Submission{Channel: "tech", Content: "hello <b>world</b>", Info: "Mozilla/5.0", Address: "192.0.2.1"}, nil},
		{"registered", Submission{Channel: "", Content: "héllo", Info: "alice's box", Login: "alice", Address: "2001:db8::1"}, "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newRateService(t, http.StatusOK, `{"rating": null}`)
			if got := rate(t, "webhook:"+svc.URL+"/rate", Deps{Poster: poster}, &tt.s); got != Neutral() {
				t.Errorf("Rate = %v, want neutral", got)
			}
			req := <-svc.requests
			if req.method != http.MethodPost || req.contentType != "application/json" {
				t.Errorf("request %s with Content-Type %q, want a JSON POST", req.method, req.contentType)
			}
			var got map[string]any
			if err := json.Unmarshal(req.body, &got); err != nil {
				t.Fatalf("body %s: %v", req.body, err)
			}
			want := map[string]any{
				"channel": tt.s.Channel,
				"content": tt.s.Content,
				"info":    tt.s.Info,
				"login":   tt.wantLogin,
				"address": tt.s.Address,
			}
			if len(got) != len(want) {
				t.Errorf("body has keys %v, want exactly %v", got, want)
			}
			for k, v := range want {
				if gv, ok := got[k]; !ok || gv != v {
					t.Errorf("body[%q] = %#v (present %v), want %#v", k, gv, ok, v)
				}
			}
		})
	}
}

func TestWebhookAnswers(t *testing.T) {
	tests := []struct {
		name   string
		status int
		answer string
		want   Output
		fail   Failure // "" when the webhook answered
		cause  string  // part of the error
	}{
		{"number", 200, `{"rating": 42}`, Rate(42), "", ""},
		{"float", 200, `{"rating": 49.5}`, Rate(49.5), "", ""},
		{"zero", 200, `{"rating": 0}`, Rate(0), "", ""},
		{"out of range passes through", 200, `{"rating": 101}`, Rate(101), "", ""},
		{"true", 200, `{"rating": true}`, Accept(), "", ""},
		{"false", 200, `{"rating": false}`, Reject(), "", ""},
		{"null", 200, `{"rating": null}`, Neutral(), "", ""},
		{"null with a reason", 200, `{"rating": null, "reason": "why"}`, Neutral(), "", ""},
		{"with reason", 200, `{"rating": 10, "reason": "spam"}`, RateWithReason(10, "spam"), "", ""},
		{"with empty reason", 200, `{"rating": 0, "reason": ""}`, RateWithReason(0, ""), "", ""},
		{"reason null", 200, `{"rating": 30, "reason": null}`, RateWithReason(30, ""), "", ""},
		{"false with reason", 200, `{"rating": false, "reason": "no"}`, RateWithReason(0, "no"), "", ""},
		{"extra keys ignored", 200, `{"rating": 70, "score": 3, "labels": ["x"]}`, Rate(70), "", ""},
		{"201 is fine", 201, `{"rating": 100}`, Accept(), "", ""},
		{"white space around", 200, " \n{\"rating\" : 5 }\n", Rate(5), "", ""},
		// Malformed answers and failed calls: a failure, counted neutral.
		{"not JSON", 200, `rating=5`, Neutral(), FailureBadAnswer, "malformed answer"},
		{"truncated JSON", 200, `{"rating": 5`, Neutral(), FailureBadAnswer, "malformed answer"},
		{"trailing data", 200, `{"rating": 5} {"rating": 6}`, Neutral(), FailureBadAnswer, "malformed answer"},
		{"empty body", 200, ``, Neutral(), FailureBadAnswer, "malformed answer"},
		{"JSON null", 200, `null`, Neutral(), FailureBadAnswer, "not a JSON object"},
		{"bare number", 200, `0`, Neutral(), FailureBadAnswer, "malformed answer"},
		{"array like postman's (0,)", 200, `[0]`, Neutral(), FailureBadAnswer, "malformed answer"},
		{"array like postman's 3-tuple", 200, `[0, "reason", "extra"]`, Neutral(), FailureBadAnswer, "malformed answer"},
		{"no rating key", 200, `{"reason": "why"}`, Neutral(), FailureBadAnswer, `no "rating" key`},
		{"rating key in another case", 200, `{"Rating": 0}`, Neutral(), FailureBadAnswer, `no "rating" key`},
		{"rating is a string", 200, `{"rating": "0"}`, Neutral(), FailureBadAnswer, "not a number, a boolean or null"},
		{"rating is an array", 200, `{"rating": [0]}`, Neutral(), FailureBadAnswer, "not a number, a boolean or null"},
		{"rating is an object", 200, `{"rating": {"v": 0}}`, Neutral(), FailureBadAnswer, "not a number, a boolean or null"},
		{"rating overflows", 200, `{"rating": 1e400}`, Neutral(), FailureBadAnswer, "rating"},
		{"reason is a number", 200, `{"rating": 0, "reason": 5}`, Neutral(), FailureBadAnswer, "reason"},
		{"reason is a list", 200, `{"rating": 0, "reason": ["a"]}`, Neutral(), FailureBadAnswer, "reason"},
		{"server error", 500, `{"rating": 0}`, Neutral(), FailureError, "500 Internal Server Error"},
		{"not found", 404, `{"rating": 0}`, Neutral(), FailureError, "404 Not Found"},
		{"redirect without location", 302, `{"rating": 0}`, Neutral(), FailureError, "302 Found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc := newRateService(t, tt.status, tt.answer)
			spec := "webhook:" + svc.URL + "/rate"
			got, err := rateErr(t, spec, Deps{Poster: poster}, &Submission{Content: "x"})
			if got != tt.want {
				t.Errorf("Rate = %v, want %v", got, tt.want)
			}
			checkFailure(t, err, tt.fail, tt.cause)
		})
	}
}

// checkFailure checks that err is a failure of kind fail mentioning cause,
// or nil when fail is "".
func checkFailure(t *testing.T, err error, fail Failure, cause string) {
	t.Helper()
	if fail == "" {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want a %s failure", fail)
	}
	if got := failureOf(err); got != fail {
		t.Errorf("error %q is a %s failure, want %s", err, got, fail)
	}
	if !strings.Contains(err.Error(), cause) {
		t.Errorf("error %q lacks %q", err, cause)
	}
}

// checkWarning checks that a warning naming spec and cause was logged, or
// nothing at all when cause is "".
func checkWarning(t *testing.T, logs, spec, cause string) {
	t.Helper()
	if cause == "" {
		if logs != "" {
			t.Errorf("unexpected log: %s", logs)
		}
		return
	}
	for _, want := range []string{"level=WARN", "moderator=" + spec, cause} {
		if !strings.Contains(logs, want) {
			t.Errorf("log %q lacks %q", logs, want)
		}
	}
}

func TestWebhookTooLongAnswer(t *testing.T) {
	long := `{"rating": 10, "reason": "` + strings.Repeat("x", maxWebhookAnswer) + `"}`
	svc := newRateService(t, 200, long)
	got, err := rateErr(t, "webhook:"+svc.URL, Deps{Poster: poster}, &Submission{})
	if got != Neutral() {
		t.Errorf("Rate = %v, want neutral", got)
	}
	checkFailure(t, err, FailureBadAnswer, "longer than")
}

func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		io.WriteString(w, `{"rating": 0}`)
	}))
	defer slow.Close()
	defer close(release) // before Close, which waits for the handler

	tests := []struct {
		name string
		deps Deps
	}{
		{"outbound's own client", Deps{Poster: outbound.New(nil), WebhookTimeout: 50 * time.Millisecond}},
		// A client without a timeout of its own is still bounded.
		{"caller's client", Deps{Poster: outbound.New(&http.Client{}), WebhookTimeout: 50 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got, err := rateErr(t, "webhook:"+slow.URL, tt.deps, &Submission{})
			if elapsed := time.Since(start); elapsed > time.Second {
				t.Errorf("Rate took %v, want about 50ms", elapsed)
			}
			if got != Neutral() {
				t.Errorf("Rate = %v, want neutral", got)
			}
			checkFailure(t, err, FailureTimeout, "no answer after")
		})
	}
}

// TestWebhookWithoutPoster: a spec checked without a network (the command
// line does so) builds, and the moderator fails.
func TestWebhookWithoutPoster(t *testing.T) {
	svc := newRateService(t, 200, `{"rating": 0}`)
	got, err := rateErr(t, "webhook:"+svc.URL, Deps{}, &Submission{})
	if got != Neutral() {
		t.Errorf("Rate without a poster = %v, want neutral", got)
	}
	checkFailure(t, err, FailureError, "no HTTP client")
	select {
	case <-svc.requests:
		t.Error("the service was called")
	default:
	}
}

func TestWebhookCancelledContext(t *testing.T) {
	svc := newRateService(t, 200, `{"rating": 0}`)
	m, err := ParseSpec("webhook:"+svc.URL, discard())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := m.Rate(ctx, &Submission{})
	if got != Neutral() {
		t.Errorf("Rate with a cancelled context = %v, want neutral", got)
	}
	checkFailure(t, err, FailureError, "context canceled")
}

func TestWebhookUnreachable(t *testing.T) {
	svc := newRateService(t, 200, `{"rating": 0}`)
	url := svc.URL
	svc.Close() // nothing listens there any more
	got, err := rateErr(t, "webhook:"+url, Deps{Poster: poster}, &Submission{})
	if got != Neutral() {
		t.Errorf("Rate = %v, want neutral", got)
	}
	checkFailure(t, err, FailureError, "request: ")
	// The spec names the URL: the detail says only what went wrong.
	if strings.Contains(err.Error(), url) {
		t.Errorf("error %q repeats the URL", err)
	}
}

// TestWebhookInChain checks the reason rules through a chain: a bare
// answer takes the spec's default reason, an answer with a reason keeps
// its own, even empty or null.
func TestWebhookInChain(t *testing.T) {
	tests := []struct {
		answer string
		spec   string // appended to the URL
		want   Decision
	}{
		{`{"rating": false}`, "", Decision{Rejected, "rejected by the moderation service"}},
		{`{"rating": 0}`, "#blocked by the filter", Decision{Rejected, "blocked by the filter"}},
		{`{"rating": 0, "reason": "spam score 9"}`, "#blocked", Decision{Rejected, "spam score 9"}},
		{`{"rating": 0, "reason": ""}`, "#blocked", Decision{Rejected, ""}},
		{`{"rating": 0, "reason": null}`, "#blocked", Decision{Rejected, ""}},
		{`{"rating": 20, "reason": null}`, "#blocked", Decision{Rejected, ""}},
		{`{"rating": 20}`, "#blocked", Decision{Rejected, "blocked"}},
		{`{"rating": true}`, "", Decision{Verdict: Accepted}},
		{`{"rating": 50, "reason": "borderline"}`, "", Decision{Verdict: Accepted}},
		{`{"rating": [0]}`, "", Decision{Verdict: Pending}},
	}
	for _, tt := range tests {
		t.Run(tt.answer+tt.spec, func(t *testing.T) {
			svc := newRateService(t, 200, tt.answer)
			chain, err := ParseChain([]string{"webhook:" + svc.URL + tt.spec}, discard())
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := chain.Run(context.Background(), &Submission{}, FallbackPending); got != tt.want {
				t.Errorf("Run = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestWebhookSpecMasksPassword checks that basic-auth credentials of a
// webhook URL stay out of logs and records, but are still sent.
func TestWebhookSpecMasksPassword(t *testing.T) {
	auth := make(chan string, 1)
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		auth <- user + ":" + pass
		w.WriteHeader(http.StatusTeapot)
	}))
	defer svc.Close()

	var logs syncBuffer
	spec := "webhook:" + strings.Replace(svc.URL, "http://", "http://bot:s3cret@", 1) + "/rate#reason"
	m, err := ParseSpec(spec, Deps{Poster: poster, Logger: testLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(m.Spec(), "s3cret") || !strings.Contains(m.Spec(), "bot:") {
		t.Errorf("Spec() = %q, want the password masked", m.Spec())
	}
	g := &Gate{Mode: ModeAuto, Chain: Chain{m}, Logger: testLogger(&logs)}
	_, results := g.Judge(context.Background(), &Submission{})
	if got := <-auth; got != "bot:s3cret" {
		t.Errorf("service got credentials %q", got)
	}
	checkWarning(t, logs.String(), m.Spec(), "418")
	if strings.Contains(logs.String(), "s3cret") {
		t.Errorf("password logged: %s", logs.String())
	}
	if len(results) != 1 || results[0].Spec != m.Spec() || results[0].Failure != FailureError ||
		strings.Contains(fmt.Sprint(results), "s3cret") {
		t.Errorf("results %+v, want one error, password masked", results)
	}
}

// A webhook's spec, shown in logs and on the moderation page, masks its
// password and its query's values (an API key), never the host or path.
func TestWebhookSpecMasksSecrets(t *testing.T) {
	for _, tc := range []struct{ spec, want string }{
		{"webhook:https://bot:s3cret@example.com/rate", "webhook:https://bot:xxxxx@example.com/rate"},
		{"webhook:https://example.com/rate?api_key=TOPSECRET&v=2", "webhook:https://example.com/rate?api_key=xxxxx&v=xxxxx"},
		{"webhook:https://example.com/rate#no thanks", "webhook:https://example.com/rate#no thanks"},
	} {
		m, err := ParseSpec(tc.spec, Deps{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Spec() != tc.want {
			t.Errorf("%q shown as %q, want %q", tc.spec, m.Spec(), tc.want)
		}
	}
}
