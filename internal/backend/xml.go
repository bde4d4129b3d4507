package backend

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/model"
)

// The XML backend follows djangotribune's shape, as Python's ElementTree
// wrote it: a single-quoted declaration, <board site> holding one
// <post id time> per message with <info>, <login> and <message>, the message
// holding the remote render as real elements ("raw" tags, tags_encoded
// false). Two deliberate differences: <login></login> is never written
// self-closing (quteqoin drops a post with <login/>), and the board carries
// a timezone attribute, as the ecosystem's schema describes.

// XMLDeclaration starts every XML document, as ElementTree wrote it.
const XMLDeclaration = "<?xml version='1.0' encoding='UTF-8'?>\n"

func appendBoardOpen(dst []byte, meta *Meta) []byte {
	dst = append(dst, `<board site="`...)
	dst = AppendAttr(dst, meta.Site)
	dst = append(dst, '"')
	if meta.Zone != "" {
		dst = append(dst, ` timezone="`...)
		dst = AppendAttr(dst, meta.Zone)
		dst = append(dst, '"')
	}
	return append(dst, '>')
}

func appendXML(dst []byte, meta *Meta, ms []model.Message) []byte {
	dst = append(dst, XMLDeclaration...)
	dst = appendBoardOpen(dst, meta)
	for i := range ms {
		m := &ms[i]
		dst = append(dst, `<post id="`...)
		dst = strconv.AppendInt(dst, m.ID, 10)
		dst = append(dst, `" time="`...)
		dst = Stamp(dst, m.Created, meta.Location)
		dst = append(dst, `"><info>`...)
		dst = appendText(dst, m.Info)
		dst = append(dst, `</info><login>`...)
		dst = appendText(dst, m.Login)
		dst = append(dst, `</login><message>`...)
		dst = appendMessage(dst, m.Remote)
		dst = append(dst, `</message></post>`...)
	}
	return append(dst, `</board>`...)
}

// appendText escapes character data as ElementTree does: & < >.
func appendText(dst []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		default:
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}

// AppendAttr writes s as the value of a double-quoted XML attribute. What
// XML 1.0 cannot carry is left out (control characters other than TAB, LF
// and CR, U+FFFE and U+FFFF) and invalid UTF-8 becomes U+FFFD, so that the
// document stays well-formed whatever reached it (a channel title, a Host
// header).
func AppendAttr(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '&':
				dst = append(dst, "&amp;"...)
			case c == '<':
				dst = append(dst, "&lt;"...)
			case c == '>':
				dst = append(dst, "&gt;"...)
			case c == '"':
				dst = append(dst, "&quot;"...)
			case c == '\n':
				dst = append(dst, "&#10;"...)
			case c >= 0x20 || c == '\t' || c == '\r':
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, "\uFFFD"...)
		case r != 0xFFFE && r != 0xFFFF:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// appendMessage re-serialises a remote render the way djangotribune's
// ElementTree round trip did: the renderer's numeric entities become named
// ones (&#60; → &lt;, &#38; → &amp;, &#62; → &gt;) and &#34; becomes a plain
// " in text and &quot; inside attribute values. The render is well-formed by
// construction (the markup package's fuzz tests check it), so a small state
// machine that knows whether it is inside a tag is enough.
func appendMessage(dst []byte, remote string) []byte {
	inTag := false
	last := 0
	for i := 0; i < len(remote); i++ {
		c := remote[i]
		switch {
		case c == '<':
			inTag = true
		case c == '>':
			inTag = false
		case c == '&' && strings.HasPrefix(remote[i:], "&#"):
			end := strings.IndexByte(remote[i:], ';')
			if end < 0 {
				continue
			}
			var rep string
			switch remote[i : i+end+1] {
			case "&#38;":
				rep = "&amp;"
			case "&#60;":
				rep = "&lt;"
			case "&#62;":
				rep = "&gt;"
			case "&#34;":
				rep = `"`
				if inTag {
					rep = "&quot;"
				}
			default:
				continue
			}
			dst = append(dst, remote[last:i]...)
			dst = append(dst, rep...)
			i += end
			last = i + 1
		}
	}
	return append(dst, remote[last:]...)
}
