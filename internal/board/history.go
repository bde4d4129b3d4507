package board

import (
	"context"
	"strings"

	"github.com/tribune-go/tribune/internal/auth"
	"github.com/tribune-go/tribune/internal/markup"
)

// What an import (internal/history) needs of the tribune's rules, so that
// an imported message, channel or account is what a post, the admin page
// or a sign-up would have made.

// ImportedText is a message's text as a post stores it.
type ImportedText struct {
	Raw, Web, Remote string
	URLs             []string // to archive: the first TRIBUNE_SAVE_URLS_BY_POST distinct ones
}

// RenderImported renders text as Post does. Safe for concurrent use.
func (b *Board) RenderImported(text string) ImportedText {
	res := b.markup.Render(text)
	return ImportedText{Raw: res.Text, Web: res.Web, Remote: res.Remote, URLs: b.archivedURLs(res.URLs)}
}

// ImportedIdentity cleans an imported identity (the XML <info>): sanitized,
// trimmed, cut to 150 characters; "coward" when nothing is left.
func (b *Board) ImportedIdentity(info string) string {
	info = strings.TrimSpace(markup.Sanitize(info))
	if info == "" {
		return coward
	}
	return markup.Cut(info, maxIdentity)
}

// CheckImportedChannel checks a channel an import creates, as
// CreateChannel would; it returns the title to keep.
func (b *Board) CheckImportedChannel(slug, title string) (string, error) {
	if err := b.ValidSlug(slug); err != nil {
		return "", &ChannelError{Slug: slug, Err: err}
	}
	title, err := cleanTitle(title)
	if err != nil {
		return "", &ChannelError{Slug: slug, Err: err}
	}
	return title, nil
}

// ImportedName checks the name of an imported account with the sign-up's
// rules (auth.NewName); it returns the name as stored and its skeleton.
func (b *Board) ImportedName(name string) (stored, skeleton string, err error) {
	stored, skeleton, err = auth.NewName(name)
	if err != nil {
		return "", "", &UserError{Name: name, Err: &RuleError{Kind: ErrBadUsername, Rule: err}}
	}
	return stored, skeleton, nil
}

// FillSkeletons gives the older accounts their name's skeleton, before an
// import compares new names with theirs.
func (b *Board) FillSkeletons(ctx context.Context) error { return b.fillSkeletons(ctx) }
