package moderation

import (
	"fmt"
	"iter"
	"strings"
)

// MaxReasonLength is the longest rejection reason a Decision carries, in
// characters (runes). Postman stores the reason in a 120-character column but
// never trims the reason it composes; we trim so that no storage layer has to.
const MaxReasonLength = 120

// OutputKind tells a neutral moderator output from a rating.
type OutputKind int

const (
	// OutputNeutral means "no opinion": the output does not count at all.
	OutputNeutral OutputKind = iota
	// OutputScore means the moderator gave a rating in Output.Score.
	OutputScore
)

// Output is what one moderator says about one submission: postman's None,
// bare rating, or (rating, reason) pair, as an explicit sum type.
//
// Build values with Neutral, Rate, RateWithReason, Accept and Reject rather
// than by hand, so that Reason is never set without HasReason.
type Output struct {
	Kind OutputKind
	// Score is the rating when Kind is OutputScore. 0 rejects at once, 100
	// accepts at once, anything strictly between counts in the average and
	// anything else (including NaN) is neutral.
	Score float64
	// Reason is the rejection reason given with the rating. It is only
	// meaningful when HasReason is true.
	Reason string
	// HasReason is postman's "the moderator returned a pair": the reason
	// then wins over the moderator's default reason, even when empty.
	HasReason bool
}

// Neutral is postman's None: the moderator has no opinion.
func Neutral() Output { return Output{} }

// Rate is a bare rating: the moderator's default reason goes with it.
func Rate(score float64) Output { return Output{Kind: OutputScore, Score: score} }

// RateWithReason is a (rating, reason) pair: reason is used even when empty.
func RateWithReason(score float64, reason string) Output {
	return Output{Kind: OutputScore, Score: score, Reason: reason, HasReason: true}
}

// Accept is postman's True: a firm acceptance (rating 100).
func Accept() Output { return Rate(100) }

// Reject is postman's False: a firm rejection (rating 0) with the
// moderator's default reason.
func Reject() Output { return Rate(0) }

// WithDefaultReason gives a bare rating the moderator's default reason. A
// neutral output or a rating that already has a reason is returned unchanged,
// which is how "a reason given with the rating always wins" is enforced.
func (o Output) WithDefaultReason(reason string) Output {
	if o.Kind != OutputScore || o.HasReason {
		return o
	}
	o.Reason, o.HasReason = reason, true
	return o
}

func (o Output) String() string {
	switch {
	case o.Kind != OutputScore:
		return "neutral"
	case o.HasReason:
		return fmt.Sprintf("%g (%q)", o.Score, o.Reason)
	default:
		return fmt.Sprintf("%g", o.Score)
	}
}

// Verdict is the moderation status a decision leads to.
type Verdict int

const (
	// Pending: the submission waits for a human moderator.
	Pending Verdict = iota
	// Accepted: the submission is published.
	Accepted
	// Rejected: the submission is never published.
	Rejected
)

func (v Verdict) String() string {
	switch v {
	case Pending:
		return "pending"
	case Accepted:
		return "accepted"
	case Rejected:
		return "rejected"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Fallback is the verdict used when no moderator gave a valid rating:
// postman's POSTMAN_AUTO_MODERATE_AS (None, True, False).
type Fallback int

const (
	// FallbackPending leaves the submission waiting for a human (postman's
	// None, the default).
	FallbackPending Fallback = iota
	// FallbackAccept publishes it (postman's True).
	FallbackAccept
	// FallbackReject rejects it with an empty reason (postman's False).
	FallbackReject
)

// ParseFallback reads "pending", "accept" or "reject".
func ParseFallback(s string) (Fallback, error) {
	switch s {
	case "pending":
		return FallbackPending, nil
	case "accept":
		return FallbackAccept, nil
	case "reject":
		return FallbackReject, nil
	}
	return FallbackPending, fmt.Errorf("moderation: unknown fallback %q (want pending, accept or reject)", s)
}

func (f Fallback) String() string {
	switch f {
	case FallbackPending:
		return "pending"
	case FallbackAccept:
		return "accept"
	case FallbackReject:
		return "reject"
	}
	return fmt.Sprintf("Fallback(%d)", int(f))
}

// MarshalText makes a Fallback usable in text configuration formats.
func (f Fallback) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText parses like ParseFallback, so that flag.TextVar and JSON
// configuration validate the value.
func (f *Fallback) UnmarshalText(text []byte) error {
	v, err := ParseFallback(string(text))
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Decision is the outcome of moderation. Reason is only ever non-empty for
// Rejected, and never longer than MaxReasonLength runes.
type Decision struct {
	Verdict Verdict
	Reason  string
}

// Decide is postman's auto-moderation procedure, over the moderators'
// outputs in chain order.
//
// outputs is pulled lazily and Decide stops pulling at the first firm
// verdict (a rating of exactly 0 or 100), so moderators after it are never
// run: put cheap, decisive moderators first. Otherwise:
//
//   - neutral outputs and ratings outside 0..100 do not count;
//   - the valid ratings are averaged; an average of 50 or more accepts;
//   - an averaged rejection's reason joins with ", ", in chain order, the
//     reasons of ratings strictly below 50 that are not blank;
//   - with no valid rating at all, fallback decides, and a fallback
//     rejection has an empty reason.
//
// A firm rejection's reason replaces every reason collected before it and
// is kept as given, even if blank. An acceptance never carries a reason.
func Decide(outputs iter.Seq[Output], fallback Fallback) Decision {
	var (
		sum     float64
		count   int
		reasons []string
	)
	for out := range outputs {
		if out.Kind != OutputScore {
			continue
		}
		r := out.Score
		// Written so that NaN, which compares false with everything, is
		// neutral too (as it is in postman's chained comparison).
		if !(r >= 0 && r <= 100) {
			continue
		}
		reason := ""
		if out.HasReason {
			reason = out.Reason
		}
		switch r {
		case 0:
			return Decision{Verdict: Rejected, Reason: truncateReason(reason)}
		case 100:
			return Decision{Verdict: Accepted}
		}
		sum += r
		count++
		if r < 50 && strings.TrimSpace(reason) != "" {
			reasons = append(reasons, reason)
		}
	}
	if count > 0 {
		if sum/float64(count) >= 50 {
			return Decision{Verdict: Accepted}
		}
		return Decision{Verdict: Rejected, Reason: truncateReason(strings.Join(reasons, ", "))}
	}
	switch fallback {
	case FallbackAccept:
		return Decision{Verdict: Accepted}
	case FallbackReject:
		return Decision{Verdict: Rejected}
	}
	// FallbackPending, and like postman any other value.
	return Decision{Verdict: Pending}
}

// truncateReason keeps the first MaxReasonLength runes of s, cutting only at
// rune boundaries.
func truncateReason(s string) string { return cut(s, MaxReasonLength) }
