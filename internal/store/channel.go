package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tribune-go/tribune/internal/model"
)

const channelColumns = `id, slug, title, created, mode, moderators, auto_moderate_as`

func scanChannel(row interface{ Scan(...any) error }) (model.Channel, error) {
	var c model.Channel
	var created int64
	var mods string
	if err := row.Scan(&c.ID, &c.Slug, &c.Title, &created, &c.Mode, &mods, &c.AutoModerateAs); err != nil {
		return c, err
	}
	c.Created = fromMicros(created)
	if err := json.Unmarshal([]byte(mods), &c.Moderators); err != nil {
		return c, classify(fmt.Errorf("store: channel %q moderators: %w", c.Slug, err))
	}
	return c, nil
}

// Channels lists every channel, the default one first, then by slug.
func (s *Store) Channels(ctx context.Context) ([]model.Channel, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+channelColumns+` FROM channels ORDER BY slug`)
	if err != nil {
		return nil, classify(fmt.Errorf("store: list channels: %w", err))
	}
	defer rows.Close()
	var cs []model.Channel
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, classify(fmt.Errorf("store: list channels: %w", err))
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

// Channel finds a channel by slug ("" is the default channel).
func (s *Store) Channel(ctx context.Context, slug string) (model.Channel, error) {
	if !storable(slug) {
		return model.Channel{}, ErrNotFound
	}
	c, err := scanChannel(s.r.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM channels WHERE slug = $1`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, classify(fmt.Errorf("store: channel %q: %w", slug, err))
	}
	return c, nil
}

// CreateChannel adds a channel; ErrConflict if the slug is taken.
func (s *Store) CreateChannel(ctx context.Context, slug, title string) (model.Channel, error) {
	c := model.Channel{Slug: slug, Title: title, Created: s.now(), Mode: "open"}
	err := s.w.QueryRowContext(ctx,
		`INSERT INTO channels (slug, title, created) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING RETURNING id`,
		slug, title, micros(c.Created)).Scan(&c.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrConflict
	}
	if err != nil {
		return c, classify(fmt.Errorf("store: create channel %q: %w", slug, err))
	}
	s.emit(Change{Channels: true})
	s.notifyNow(ctx, Change{Channels: true})
	return c, nil
}

// RenameChannel changes a channel's title.
func (s *Store) RenameChannel(ctx context.Context, slug, title string) error {
	return s.updateChannel(ctx, slug, `UPDATE channels SET title = $2 WHERE slug = $1`, title)
}

// SetModeration stores a channel's moderation policy.
func (s *Store) SetModeration(ctx context.Context, slug, mode string, moderators []string, autoModerateAs string) error {
	if moderators == nil {
		moderators = []string{}
	}
	b, err := json.Marshal(moderators)
	if err != nil {
		return err
	}
	return s.updateChannel(ctx, slug,
		`UPDATE channels SET mode = $2, moderators = $3, auto_moderate_as = $4 WHERE slug = $1`,
		mode, string(b), autoModerateAs)
}

func (s *Store) updateChannel(ctx context.Context, slug, query string, args ...any) error {
	if !storable(slug) {
		return ErrNotFound
	}
	res, err := s.w.ExecContext(ctx, query, append([]any{slug}, args...)...)
	if err != nil {
		return classify(fmt.Errorf("store: update channel %q: %w", slug, err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	s.emit(Change{Channels: true})
	s.notifyNow(ctx, Change{Channels: true})
	return nil
}

// DeleteChannel removes a channel with its messages; the default channel
// cannot be deleted. Message ids are not reused afterwards.
func (s *Store) DeleteChannel(ctx context.Context, slug string) error {
	if slug == model.DefaultSlug {
		return errors.New("store: the default channel cannot be deleted")
	}
	if !storable(slug) {
		return ErrNotFound
	}
	res, err := s.w.ExecContext(ctx, `DELETE FROM channels WHERE slug = $1`, slug)
	if err != nil {
		return classify(fmt.Errorf("store: delete channel %q: %w", slug, err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	s.emit(Change{Channels: true})
	s.notifyNow(ctx, Change{Channels: true})
	return nil
}
