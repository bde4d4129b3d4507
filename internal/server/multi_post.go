package server

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/tribune-go/tribune/internal/model"
)

// Posting from the multi view without JavaScript: its form posts to the
// view's own address (multi/?c=…), which knows the view's channels, and
// the message goes to the channel chosen in the selector (the field
// "channel", a slug), or to the one named by "@alias " at its start, as
// multi.js does. The channel's own rules apply, as on its board; then the
// browser goes back to the view, at the new message, the selector kept.
// multi.js posts to each channel's board route instead.

// aliasPrefix is "@alias " at the start of a message.
var aliasPrefix = regexp.MustCompile(`^@([A-Za-z0-9_]{1,12})\s+`)

// multiTarget is the channel a message of the view goes to, and its text.
func multiTarget(chans []multiChannel, form url.Values) (*multiChannel, string, bool) {
	text := messageField(form)
	if m := aliasPrefix.FindStringSubmatch(text); m != nil {
		for i := range chans {
			if strings.EqualFold(chans[i].Alias, m[1]) {
				return &chans[i], text[len(m[0]):], true
			}
		}
	}
	if !form.Has("channel") {
		return &chans[0], text, true
	}
	for i := range chans {
		if chans[i].Slug == form.Get("channel") {
			return &chans[i], text, true
		}
	}
	return nil, text, false
}

// multiPath is the view of chans, with to chosen in the selector.
func (s *Server) multiPath(chans []multiChannel, to string) string {
	items := make([]string, len(chans))
	for i, c := range chans {
		items[i] = cmpSlug(c.Slug)
		if c.Alias != defaultAlias(c.Slug) {
			items[i] += ":" + c.Alias
		}
	}
	q := url.Values{"c": {strings.Join(items, ",")}}
	if to != "" {
		q.Set("to", to)
	}
	return s.cfg.Prefix + "/multi/?" + q.Encode()
}

func (s *Server) postMulti(w http.ResponseWriter, r *http.Request, form url.Values) error {
	if answered, err := s.unlocked(w, r, false); answered || err != nil {
		return err
	}
	chans, err := s.multiChannels(r)
	if err != nil {
		return err
	}
	mc, text, ok := multiTarget(chans, form)
	if !ok {
		return s.multiPage(w, r, http.StatusBadRequest, chans, "", s.t(r, "multi.not_in_view"), messageField(form))
	}
	c, ok, err := s.board.Channel(r.Context(), mc.Slug)
	if err != nil {
		return err
	}
	if !ok {
		return httpError(http.StatusNotFound, s.t(r, "multi.unknown_channel", cmpSlug(mc.Slug)))
	}
	visitOf(r).channel = c
	sess, out, err := s.postFromForm(w, r, c, form, text)
	if sess == nil {
		return err
	}
	if visitOf(r).answer == answerJSON {
		return s.boardAnswerJSON(w, r, form, sess, out, err)
	}
	if e := s.word(r, err); e != nil && e.Status < 500 {
		content := messageField(form)
		if e.Header.Get("X-Moderation") == "rejected" {
			content = ""
		}
		for k, v := range e.Header {
			w.Header()[k] = v
		}
		return s.multiPage(w, r, e.Status, chans, cmpSlug(mc.Slug), e.Msg, content)
	}
	if err != nil {
		return err
	}
	switch {
	case out.Notice != "":
		s.setFlash(w, r, flashNotice, out.Notice)
	case out.Submission.Status == model.StatusPending:
		s.setFlash(w, r, flashNotice, s.t(r, "moderation.pending"))
	}
	back := s.multiPath(chans, cmpSlug(mc.Slug))
	if out.Message.ID != 0 {
		back += "#m" + strconv.FormatInt(out.Message.ID, 10)
	} else {
		back += "#post-form"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}
