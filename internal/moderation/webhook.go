package moderation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Poster makes the webhooks' HTTP calls; the tribune's is
// *outbound.Client. Post POSTs body to url with that Content-Type, within
// ctx, and returns the answer's status and at most maxAnswer bytes of its
// body, plus one byte when the body is longer. err is nil for a 2xx answer
// only; otherwise it describes the failure, with status 0 when no answer
// came, else the status ("answer status 500 Internal Server Error").
type Poster interface {
	Post(ctx context.Context, url, contentType string, body []byte, maxAnswer int) (status int, answer []byte, err error)
}

// maxWebhookAnswer bounds how much of an answer is read: a rating and a
// reason fit in far less, and a service gone wrong must not fill memory.
const maxWebhookAnswer = 64 << 10

// errNoPoster is why a webhook built without Deps.Poster fails.
var errNoPoster = errors.New("no HTTP client to call it with (moderation.Deps.Poster is nil)")

// webhook asks an external service to rate the submission.
type webhook struct {
	base
	url     string
	poster  Poster
	timeout time.Duration
	deps    Deps
}

func newWebhook(arg string, b base, deps Deps) (Moderator, error) {
	u, err := url.Parse(arg)
	if err != nil {
		return nil, fmt.Errorf("URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("URL %q: want an http or https URL", arg)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("URL %q has no host", arg)
	}
	timeout := deps.WebhookTimeout
	if timeout <= 0 {
		timeout = DefaultWebhookTimeout
	}
	// The spec ends up in logs and on the moderation page: mask a password
	// given for basic authentication, and the query's values (an API key).
	if _, has := u.User.Password(); has || u.RawQuery != "" {
		b.spec = strings.Replace(b.spec, arg, redacted(u), 1)
	}
	return &webhook{base: b, url: u.String(), poster: deps.Poster, timeout: timeout, deps: deps}, nil
}

// redacted is a webhook URL as it may be shown: its password and its
// query's values masked.
func redacted(u *url.URL) string {
	v := *u
	if _, has := v.User.Password(); has {
		v.User = url.UserPassword(v.User.Username(), "xxxxx")
	}
	if v.RawQuery != "" {
		q := v.Query()
		for k := range q {
			q[k] = []string{"xxxxx"}
		}
		v.RawQuery = q.Encode()
	}
	return v.String()
}

// webhookRequest is the body POSTed to the service.
type webhookRequest struct {
	Channel string  `json:"channel"`
	Content string  `json:"content"`
	Info    string  `json:"info"`
	Login   *string `json:"login"` // null for an anonymous poster
	Address string  `json:"address"`
}

func (m *webhook) Rate(ctx context.Context, s *Submission) (Output, error) {
	if m.poster == nil {
		return Neutral(), errNoPoster
	}
	// The poster may have no timeout of its own: the context bounds the
	// whole exchange, body included.
	call, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()

	payload := webhookRequest{Channel: s.Channel, Content: s.Content, Info: s.Info, Address: s.Address}
	if s.Login != "" {
		payload.Login = &s.Login
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return Neutral(), fmt.Errorf("encode request: %w", err)
	}
	start := time.Now()
	status, data, err := m.poster.Post(call, m.url, "application/json", body, maxWebhookAnswer)
	if err != nil {
		if status != 0 {
			return Neutral(), err // the poster names the status or the read failure
		}
		if call.Err() != nil {
			// Our own timeout, or the chain's: say how long it waited.
			return Neutral(), fmt.Errorf("no answer after %v: %w", time.Since(start).Round(time.Millisecond), call.Err())
		}
		// The spec names the URL already: keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Neutral(), fmt.Errorf("request: %w", err)
	}
	if len(data) > maxWebhookAnswer {
		return Neutral(), fmt.Errorf("%w: longer than %d bytes", ErrBadAnswer, maxWebhookAnswer)
	}
	out, err := parseWebhookAnswer(data)
	if err != nil {
		return Neutral(), fmt.Errorf("%w: %w", ErrBadAnswer, err)
	}
	return out, nil
}

// parseWebhookAnswer reads {"rating": NUMBER|true|false|null} with an
// optional "reason": STRING|null. Keys other than those two are ignored, so
// that a service can add fields; anything else that is not this shape is an
// error (and the caller's neutral).
func parseWebhookAnswer(data []byte) (Output, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return Output{}, err
	}
	if fields == nil { // the answer was the JSON literal null
		return Output{}, errors.New("not a JSON object")
	}
	rawRating, ok := fields["rating"]
	if !ok {
		return Output{}, errors.New(`no "rating" key`)
	}
	// A present "reason" is postman's pair: it wins over the default reason
	// even when empty. A null reason is a pair with an empty reason, as
	// postman's (rating, None) ends up.
	reason, hasReason := "", false
	if rawReason, ok := fields["reason"]; ok {
		hasReason = true
		if !isJSONNull(rawReason) {
			if err := json.Unmarshal(rawReason, &reason); err != nil {
				return Output{}, fmt.Errorf("reason: %w", err)
			}
		}
	}

	var score float64
	switch raw := bytes.TrimSpace(rawRating); {
	case isJSONNull(raw):
		// (null, reason) is neutral, whatever the reason.
		return Neutral(), nil
	case len(raw) > 0 && (raw[0] == 't' || raw[0] == 'f'):
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return Output{}, fmt.Errorf("rating: %w", err)
		}
		if b {
			score = 100
		}
	case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
		if err := json.Unmarshal(raw, &score); err != nil {
			return Output{}, fmt.Errorf("rating: %w", err)
		}
	default:
		return Output{}, fmt.Errorf("rating %s is not a number, a boolean or null", truncateForLog(raw))
	}
	if hasReason {
		return RateWithReason(score, reason), nil
	}
	return Rate(score), nil
}

func isJSONNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// truncateForLog keeps log lines short when a service answers nonsense.
func truncateForLog(raw []byte) string {
	const limit = 40
	if len(raw) <= limit {
		return string(raw)
	}
	return string(raw[:limit]) + "…"
}
