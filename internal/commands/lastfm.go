package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// LastFM asks the LastFM API (user.getRecentTracks) what a user is playing.
type LastFM struct {
	URL    string // API endpoint
	Key    string // API key; empty: the command is not configured
	Client *http.Client
	// Timeout bounds one call (5 s when zero): the post waits for it.
	Timeout time.Duration
}

// The failures NowPlaying tells apart, besides apiError and
// httpStatusError.
var (
	errNothingPlaying = errors.New("nothing playing")   // the user plays nothing right now
	errBadAnswer      = errors.New("unreadable answer") // not the JSON LastFM sends
	errTimeout        = errors.New("timeout")           // no full answer in time
)

// apiError is an error LastFM reported in its JSON answer.
type apiError struct{ msg string }

func (e apiError) Error() string { return e.msg }

// httpStatusError is a non-2xx answer.
type httpStatusError struct{ code int }

func (e httpStatusError) Error() string { return fmt.Sprintf("HTTP %d", e.code) }

// NowPlaying returns the artist and title user is listening to now.
func (l *LastFM) NowPlaying(ctx context.Context, user string) (artist, title string, err error) {
	timeout := l.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	form := url.Values{"method": {"user.getRecentTracks"}, "user": {user}, "api_key": {l.Key}, "limit": {"1"}, "format": {"json"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "tribune")
	client := l.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", "", timeoutOr(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", "", httpStatusError{resp.StatusCode}
	}
	var answer struct {
		Error   int    `json:"error"`
		Message string `json:"message"`
		Recent  struct {
			Track json.RawMessage `json:"track"`
		} `json:"recenttracks"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&answer); err != nil {
		// A body cut short by the deadline is a timeout, not bad JSON.
		if err := timeoutOr(ctx, err); err == errTimeout {
			return "", "", err
		}
		return "", "", errBadAnswer
	}
	if answer.Error != 0 {
		if answer.Message == "" {
			answer.Message = fmt.Sprint(answer.Error)
		}
		return "", "", apiError{answer.Message}
	}
	type track struct {
		Name   string `json:"name"`
		Artist struct {
			Text string `json:"#text"`
		} `json:"artist"`
		Attr struct {
			NowPlaying string `json:"nowplaying"`
		} `json:"@attr"`
		Date *json.RawMessage `json:"date"`
	}
	// "track" is a list, or a single object when there is one.
	var tracks []track
	if err := json.Unmarshal(answer.Recent.Track, &tracks); err != nil {
		var one track
		if err := json.Unmarshal(answer.Recent.Track, &one); err != nil {
			return "", "", errNothingPlaying
		}
		tracks = []track{one}
	}
	// The most recent track is playing now when it has no date yet.
	if len(tracks) == 0 || tracks[0].Date != nil && tracks[0].Attr.NowPlaying != "true" || tracks[0].Name == "" {
		return "", "", errNothingPlaying
	}
	return tracks[0].Artist.Text, tracks[0].Name, nil
}

// timeoutOr is errTimeout when err comes from the call's deadline (the
// context's, or a client's own timeout), else err.
func timeoutOr(ctx context.Context, err error) error {
	var ne net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &ne) && ne.Timeout() {
		return errTimeout
	}
	return err
}

// runLastFM is /lastfm instant [USER]: it posts "<m>Artist - Title</m>",
// what USER (the poster's own login by default) plays now.
func runLastFM(ctx context.Context, env *Env, args []string) (Result, error) {
	lang := env.Lang
	if args[0] != "instant" {
		return Result{}, fail(lang, "command.unknown_option", args[0])
	}
	if env.LastFM == nil || env.LastFM.Key == "" {
		return Result{}, fail(lang, "lastfm.not_configured")
	}
	user := ""
	if len(args) > 1 {
		user = strings.TrimSpace(strings.Join(args[1:], " "))
	}
	if user == "" && env.User != nil {
		user = env.User.Username
	}
	if user == "" {
		return Result{}, fail(lang, "lastfm.no_user")
	}
	artist, title, err := env.LastFM.NowPlaying(ctx, user)
	var ae apiError
	var he httpStatusError
	switch {
	case err == nil:
		return Result{Post: "<m>" + artist + " - " + title + "</m>"}, nil
	case errors.Is(err, errNothingPlaying):
		return Result{}, fail(lang, "lastfm.nothing_playing", user)
	case errors.Is(err, errTimeout):
		return Result{}, fail(lang, "lastfm.timeout")
	case errors.Is(err, errBadAnswer):
		return Result{}, fail(lang, "lastfm.bad_answer")
	case errors.As(err, &ae):
		return Result{}, fail(lang, "lastfm.api_error", ae.msg)
	case errors.As(err, &he):
		return Result{}, fail(lang, "lastfm.http_error", he.code)
	}
	return Result{}, fail(lang, "lastfm.unreachable")
}
