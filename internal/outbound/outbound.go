// Package outbound makes the tribune's own HTTP calls to other services: the
// moderation webhooks, the moderation queue notification, LastFM and the
// totoz server's search. The packages that decide what to call
// (moderation, commands, board) define the one method they need and never
// import net/http; the tribune hands them a *Client.
package outbound

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/tribune-go/tribune/internal/version"
)

// drainLimit is how much of an answer left unread Post still reads before
// closing it, so that the connection can carry the next call. A service
// that sends more than that loses its connection instead of holding ours.
const drainLimit = 64 << 10

// Client makes outgoing calls. It is safe for concurrent use.
type Client struct {
	http      *http.Client
	userAgent string
}

// New returns a client that makes its calls with c; nil means a client of
// its own (Go's default transport, no timeout). Every call is bounded by
// its context, whatever c's own timeout: callers set the deadline.
func New(c *http.Client) *Client {
	if c == nil {
		c = &http.Client{}
	}
	return &Client{http: c, userAgent: "tribune/" + version.String()}
}

// Post POSTs body to url with that Content-Type, "Accept: application/json"
// and "User-Agent: tribune/VERSION" (see package version), and returns the
// answer's status code and body.
//
// The body read is bounded: answer holds its first maxAnswer bytes, and one
// byte more when the body is longer than that, so len(answer) > maxAnswer
// tells the caller that the body was cut (a caller that cannot use a partial
// answer refuses it; one that can use answer[:maxAnswer]).
//
// err is nil only for a 2xx answer read as above. Otherwise:
//   - the call failed (status 0): err is the client's error;
//   - the status is not 2xx: status is set, answer is nil and err names the
//     status line, such as "answer status 503 Service Unavailable";
//   - reading the body failed (a 2xx status is set): answer is nil and err
//     wraps the read error.
//
// A deadline that passed, before the answer or while reading it, stays
// recognisable: errors.Is(err, context.DeadlineExceeded), and errors.As
// finds a Timeout() method that says true.
//
// The body is always closed, after reading up to 64 KiB more of it so that
// the connection can be reused.
func (c *Client) Post(ctx context.Context, url, contentType string, body []byte, maxAnswer int) (status int, answer []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	return c.do(req, maxAnswer)
}

// do sends req and reads its answer, for Post and Get.
func (c *Client) do(req *http.Request, maxAnswer int) (status int, answer []byte, err error) {
	hc := c.http
	if req.Method == http.MethodGet {
		noRedirect := *c.http // same transport, so same connections
		noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		hc = &noRedirect
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() {
		io.Copy(io.Discard, io.LimitReader(resp.Body, drainLimit))
		resp.Body.Close()
	}()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, nil, fmt.Errorf("answer status %s", resp.Status)
	}
	answer, err = io.ReadAll(io.LimitReader(resp.Body, int64(max(maxAnswer, 0))+1))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read answer: %w", err)
	}
	return resp.StatusCode, answer, nil
}

// Get GETs url with "Accept: accept" and the same User-Agent, and returns
// the answer as Post does: bounded by maxAnswer (one byte more when cut),
// err nil only for a 2xx answer, the body always closed. A redirect is
// not followed (it is a non-2xx answer): the address asked is the one the
// operator set, not one the remote picks.
func (c *Client) Get(ctx context.Context, url, accept string, maxAnswer int) (status int, answer []byte, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", c.userAgent)
	return c.do(req, maxAnswer)
}
