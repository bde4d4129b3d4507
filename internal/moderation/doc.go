// Package moderation decides whether a new tribune message is published at
// once, held for a human moderator, or rejected. The decision procedure is
// django-postman's auto-moderation, exactly, with the few deliberate
// differences listed at the end.
//
// # Modes
//
// Each channel has a Policy whose Mode is one of:
//
//   - open: every valid message is published at once;
//   - auto: a chain of auto-moderators rates every new message and the
//     decision procedure below turns the ratings into a verdict; when no
//     moderator gives a valid rating, the policy's Fallback decides
//     (postman's POSTMAN_AUTO_MODERATE_AS): pending (the default), accept, or
//     reject with an empty reason;
//   - manual: every message waits for a moderator.
//
// Policy.Compile builds a Gate, whose Judge method applies the mode.
//
// # Moderators and their specs
//
// A moderator receives a Submission (channel slug, raw text, identity text,
// login if any, client address, and the renderer's count of links if the
// caller has one) and returns an Output: nothing (Neutral), a
// bare rating (Rate), or a rating with a reason (RateWithReason). Ratings
// mean what they mean in postman: 0 (postman's False) rejects at once, 100
// (True) accepts at once, anything strictly between counts in an average,
// anything outside 0..100 is neutral. A bare rating takes the moderator's
// default reason; a reason given with the rating always wins, even empty.
//
// A moderator is configured by a spec, KIND:ARGUMENT, optionally followed by
// #DEFAULT REASON, which replaces the kind's built-in default reason ("#"
// alone gives an empty one). The first "#" always starts the default reason,
// so no argument may contain one; a webhook URL fragment would never be sent
// in a POST anyway. The kinds:
//
//   - webhook:URL asks an http(s) service (below). Default reason "rejected
//     by the moderation service".
//   - links:N rejects (0) a message with more than N links, counting the URL
//     schemes the renderer links (http://, https://, ftp://, gopher://,
//     git://, svn://, git+ssh://, svn+ssh://, chrome://), case-sensitively.
//     A caller whose renderer already counted the links passes its count
//     in Submission.Links, which replaces ours.
//     Default reason "too many links".
//   - words:W1|W2|… rejects (0) a message containing one of the words or
//     phrases ("foo bar" matches as a phrase, whatever white space separates
//     the words in the message), as whole words: a match may not start or
//     end inside a word, where letters, digits, "_" and combining marks make
//     up words. Case is ignored with Unicode simple case folding, the folding
//     of strings.EqualFold: "Straße" matches "STRAẞE" but not "STRASSE"
//     (full folding would need golang.org/x/text). Text is not normalised,
//     so a composed and a decomposed "é" differ. Default reason "forbidden
//     word".
//   - caps:PERCENT rates 20 a message of at least 10 letters of which more
//     than PERCENT % are capitals. 20 counts in the average, so alone it
//     rejects, but a firm accept elsewhere still wins. Default reason "too
//     many capitals".
//   - flood:N/DURATION rejects (0) a message when its sender already made N
//     submissions in the channel within DURATION (time.ParseDuration syntax,
//     such as flood:5/10s): the (N+1)th is refused. Default reason "flood".
//   - duplicate:DURATION rejects (0) a text its sender already submitted in
//     the channel within DURATION. Default reason "duplicate message".
//   - anonymous:RATING gives RATING (0..100) to messages without a login and
//     is neutral for registered users. Default reason "anonymous message".
//
// flood and duplicate count a sender by login when registered, otherwise by
// client address, and ask a History (the storage layer's moderation
// records) about earlier submissions, whatever their status. Counts, limits and ratings
// are checked when the spec is parsed; a bad spec is a *SpecError naming it.
//
// # Webhook contract
//
// The moderator POSTs the JSON object
//
//	{"channel": SLUG, "content": RAW, "info": IDENTITY, "login": LOGIN or null, "address": IP}
//
// and expects a 2xx answer {"rating": NUMBER|true|false|null}, with an
// optional "reason": STRING. A present "reason" is a rating with a reason
// (so even "" beats the default reason); "reason": null is the same as "".
// Other keys are ignored. The call is made by Deps.Poster (the tribune's
// outbound client), so this package never imports net/http; each call is
// bounded to 2 seconds (DefaultWebhookTimeout, Deps.WebhookTimeout). A
// timeout, a network error, a non-2xx status, an answer longer than 64 KiB,
// or an answer of the wrong shape (not an object, no "rating", a rating that
// is a string or an array, a reason that is not a string) is a failure
// (below). So is every call of a webhook built without a Poster: such specs
// still parse, so that a configuration can be checked offline.
//
// # Failures and results
//
// A moderator that cannot rate returns an error. The chain counts it as
// neutral, so that moderation never makes a post fail, but it does not
// hide it: Chain.Run and Gate.Judge return, with the decision, a Result
// for each moderator asked (its spec, credentials masked, and its output
// or its Failure: timeout, error or bad_answer, with a short detail), and
// Judge logs each failure with slog at Warn level. The caller records the
// results with the submission, so that a classifier outage that left every
// decision to the fallback shows next to the messages it let through.
//
// Judge runs the chain on a context detached from the caller's
// cancellation, values kept, and bounded by Gate.Timeout (10 seconds,
// DefaultChainTimeout, Deps.ChainTimeout): a poster who hangs up must not
// make the webhooks and the history fail, which would hand the decision to
// the fallback. Each webhook keeps its own timeout within that bound; a
// moderator still running when it passes fails with a timeout, and the
// moderators that need no time (links, words…) still rate.
//
// # Decision procedure
//
// Decide is the pure core, Chain.Run runs a chain through it. Moderators run
// in chain order and the first firm verdict (0 or 100) ends the chain: the
// moderators after it are not even called. A firm reject's reason replaces
// every reason collected before it and is kept as given, blank or not.
// Without a firm verdict the valid ratings are averaged (floats; neutral
// outputs do not count); an average of 50 or more accepts, so 49.5 rejects.
// An averaged rejection's reason joins with ", ", in chain order, the reasons
// of the ratings strictly below 50 that are not empty or white space only;
// reasons of ratings of 50 or more never appear, and duplicates stay.
// With no valid rating at all, the fallback decides.
//
// # Differences from postman
//
//   - A malformed moderator output is neutral. Postman raises an error for a
//     pair of the wrong length, which fails the whole submission; our only
//     source of malformed outputs is a webhook answer, and a broken service
//     must not stop the board. The upstream cases with (0,) and
//     (0, "reason", "extra") are tested as webhook answers [0] and
//     [0, "reason", "extra"], which decide by the fallback.
//   - A rating of null with a reason is neutral (Python 3 postman crashes on
//     it; Python 2 postman found it neutral).
//   - The decided reason is cut to MaxReasonLength (120) characters, the
//     size of postman's column, which postman does not enforce.
//   - An accepted decision never carries a reason: postman leaves whatever
//     reason the message had, we clear it.
package moderation
