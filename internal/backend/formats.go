package backend

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/markup"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/texttable"
)

// appendJSON writes djangotribune's JSON rows: an array of AppendJSONRow
// objects.
func appendJSON(dst []byte, meta *Meta, ms []model.Message) []byte {
	dst = append(dst, '[')
	for i := range ms {
		m := &ms[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = AppendJSONRow(dst, m, meta.Location, meta.Owned != nil && meta.Owned(m))
	}
	return append(dst, ']')
}

// AppendJSONRow appends m as one row object of the JSON format, without
// the array's brackets: the data of a live stream's message event. Times
// are shown in loc; owned is the row's "owned" mark. user_agent is the
// identity as typed (JSON-escaped only); djangotribune sent it
// HTML-escaped.
func AppendJSONRow(dst []byte, m *model.Message, loc *time.Location, owned bool) []byte {
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, m.ID, 10)
	dst = append(dst, `,"created":"`...)
	dst = Stamp(dst, m.Created, loc)
	dst = append(dst, `","clock":"`...)
	dst = Clock(dst, m.Created, loc)
	dst = append(dst, `","author__username":`...)
	if m.Login == "" {
		dst = append(dst, "null"...)
	} else {
		dst = appendJSONString(dst, m.Login)
	}
	dst = append(dst, `,"user_agent":`...)
	dst = appendJSONString(dst, m.Info)
	dst = append(dst, `,"web_render":`...)
	dst = appendJSONString(dst, m.Web)
	dst = append(dst, `,"clock_indice":`...)
	dst = strconv.AppendInt(dst, int64(m.ClockIndex), 10)
	dst = append(dst, `,"clockclass":"`...)
	dst = ClockClass(dst, m, loc)
	dst = append(dst, `","owned":`...)
	dst = strconv.AppendBool(dst, owned)
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string. Invalid UTF-8 cannot reach
// here (the markup package sanitizes every stored text), but it is replaced
// anyway so the document stays valid; U+2028 and U+2029 are escaped for
// JavaScript consumers.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[last:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\t':
				dst = append(dst, '\\', 't')
			case '\r':
				dst = append(dst, '\\', 'r')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			last = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[last:i]...)
			if r == utf8.RuneError {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, `\u202`...)
				dst = append(dst, hexDigits[r&0xf])
			}
			i += size
			last = i
			continue
		}
		i += size
	}
	dst = append(dst, s[last:]...)
	return append(dst, '"')
}

// appendTSV writes one line per message: id, time, info, login, message,
// every line ending in \n. The message is the fragment of the XML backend
// (tags raw, literal < and & as &lt; and &amp;) as the ecosystem's TSV
// backends send it (miaoli-client decodes only the named entities), and the
// identity is escaped the same way; djangotribune sent the raw text, which
// olcc would inject as HTML.
func appendTSV(dst []byte, meta *Meta, ms []model.Message) []byte {
	for i := range ms {
		m := &ms[i]
		dst = strconv.AppendInt(dst, m.ID, 10)
		dst = append(dst, '\t')
		dst = Stamp(dst, m.Created, meta.Location)
		dst = append(dst, '\t')
		dst = appendTSVField(appendText(nil, m.Info), dst)
		dst = append(dst, '\t')
		dst = appendTSVField(appendText(nil, m.Login), dst)
		dst = append(dst, '\t')
		dst = appendTSVField(appendMessage(nil, m.Remote), dst)
		dst = append(dst, '\n')
	}
	return dst
}

// appendTSVField copies field, turning tabs and line breaks into spaces so
// the line keeps exactly five fields whatever is stored.
func appendTSVField(field, dst []byte) []byte {
	for _, c := range field {
		if c == '\t' || c == '\n' || c == '\r' {
			c = ' '
		}
		dst = append(dst, c)
	}
	return dst
}

// appendPlain writes djangotribune's text table: clock (with a superscript
// index when several messages share a second), identity and raw text.
func appendPlain(dst []byte, meta *Meta, ms []model.Message) []byte {
	rows := make([]texttable.Row, len(ms))
	var clock []byte
	for i := range ms {
		m := &ms[i]
		clock = Clock(clock[:0], m.Created, meta.Location)
		if m.ClockIndex > 1 {
			clock = append(clock, markup.Superscript(m.ClockIndex)...)
		}
		rows[i] = texttable.Row{Clock: string(clock), Login: m.Login, Identity: m.Info, Message: m.Raw}
	}
	return append(dst, texttable.Render(rows, meta.TableWidth)...)
}
