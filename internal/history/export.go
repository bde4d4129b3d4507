// Package history moves a tribune's messages in and out: the export to
// JSON Lines, its import, and the import of a djangotribune site's
// dumpdata. Imported messages are rendered again and get their clock
// indices and URL archive rows as posts do (through the board's rules and
// the store's Importer).
package history

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/tribune-go/tribune/internal/store"
)

// Line is one message of an export, one JSON object per line.
type Line struct {
	ID      int64  `json:"id"`
	Channel string `json:"channel"` // "" for the default channel
	Created string `json:"created"` // RFC 3339, microseconds, the tribune's zone
	Info    string `json:"info"`
	Login   string `json:"login"`   // "" for an anonymous message
	Message string `json:"message"` // the raw text
}

// TimeLayout is the format of Line.Created.
const TimeLayout = "2006-01-02T15:04:05.000000Z07:00"

// ExportOptions select what Export writes.
type ExportOptions struct {
	ChannelID int64     // 0: every channel
	Since     time.Time // zero: from the first message
}

// Export writes the published messages opt selects to w, in id order, one
// JSON line each. It reads them a chunk at a time: its memory does not
// grow with the history.
func Export(ctx context.Context, st *store.Store, w io.Writer, opt ExportOptions) (int, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	loc := st.Location()
	n := 0
	err := st.Export(ctx, store.ExportQuery{ChannelID: opt.ChannelID, Since: opt.Since}, func(m *store.ExportedMessage) error {
		n++
		return enc.Encode(Line{ID: m.ID, Channel: m.Slug, Created: m.Created.In(loc).Format(TimeLayout),
			Info: m.Info, Login: m.Login, Message: m.Raw})
	})
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}
