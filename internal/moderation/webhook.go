package moderation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxWebhookAnswer bounds how much of an answer is read: a rating and a
// reason fit in far less, and a service gone wrong must not fill memory.
const maxWebhookAnswer = 64 << 10

// webhook asks an external service to rate the submission.
type webhook struct {
	base
	url     string
	client  *http.Client
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
	client := deps.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: timeout}
	}
	// The spec ends up in logs: mask a password given for basic
	// authentication.
	if _, has := u.User.Password(); has {
		b.spec = strings.Replace(b.spec, arg, u.Redacted(), 1)
	}
	return &webhook{base: b, url: u.String(), client: client, timeout: timeout, deps: deps}, nil
}

// webhookRequest is the body POSTed to the service.
type webhookRequest struct {
	Channel string  `json:"channel"`
	Content string  `json:"content"`
	Info    string  `json:"info"`
	Login   *string `json:"login"` // null for an anonymous poster
	Address string  `json:"address"`
}

func (m *webhook) Rate(ctx context.Context, s *Submission) Output {
	out, err := m.ask(ctx, s)
	if err != nil {
		warnNeutral(ctx, m.deps.logger(), m.Spec(), err)
		return Neutral()
	}
	return out
}

func (m *webhook) ask(ctx context.Context, s *Submission) (Output, error) {
	// The client may have no timeout of its own (Deps.HTTPClient): the
	// context bounds the whole exchange, body included.
	ctx, cancel := context.WithTimeout(ctx, m.timeout)
	defer cancel()

	payload := webhookRequest{Channel: s.Channel, Content: s.Content, Info: s.Info, Address: s.Address}
	if s.Login != "" {
		payload.Login = &s.Login
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return Output{}, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url, bytes.NewReader(body))
	if err != nil {
		return Output{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		return Output{}, fmt.Errorf("request: %w", err)
	}
	defer func() {
		// Reading what is left lets the connection be reused for the next
		// message; the limit keeps a chatty service from holding us.
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxWebhookAnswer))
		resp.Body.Close()
	}()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return Output{}, fmt.Errorf("answer status %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxWebhookAnswer+1))
	if err != nil {
		return Output{}, fmt.Errorf("read answer: %w", err)
	}
	if len(data) > maxWebhookAnswer {
		return Output{}, fmt.Errorf("answer longer than %d bytes", maxWebhookAnswer)
	}
	out, err := parseWebhookAnswer(data)
	if err != nil {
		return Output{}, fmt.Errorf("malformed answer: %w", err)
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
