package board

import (
	"strings"
	"unicode/utf8"

	"github.com/tribune-go/tribune/internal/markup"
)

// The identity of a post (the XML <info>) is, as in djangotribune, the name
// chosen with /name or else the client's User-Agent, "coward" when that is
// too short. It is stored as typed and escaped only by each output.
// Lengths are counted in characters (runes), never bytes: "éé" is two.

// maxIdentity is the longest identity kept, in characters.
const maxIdentity = 150

// coward is the identity of a poster without a usable user agent.
const coward = "coward"

// Identity is the info text of a post: the chosen name when it is usable
// (CleanName), else the cleaned user agent, else "coward".
func (b *Board) Identity(name, userAgent string) string {
	if name = b.CleanName(name); name != "" {
		return name
	}
	ua := cleanUserAgent(userAgent)
	if utf8.RuneCountInString(ua) < b.cfg.UALengthMin {
		return coward
	}
	return markup.Cut(ua, maxIdentity)
}

// CleanName is a name chosen with /name as the tribune shows it: sanitized,
// trimmed, cut to 150 characters; "" when it is shorter than
// TRIBUNE_MESSAGES_UA_LENGTH_MIN.
func (b *Board) CleanName(name string) string {
	name = strings.TrimSpace(markup.Sanitize(name))
	if utf8.RuneCountInString(name) < b.cfg.UALengthMin {
		return ""
	}
	return markup.Cut(name, maxIdentity)
}

// cleanUserAgent decodes a User-Agent as UTF-8, or Latin-1 when it is not
// valid UTF-8, and cleans it as djangotribune did.
func cleanUserAgent(ua string) string {
	if !utf8.ValidString(ua) {
		runes := make([]rune, len(ua))
		for i := 0; i < len(ua); i++ {
			runes[i] = rune(ua[i])
		}
		ua = string(runes)
	}
	ua = strings.ReplaceAll(ua, "&nbsp;", "")
	return strings.TrimSpace(markup.Sanitize(ua))
}
