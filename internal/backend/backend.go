// Package backend turns lists of messages into the remote formats
// coincoins read: XML (compact and indented "crap"), JSON, TSV and the plain
// text table. It knows nothing of HTTP or SQL, and reads neither the
// environment nor files: callers hand it messages in output order, with
// everything else in Meta, and get bytes back.
//
// Escaping is done exactly once per output, from the stored values: the
// identity is stored as typed, and the message renders are produced by the
// markup package, whose remote render is a well-formed XML fragment.
package backend

import (
	"strconv"
	"time"

	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
)

// Format is one remote format.
type Format int

// The formats, in the order of the reference's table.
const (
	Plain Format = iota
	TSV
	JSON
	XML
	CrapXML
)

func (f Format) String() string {
	return [...]string{"plain", "tsv", "json", "xml", "crap"}[f]
}

// ContentType is the Content-Type header of the format.
func (f Format) ContentType() string {
	switch f {
	case TSV:
		return "text/tab-separated-values; charset=utf-8"
	case JSON:
		return "application/json; charset=utf-8"
	case XML, CrapXML:
		return "application/xml; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

// Ascending is the format's default order: plain, TSV and JSON list the
// oldest message first; the XML formats the newest first (olcc needs it).
func (f Format) Ascending() bool { return f == Plain || f == TSV || f == JSON }

// Meta is what an encoder needs besides the messages.
type Meta struct {
	Site     string         // board site attribute (public base URL of the tribune)
	Location *time.Location // the tribune's time zone
	// Zone is the IANA name of Location for the XML timezone attribute
	// (config.Config.ZoneName); "" leaves the attribute out.
	Zone string
	// TableWidth is the plain format's table width (already validated).
	TableWidth int
	// Owned tells the JSON encoder whether the requester wrote a message;
	// nil means "nobody's".
	Owned func(*model.Message) bool
}

// Encode appends the encoding of ms (already in output order) to dst.
func Encode(dst []byte, f Format, meta *Meta, ms []model.Message) []byte {
	switch f {
	case TSV:
		return appendTSV(dst, meta, ms)
	case JSON:
		return appendJSON(dst, meta, ms)
	case XML:
		return appendXML(dst, meta, ms)
	case CrapXML:
		return appendCrapXML(dst, meta, ms)
	}
	return appendPlain(dst, meta, ms)
}

// Stamp formats t in loc as YYYYMMDDhhmmss, the time format of every
// backend.
func Stamp(dst []byte, t time.Time, loc *time.Location) []byte {
	t = t.In(loc)
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendPadded(dst, y, 4)
	for _, n := range [...]int{int(mo), d, h, mi, s} {
		dst = appendPadded(dst, n, 2)
	}
	return dst
}

// Clock formats t in loc as HH:MM:SS.
func Clock(dst []byte, t time.Time, loc *time.Location) []byte {
	h, m, s := t.In(loc).Clock()
	dst = appendPadded(dst, h, 2)
	dst = append(dst, ':')
	dst = appendPadded(dst, m, 2)
	dst = append(dst, ':')
	return appendPadded(dst, s, 2)
}

// ClockClass is JSON's clockclass: HHMMSS then the index padded to two
// digits.
func ClockClass(dst []byte, m *model.Message, loc *time.Location) []byte {
	h, mi, s := m.Created.In(loc).Clock()
	dst = appendPadded(dst, h, 2)
	dst = appendPadded(dst, mi, 2)
	dst = appendPadded(dst, s, 2)
	return append(dst, markup.PaddedIndex(m.ClockIndex)...)
}

func appendPadded(dst []byte, n, width int) []byte {
	var buf [20]byte
	b := strconv.AppendInt(buf[:0], int64(n), 10)
	for i := len(b); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, b...)
}
