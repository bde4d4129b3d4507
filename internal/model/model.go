// Package model holds the plain domain types shared by the store, the
// encoders, the live hub and the HTTP layer. It has no behaviour beyond small
// helpers, so every other package can depend on it.
package model

import "time"

// DefaultSlug is the slug of the default channel, the one served at the
// tribune's root (djangotribune's "channel IS NULL").
const DefaultSlug = ""

// Channel is one tribune board.
type Channel struct {
	ID      int64
	Slug    string // "" for the default channel
	Title   string
	Created time.Time
	// Moderation policy (see package moderation).
	Mode           string   // "open", "auto" or "manual"
	Moderators     []string // auto-moderator specs, in chain order
	AutoModerateAs string   // "" = the site default, else pending|accept|reject
}

// IsDefault reports whether c is the default channel.
func (c Channel) IsDefault() bool { return c.Slug == DefaultSlug }

// Message is one published message.
type Message struct {
	ID        int64
	ChannelID int64
	Created   time.Time // publication time, UTC
	// Modified is the message's Last-Modified stamp: its publication second,
	// pushed forward so that it grows strictly within a channel. Clients that
	// send If-Modified-Since then never miss a message posted in the same
	// second as the previous one (djangotribune's same-second 304 quirk).
	Modified   time.Time
	ClockIndex int    // 1-based rank among the channel's messages of the same second
	Info       string // identity as typed: user agent or chosen name, never escaped
	AuthorID   int64  // 0 for anonymous
	Login      string // author's username at posting time, "" for anonymous
	Raw        string // sanitized text as typed (after command rewriting)
	Web        string // HTML render
	Remote     string // XML fragment render
	SessionID  string // hashed session of the poster, for "owned" marks
	IP         string
	Submitted  time.Time // when it was sent (differs from Created when moderated)
}

// OwnedBy reports whether the requester (session hash and user id) wrote m.
func (m *Message) OwnedBy(sessionID string, userID int64) bool {
	if userID != 0 && m.AuthorID == userID {
		return true
	}
	return sessionID != "" && m.SessionID == sessionID
}

// Role is an account's role.
type Role string

// The account roles, from least to most powerful.
const (
	RoleUser      Role = "user"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// ParseRole validates a role name.
func ParseRole(s string) (Role, bool) {
	switch r := Role(s); r {
	case RoleUser, RoleModerator, RoleAdmin:
		return r, true
	}
	return "", false
}

// CanModerate reports whether the role may moderate messages.
func (r Role) CanModerate() bool { return r == RoleModerator || r == RoleAdmin }

// User is a registered account.
type User struct {
	ID           int64
	Username     string
	PasswordHash string
	Role         Role
	Created      time.Time
}

// Submission statuses.
const (
	StatusPending  = "pending"
	StatusAccepted = "accepted"
	StatusRejected = "rejected"
	// StatusRemoved: published, then taken down by a moderator.
	StatusRemoved = "removed"
)

// Submission is a message sent to a moderated channel, kept with its
// moderation record whatever the outcome.
type Submission struct {
	ID          int64
	ChannelID   int64
	ChannelSlug string
	Submitted   time.Time
	Info        string
	AuthorID    int64
	Login       string
	Raw         string
	Web         string
	Remote      string
	SessionID   string
	IP          string
	Status      string
	Reason      string
	DecidedBy   string    // moderator's login, "" when automatic
	DecidedAt   time.Time // zero while pending
	MessageID   int64     // public id once accepted
	// Moderators is what each auto-moderator asked said, in chain order
	// (none for a manual channel or a removal).
	Moderators []ModeratorResult
}

// ModeratorResult is what one auto-moderator said about a submission: a
// rating with its reason, no opinion (neither Rating nor Failure), or a
// failure, which counted as no opinion. Its JSON form is the one stored
// and the one the moderation API shows (docs/moderation.md).
type ModeratorResult struct {
	Spec    string   `json:"spec"` // credentials masked
	Rating  *float64 `json:"rating,omitempty"`
	Reason  string   `json:"reason,omitempty"`
	Failure string   `json:"failure,omitempty"` // timeout, error or bad_answer
	Detail  string   `json:"detail,omitempty"`  // what went wrong
}

// TokenScope is what a personal access token may do.
type TokenScope string

// The scopes of personal access tokens.
const (
	// ScopePost reads, posts and runs commands as the token's user.
	ScopePost TokenScope = "post"
	// ScopeModerate also uses the moderation API, while the user's role
	// may moderate.
	ScopeModerate TokenScope = "moderate"
)

// ParseTokenScope validates a scope name.
func ParseTokenScope(s string) (TokenScope, bool) {
	switch sc := TokenScope(s); sc {
	case ScopePost, ScopeModerate:
		return sc, true
	}
	return "", false
}

// Token is a personal access token as its owner and the operator see it:
// never the secret, of which the database keeps only a hash.
type Token struct {
	ID       int64
	UserID   int64
	Username string // the owner's
	Name     string
	Scope    TokenScope
	Created  time.Time
	LastUsed time.Time // zero: never used; recorded at most once a minute
}
