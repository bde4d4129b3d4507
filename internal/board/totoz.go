package board

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/limit"
	"golang.org/x/sync/singleflight"
)

// The totoz palette's suggestions from the totoz server's search
// (TRIBUNE_TOTOZ_SEARCH_URL): the browser asks the tribune, which asks the
// totoz server, so that the page's CSP keeps allowing only that server's
// images. The remote is not trusted: its answer is bounded in time and
// size, and only names a totoz may have are passed on. A failing remote
// gives no suggestions, never an error.

// ErrTotozQuery is a search for something no totoz name can start with.
var ErrTotozQuery = errors.New("a totoz name has 1 to 40 letters, digits, spaces, - _ @ or :")

const (
	totozTimeout   = 3 * time.Second // the remote's answer, whole
	totozMaxAnswer = 64 << 10        // bytes read of it
	totozMaxNames  = 24              // suggestions passed on
	totozCacheSize = 512             // queries remembered
	totozCacheFor  = 10 * time.Minute
	totozFailFor   = 30 * time.Second // a failure is remembered this long
)

var (
	// totozQueryChars: what the palette may search, the characters of a
	// totoz name (djangotribune's, and : for the :N suffix).
	totozQueryChars = regexp.MustCompile(`^[A-Za-z0-9 _@:-]{1,40}$`)
	// totozName: a name the board's markup reads as a totoz, [:name].
	totozName = regexp.MustCompile(`^[A-Za-z0-9_@-][A-Za-z0-9 _@-]{0,59}(:[0-9]{1,4})?$`)
)

// totozSearch holds the search's cache and limit.
type totozSearch struct {
	template string // "" : no search
	limit    *limit.Memory
	flights  singleflight.Group

	mu    sync.Mutex
	cache map[string]totozAnswer
}

type totozAnswer struct {
	names []string
	until time.Time
}

// newTotozSearch: the limit is in memory even on PostgreSQL, as it guards
// this process's outgoing calls (a cluster of N processes makes at most N
// times as many), and a database write per keystroke would cost more than
// the call it saves.
func newTotozSearch(template string, n int, period time.Duration) *totozSearch {
	return &totozSearch{template: template, limit: limit.New(n, period), cache: map[string]totozAnswer{}}
}

// TotozSearchOn tells whether the palette's suggestions come from the
// totoz server's search.
func (b *Board) TotozSearchOn() bool { return b.totoz.template != "" && b.out != nil }

// SearchTotoz returns the names of the totoz server's search for query,
// asked by addr: none when there is no search or the remote fails. The
// errors are refusals: ErrTotozQuery, or a *LimitError (LimitTotoz).
func (b *Board) SearchTotoz(ctx context.Context, addr, query string) ([]string, error) {
	if !totozQueryChars.MatchString(query) {
		return nil, ErrTotozQuery
	}
	t := b.totoz
	if !b.TotozSearchOn() {
		return []string{}, nil
	}
	key := strings.ToLower(query)
	now := time.Now()
	t.mu.Lock()
	a, ok := t.cache[key]
	t.mu.Unlock()
	if ok && now.Before(a.until) {
		return a.names, nil
	}
	if ok, wait, _ := t.limit.Take(ctx, limit.AddressKey(addr)); !ok {
		return nil, &LimitError{Limit: LimitTotoz, Wait: wait}
	}
	// One call for the same query at once; it is not the asker's: a
	// visitor who leaves does not cut it for the others.
	ch := t.flights.DoChan(key, func() (any, error) {
		names, err := b.askTotoz(key)
		until := time.Now().Add(totozCacheFor)
		if err != nil {
			b.log.Warn("totoz search failed", "query", key, "err", err)
			until = time.Now().Add(totozFailFor)
		}
		t.remember(key, totozAnswer{names: names, until: until})
		return names, nil
	})
	select {
	case res := <-ch:
		return res.Val.([]string), nil
	case <-ctx.Done():
		return []string{}, nil // the asker left; the answer is cached for the next
	}
}

// askTotoz asks the remote, and keeps the names that are totoz names.
func (b *Board) askTotoz(query string) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), totozTimeout)
	defer cancel()
	u := strings.ReplaceAll(b.totoz.template, "{query}", url.QueryEscape(query))
	_, body, err := b.out.Get(ctx, u, "application/xml, text/xml", totozMaxAnswer)
	if err != nil {
		return []string{}, err
	}
	if len(body) > totozMaxAnswer {
		return []string{}, errors.New("answer longer than 64 KiB")
	}
	return totozNames(body)
}

// totozNames reads totoz.eu's answer, <totozes><totoz><name>…</name>…
// </totoz>…</totozes>, keeping the first totozMaxNames valid names.
func totozNames(body []byte) ([]string, error) {
	var doc struct {
		Totoz []struct {
			Name string `xml:"name"`
		} `xml:"totoz"`
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	if err := d.Decode(&doc); err != nil {
		return []string{}, err
	}
	names := []string{}
	seen := map[string]bool{}
	for _, t := range doc.Totoz {
		n := strings.TrimSpace(t.Name)
		if !totozName.MatchString(n) || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		names = append(names, n)
		if len(names) == totozMaxNames {
			break
		}
	}
	return names, nil
}

// remember caches an answer; a full cache forgets its expired answers,
// then, if still full, all of them (a rare, cheap reset).
func (t *totozSearch) remember(key string, a totozAnswer) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.cache) >= totozCacheSize {
		now := time.Now()
		for k, v := range t.cache {
			if !now.Before(v.until) {
				delete(t.cache, k)
			}
		}
		if len(t.cache) >= totozCacheSize {
			clear(t.cache)
		}
	}
	t.cache[key] = a
}
