package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
	"github.com/tribune-go/tribune/internal/moderation"
	"github.com/tribune-go/tribune/internal/store"
)

// gates keeps each channel's compiled moderation policy, rebuilt when the
// channel's policy changes.
type gates struct {
	mu   sync.Mutex
	byID map[int64]gateEntry
}

type gateEntry struct {
	key  string // the policy it was compiled from
	gate *moderation.Gate
}

// gate returns the compiled policy of c. A policy that no longer compiles
// (a spec edited by hand in the database) holds every message for a human
// rather than publishing what the chain would have stopped.
func (s *Server) gate(c model.Channel) *moderation.Gate {
	key := c.Mode + "\x00" + strings.Join(c.Moderators, "\x00") + "\x00" + c.AutoModerateAs + "\x00" + s.cfg.AutoModerateAs
	s.gates.mu.Lock()
	defer s.gates.mu.Unlock()
	if e, ok := s.gates.byID[c.ID]; ok && e.key == key {
		return e.gate
	}
	site, _ := moderation.ParseFallback(s.cfg.AutoModerateAs) // validated with the config
	p, err := moderation.ParsePolicy(c.Mode, c.Moderators, c.AutoModerateAs)
	var g *moderation.Gate
	if err == nil {
		g, err = p.Compile(s.moderationDeps(), site)
	}
	if err != nil {
		s.log.Error("server: the moderation policy of a channel does not compile: holding its messages for a moderator",
			"channel", c.Slug, "err", err)
		g = &moderation.Gate{Mode: moderation.ModeManual}
	}
	if s.gates.byID == nil {
		s.gates.byID = map[int64]gateEntry{}
	}
	s.gates.byID[c.ID] = gateEntry{key: key, gate: g}
	return g
}

func (s *Server) moderationDeps() moderation.Deps {
	return moderation.Deps{
		Poster:  s.hookClient,
		History: history{s.st},
		Logger:  s.log,
	}
}

// history answers the flood and duplicate moderators from the moderation
// records, so that every process sees the same counts.
type history struct{ st *store.Store }

func (h history) CountSince(ctx context.Context, channel string, who moderation.Identity, since time.Time) (int, error) {
	return h.st.CountSince(ctx, channel, who.Login, who.Address, since)
}

func (h history) SameTextSince(ctx context.Context, channel string, who moderation.Identity, text string, since time.Time) (bool, error) {
	return h.st.SameTextSince(ctx, channel, who.Login, who.Address, text, since)
}

// moderate decides what happens to m on its channel: "" for an open channel
// (published, no moderation record), else the status and reason to record.
// links is the number of links the render of m found.
func (s *Server) moderate(ctx context.Context, c model.Channel, m *model.Message, links int) (status, reason string) {
	g := s.gate(c)
	if g.Mode == moderation.ModeOpen {
		return "", ""
	}
	d := g.Judge(ctx, &moderation.Submission{Channel: c.Slug, Content: m.Raw, Info: m.Info, Login: m.Login, Address: m.IP, Links: &links})
	switch d.Verdict {
	case moderation.Accepted:
		return model.StatusAccepted, ""
	case moderation.Rejected:
		return model.StatusRejected, d.Reason
	}
	return model.StatusPending, ""
}

// notifyQueue calls TRIBUNE_MODERATION_WEBHOOK when a message enters the
// moderation queue, so that a team is told (postman told nobody). It runs
// in the background; a failure is logged, never shown to the poster.
func (s *Server) notifyQueue(r *http.Request, sub model.Submission, channel model.Channel) {
	if s.cfg.ModerationWebhook == "" {
		return
	}
	var login *string
	if sub.Login != "" {
		login = &sub.Login
	}
	event := map[string]any{
		"event": "pending", "id": sub.ID, "channel": channel.Slug, "channel_title": channel.Title,
		"content": sub.Raw, "info": sub.Info, "login": login, "address": sub.IP,
		"submitted": sub.Submitted.In(s.cfg.Location).Format(time.RFC3339), "queue_url": s.siteURL(r) + s.cfg.Prefix + "/moderation/",
	}
	body, _ := json.Marshal(event)
	s.background.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		// Only the status matters: the service was told.
		if status, _, err := s.hookClient.Post(ctx, s.cfg.ModerationWebhook, "application/json", body, 0); status == 0 {
			s.log.Warn("moderation webhook", "err", err)
		} else if status/100 != 2 {
			s.log.Warn("moderation webhook", "status", status)
		}
	})
}

// removalNotice tells an author that a moderator took their message down,
// with the reason when there is one.
func removalNotice(lang i18n.Lang, reason string) string {
	if reason = strings.TrimSpace(reason); reason == "" {
		return i18n.T(lang, "moderation.removed_notice")
	}
	return i18n.T(lang, "moderation.removed_notice_because", reason)
}
