// Package markup implements the tribune message language: what a user types
// in the one-line message box, and what the board and the remote clients
// show. It reproduces djangotribune's parser ("GIP 2", after Mike Hommey's
// bouchot-ng) wherever that parser is sound, and fixes it where it is not.
// It imports only the standard library.
//
// # Three forms of a message
//
// A message is typed as raw text and kept in three forms, all produced by
// Renderer.Render:
//
//   - Text: the raw text after Sanitize (one line of valid UTF-8 holding
//     only XML 1.0 characters). This is what gets stored as the raw message.
//   - Web: HTML for the web board.
//   - Remote: an XML fragment for coincoins, placed inside the XML
//     backend's <message> element as real child elements (the "raw tags"
//     dialect: tags_encoded="false").
//
// Web and Remote differ only in three places: clocks (wrapped in
// <span class="pointer"> on the web, plain text remotely), totoz (a link to
// the image on the web, [:name] text remotely) and link attributes
// (class="external" rel="nofollow" on the web only).
//
// # Tags
//
// The tags b, i, s, u, tt, code and m are recognised when written exactly
// <x> or </x>: lower case, no attribute, no space. Anything else that looks
// like a tag (<B>, <b class="x">, <br>) is plain text and is escaped. The
// tags are repaired:
//
//   - a closing tag that is not open is dropped;
//   - a closing tag closes every tag opened after it first, so
//     <b><i>x</b> gives <b><i>x</i></b>;
//   - tags still open at the end are closed;
//   - an element left empty disappears (<b></b>);
//   - an element opened right after the same one closed is merged with it
//     (<b>x</b><b>y</b> gives <b>xy</b>).
//
// Inside <code>…</code> nothing is interpreted: tags, links, totoz and
// clocks are shown as escaped text, until the first </code>.
//
// <m>…</m> is a "moment" (typically the song being played): in both renders
// it becomes ====&#62; <b>Moment …</b> &#60;====.
//
// # Links and labels
//
// A URL starts at one of the schemes http:// https:// ftp:// chrome://
// gopher:// git:// git+ssh:// svn:// svn+ssh:// (lower case, anywhere, even
// in the middle of a word: voirhttp://a.b links http://a.b) and goes on
// until the first space, the first recognised tag, or the closer of the
// last (, [ or " typed before it outside code and outside links (")" after
// "(", "]" after "[", '"' after '"'; the [ of a totoz does not count, and
// that memory is never reset).
// Other separators, totoz and clocks inside a URL belong to it; trailing
// punctuation is kept. The link is written <a href="URL">[label]</a>.
//
// The label comes from a table of rules (LabelRule: a Go regular expression
// and a label, first match wins); without a match it is [url] for http and
// [scheme] otherwise. DefaultLabels is djangotribune's 31-rule table
// ([youtube], [pdf], [Name@wikipedia], [name@free], …). An operator can
// replace it with a file read by ParseLabels. With Options.TruncatedURL the
// label is instead the URL without its scheme, cut to 100 characters.
//
// # Totoz
//
// [:name] or [:name:N] (name made of the ASCII letters A-Z a-z, the digits
// 0-9, - _ @ and spaces; N made of digits) refers to a totoz (an image). No
// other character is allowed: [:é] and [:tot.oz] are not totoz. The web
// render links [:name] to the image address built from Options.SmileysURL
// ({0} is the name, default http://totoz.eu/{0}.gif); the remote render
// keeps [:name] as text.
//
// # Clocks (norloges)
//
// A clock refers to an earlier message by its time. The forms are:
//
//	HH:MM                 12:34           hours 00-23, minutes 00-59
//	HH:MM:SS              12:34:56        seconds 00-59
//	HHMMSS                123456          compact; HHMM alone is not a clock
//	with an index         12:34:56² 12:34:56¹⁰ 12:34:56^2 12:34:56:2
//	                                      which of the messages of that second
//	                                      (1-99), only after seconds
//	MM/DD#HH:MM:SS        01/31#12:34:56
//	YYYY/MM/DD#HH:MM:SS   2024/01/31#12:34:56
//	YYYY-MM-DDTHH:MM:SS   2024-01-31T12:34:56
//	YYYY-MM-DD HH:MM:SS   2024-01-31 12:34:56
//	with a bouchot        12:34:56@dlfp 12:34:56²@dlfp
//	                                      a message of another tribune
//
// A clock is not preceded by an ASCII digit, and (unless it ends with a
// @bouchot suffix) is not followed by a digit, ':' or '@'; when the longest
// reading fails that test, shorter ones are tried (a shorter index, no
// index, no seconds), exactly as djangotribune's backtracking regular
// expression did. A date prefix needs a date that exists (month 01-12, a
// day the month has, February 29 only in a leap year or in the year-less
// MM/DD# form, no year 0000) and seconds in the time. A date that does not
// exist is not part of the clock, but its time may still be one:
// 2008/28/03#21:42:42 and 2023/02/29#12:00:00 hold the clocks 21:42:42 and
// 12:00:00.
//
// Clocks are returned as structured data (Clock), with their byte span in
// the text: Result.Clocks lists the clocks rendered as clocks, FindClocks
// every clock of a text whatever the markup around it, and ParseClock reads
// a string that is exactly one clock (the clock-finder route). Superscript
// and PaddedIndex render an index as the board (¹⁰) and the JSON clockclass
// (01) write it.
//
// # Escaping
//
// Text is escaped with djangotribune's numeric entities: & → &#38;,
// < → &#60;, > → &#62;, " → &#34;; the single quote is kept. The
// separators ( ) [ ] " typed outside code are written raw (a raw " is fine
// in XML text). Attribute values (href) are escaped the same way, quote
// included. Outputs are built from tokens, never by substituting strings in
// an output.
//
// # Deliberate differences from djangotribune
//
//   - Sanitize runs first: every line break (CR, LF, CRLF as one, VT, FF,
//     NEL, U+2028, U+2029) and every tab becomes a space, other control
//     characters and Unicode noncharacters are removed, invalid UTF-8
//     becomes U+FFFD. A message is one line, and no render can be invalid
//     XML or UTF-8.
//   - git+ssh:// and svn+ssh:// are schemes (the original's regular
//     expression read the '+' as a quantifier, so it recognised
//     "gitssh://" instead).
//   - A link label is always escaped: a '&' or '<' in a Wikipedia or
//     free.fr link can no longer break the XML backend.
//   - A percent-encoded part captured for a label is decoded for display
//     when it decodes to clean UTF-8 (wiki/T%C3%A9l%C3%A9phone gives
//     [Téléphone@wikipedia]).
//   - The truncated label removes only the leading "scheme://" (the
//     original removed every occurrence).
//   - No $LinkRelEscape…$ placeholder exists, so typing one changes
//     nothing.
//   - A URL never holds a space: when a token inside it does (a totoz
//     "[:a b]", a "YYYY-MM-DD HH:MM:SS" clock), the URL ends at the space.
//   - A <code> tag that ends a URL enters code mode like any other
//     <code> (the original forgot to).
//   - A totoz name's spaces are written %20 in the image address: [:a b]
//     links to http://totoz.eu/a%20b.gif (the original wrote a raw space).
//   - Clocks gain the dated forms and the @bouchot suffix; "12:00@x" is now
//     a clock, while "12:00:00@" still is not.
//   - ParseClock wants the whole string to be a clock; the original's
//     prefix match also accepted "12:00:00^x".
package markup
