package commands

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

// LastFM asks the LastFM API (user.getRecentTracks) what a user is playing.
type LastFM struct {
	URL string // API endpoint
	Key string // API key; empty: the command is not configured
	// Client makes the call (the tribune's outbound client); nil: the
	// command is not configured.
	Client Poster
	// Timeout bounds one call (5 s when zero): the post waits for it.
	Timeout time.Duration
}

// Poster makes LastFM's HTTP call; the tribune's is *outbound.Client. Post
// POSTs body to url with that Content-Type, within ctx, and returns the
// answer's status and at most maxAnswer bytes of its body, plus one byte
// when the body is longer. err is nil for a 2xx answer only; otherwise it
// describes the failure, with status 0 when no answer came. A deadline
// stays recognisable in err (errors.Is context.DeadlineExceeded, or a
// Timeout method).
type Poster interface {
	Post(ctx context.Context, url, contentType string, body []byte, maxAnswer int) (status int, answer []byte, err error)
}

// maxLastFMAnswer is as much of an answer as is decoded: a longer one is
// cut there, which leaves its JSON unfinished (an unreadable answer).
const maxLastFMAnswer = 1 << 20

// The failures NowPlaying tells apart, besides apiError and
// httpStatusError.
var (
	errNothingPlaying = errors.New("nothing playing")   // the user plays nothing right now
	errBadAnswer      = errors.New("unreadable answer") // not the JSON LastFM sends
	errTimeout        = errors.New("timeout")           // no full answer in time
	errNoClient       = errors.New("no client")         // LastFM.Client is nil
)

// apiError is an error LastFM reported in its JSON answer.
type apiError struct{ msg string }

func (e apiError) Error() string { return e.msg }

// httpStatusError is a non-2xx answer.
type httpStatusError struct{ code int }

func (e httpStatusError) Error() string { return fmt.Sprintf("HTTP %d", e.code) }

// NowPlaying returns the artist and title user is listening to now.
func (l *LastFM) NowPlaying(ctx context.Context, user string) (artist, title string, err error) {
	if l.Client == nil {
		return "", "", errNoClient
	}
	timeout := l.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	form := url.Values{"method": {"user.getRecentTracks"}, "user": {user}, "api_key": {l.Key}, "limit": {"1"}, "format": {"json"}}
	status, data, err := l.Client.Post(ctx, l.URL, "application/x-www-form-urlencoded", []byte(form.Encode()), maxLastFMAnswer)
	switch {
	case status == 0 && err != nil: // no answer
		return "", "", timeoutOr(ctx, err)
	case status < 200 || status > 299:
		return "", "", httpStatusError{status}
	case err != nil:
		// A body cut short by the deadline is a timeout, not bad JSON.
		if err := timeoutOr(ctx, err); err == errTimeout {
			return "", "", err
		}
		return "", "", errBadAnswer
	}
	data = data[:min(len(data), maxLastFMAnswer)]
	var answer struct {
		Error   int    `json:"error"`
		Message string `json:"message"`
		Recent  struct {
			Track json.RawMessage `json:"track"`
		} `json:"recenttracks"`
	}
	// A decoder, not Unmarshal: what follows the JSON value is ignored.
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&answer); err != nil {
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
	var te interface{ Timeout() bool } // what net.Error and url.Error have
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &te) && te.Timeout() {
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
	if env.LastFM == nil || env.LastFM.Key == "" || env.LastFM.Client == nil {
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
