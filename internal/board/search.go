package board

import (
	"context"
	"errors"

	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/search"
	"github.com/tribune-go/tribune/internal/store"
)

// Searching history: full-text search and the URL archive. The databases
// search (internal/store); the board pages through what they find, hiding
// what the reader's BaK filters hide.

// ErrSearchTooLong is a search the database gave up (store.searchTimeout):
// too broad for the tribune to answer in time.
var ErrSearchTooLong = errors.New("the search takes too long: narrow it")

// searchPages bounds how many pages of store results one filtered search
// reads: a reader whose filters hide nearly everything gets a short page
// and a way to go on, not a scan of the whole history.
const searchPages = 10

// SearchPage is one page of results, newest first. Next is the before_id
// of the next page (0: there is none).
type SearchPage struct {
	Messages []model.Message
	Next     int64
}

// Search finds the published messages matching q in a channel (channelID
// 0: every channel) with ids below before (0: from the newest), newest
// first, up to limit, skipping what hide hides.
func (b *Board) Search(ctx context.Context, channelID int64, q search.Query, before int64, limit int, hide func(*model.Message) bool) (SearchPage, error) {
	sq := store.SearchQuery{ChannelID: channelID, Phrases: q.Phrases, UA: q.UA, Author: q.Author,
		From: q.From, To: q.To, Before: before, Limit: limit + 1}
	var page SearchPage
	for range searchPages {
		ms, err := b.st.Search(ctx, sq)
		if errors.Is(err, store.ErrSearchTimeout) {
			return page, ErrSearchTooLong
		}
		if err != nil {
			return page, err
		}
		for i := range ms {
			if len(page.Messages) == limit {
				// One more is there: the page is full and there is a next.
				page.Next = page.Messages[limit-1].ID
				return page, nil
			}
			if hide == nil || !hide(&ms[i]) {
				page.Messages = append(page.Messages, ms[i])
			}
		}
		if len(ms) < sq.Limit {
			return page, nil // no more
		}
		sq.Before = ms[len(ms)-1].ID
		if len(page.Messages) == limit {
			page.Next = page.Messages[limit-1].ID
			return page, nil
		}
	}
	// The budget is spent: the reader may go on from where it stopped.
	page.Next = sq.Before
	return page, nil
}

// URLPage is one page of the URL archive, newest first; Next is the
// before_id of the next page (0: none).
type URLPage struct {
	URLs []store.ArchivedURL
	Next int64
}

// URLQuery selects links of the URL archive: see store.URLQuery.
type URLQuery = store.URLQuery

// URLs lists the URL archive (q.ChannelID 0: every channel), newest first,
// up to q.Limit, skipping the links whose message hide hides.
func (b *Board) URLs(ctx context.Context, q URLQuery, hide func(*model.Message) bool) (URLPage, error) {
	limit := q.Limit
	q.Limit = limit + 1
	var page URLPage
	for range searchPages {
		us, err := b.st.URLs(ctx, q)
		if errors.Is(err, store.ErrSearchTimeout) {
			return page, ErrSearchTooLong
		}
		if err != nil {
			return page, err
		}
		for i := range us {
			if len(page.URLs) == limit {
				page.Next = page.URLs[limit-1].ID
				return page, nil
			}
			if hide == nil || !hide(&us[i].Message) {
				page.URLs = append(page.URLs, us[i])
			}
		}
		if len(us) < q.Limit {
			return page, nil
		}
		q.Before = us[len(us)-1].ID
		if len(page.URLs) == limit {
			page.Next = page.URLs[limit-1].ID
			return page, nil
		}
	}
	page.Next = q.Before
	return page, nil
}
