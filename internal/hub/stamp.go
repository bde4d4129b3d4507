package hub

import "time"

// The validators of a channel's answers. Last-Modified has whole seconds,
// and several changes may share one; ETags are made of Newest and
// Removals, which name the content exactly.
//
// The rule for Last-Modified (docs/protocol.md says it for clients):
//
//   - A snapshot's stamp (Modified) is the channel's (store.Head), which
//     never goes backwards and never runs ahead of the committing clock.
//   - An answer never claims a Last-Modified later than the last finished
//     second less ClockMargin (LastModified): a change still to come, from
//     this process or another whose clock is up to ClockMargin behind, then
//     takes a later second than any Last-Modified given out before it.
//   - A change this process learns of late (a slow commit, a late
//     notification from another process) may carry a stamp it already gave
//     out: the snapshot that brings it in takes the second after the latest
//     Last-Modified given out instead (install). So within one process no
//     Last-Modified ever names a copy that lacks a change, whatever the
//     delays and the clocks.
//   - 304 when If-Modified-Since is at or after Modified.

// ClockMargin is how far behind the clocks of the other processes sharing
// the database may be, plus how late their changes may reach this one, for
// a client that polls several processes in turn.
const ClockMargin = time.Second

// Now is the time by the clock the store stamps changes with. Read it
// before the snapshot an answer is made of (see LastModified).
func (h *Hub) Now() time.Time { return h.st.Now() }

// Modified is the channel's stamp as this process answers it: the stamp of
// its latest change (store.Head), or later when this process learnt of the
// change after giving out a Last-Modified as late as its stamp. It never
// goes backwards within a process, and never runs ahead of the clocks.
// An If-Modified-Since at or after it names a copy that lacks nothing.
func (s *Snapshot) Modified() time.Time { return s.modified }

// Removals is the channel's removal count: with Newest, it names the
// content of the channel's answers (an ETag).
func (s *Snapshot) Removals() int64 { return s.removals }

// LastModified is the Last-Modified header of an answer made from s: its
// stamp, but never later than the last second finished at `at` less
// ClockMargin, where at is Now read before s was loaded. A change committed
// after at takes a later second, even from a process whose clock is
// ClockMargin behind, so a client sending the header back never gets a 304
// that hides it.
//
// It records what it gives out, for install. When a newer snapshot came
// meanwhile, it answers a second earlier than that one's stamp.
func (s *Snapshot) LastModified(at time.Time) time.Time {
	lm := min(s.modified.Unix(), at.Unix()-1-int64(ClockMargin/time.Second))
	c := s.c
	if c == nil {
		return time.Unix(lm, 0).UTC()
	}
	// Most answers give out what was given before: records and installs
	// hold stampMu, so a snapshot installed after this check has seen it.
	if c.given.Load() >= lm && c.snap.Load() == s {
		return time.Unix(lm, 0).UTC()
	}
	c.stampMu.Lock()
	if cur := c.snap.Load(); cur != nil && cur != s {
		lm = min(lm, cur.modified.Unix()-1)
	}
	if lm > c.given.Load() {
		c.given.Store(lm)
	}
	c.stampMu.Unlock()
	return time.Unix(lm, 0).UTC()
}

// install makes s, which no reader has yet, the channel's snapshot (c.mu
// held). A snapshot's stamp must be later than any Last-Modified given out
// from the snapshots before it, which lacked a change it holds: when its
// own is not, it takes the second after the latest one. That is at most the
// second before the clock's, since LastModified gives out finished seconds.
func (c *channel) install(s *Snapshot) *Snapshot {
	c.stampMu.Lock()
	defer c.stampMu.Unlock()
	if g := c.given.Load(); g != 0 && s.modified.Unix() <= g {
		s.modified = time.Unix(g+1, 0).UTC()
	}
	c.snap.Store(s)
	return s
}
