package server

import (
	"encoding/json"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tribune-go/tribune/internal/hub"
	"github.com/tribune-go/tribune/internal/i18n"
	"github.com/tribune-go/tribune/internal/model"
)

// The fan-out of live events to the open streams. A stream has no
// goroutine of its own while it is open: the hub calls the fan-out with
// each event of a channel (hub.Listen), the fan-out frames it once (the
// bytes of a message event, owned and not, the same for every stream), and
// a few shard goroutines, each holding a share of the streams, write it to
// every stream of their share with a write that does not block. Events
// that arrive together are written together: one write per stream for all
// of them. A stream whose connection cannot take the bytes keeps them
// (pending) and gets a goroutine that writes them, with a deadline, until
// it has caught up; one that falls more than maxPending behind is ended, and
// its client reconnects with Last-Event-ID. A goroutine that only waits to
// read tells when the client goes away.
//
// Where the connection cannot be taken over from net/http (HTTP/2, a host
// that embeds the tribune behind its own wrappers), the handler's goroutine
// stays and writes the pending bytes through the ResponseWriter: the same
// fan-out, one goroutine more per stream.

// maxPending is how many bytes a stream may lag behind before it ends.
const maxPending = 256 << 10

// maxTotalPending is how many bytes all the streams of a process may lag
// behind together: past it, a stream that falls further behind ends at
// once (its client reconnects with Last-Event-ID and reads the database).
// Without it, posting faster than thousands of streams read would hold
// maxPending for each of them (10,000 streams: gigabytes).
const maxTotalPending = 64 << 20

// maxHeld is how many events a stream may hold while it starts or reads
// its session again before it ends.
const maxHeld = hub.QueueSize

// fanout holds the open streams, in shards.
type fanout struct {
	s      *Server
	shards []*shard
	next   atomic.Uint32
	// pending is the bytes the streams hold, not yet taken by their
	// connections (liveStream.setPendingLocked).
	pending atomic.Int64

	mu       sync.Mutex
	channels map[int64]*fanChannel
}

// fanChannel is a channel the fan-out listens to, while it has streams.
type fanChannel struct {
	stop    func()
	streams int
}

func newFanout(s *Server) *fanout {
	f := &fanout{s: s, channels: map[int64]*fanChannel{}}
	// One shard a core: more would only take turns on the cores, and
	// take them from the posting path.
	n := runtime.GOMAXPROCS(0)
	for range n {
		sh := &shard{f: f, byChannel: map[int64]map[*liveStream]struct{}{}, wake: make(chan struct{}, 1)}
		f.shards = append(f.shards, sh)
		go sh.run()
	}
	return f
}

// add places st in a shard and listens to its channel; false once the
// server stops.
func (f *fanout) add(st *liveStream) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	fc := f.channels[st.channel]
	if fc == nil {
		fc = &fanChannel{}
		id := st.channel
		fc.stop = f.s.board.Listen(id, func(e *hub.Event) { f.dispatch(id, e) })
		f.channels[id] = fc
	}
	sh := f.shards[int(f.next.Add(1))%len(f.shards)]
	if !sh.add(st) {
		if fc.streams == 0 {
			delete(f.channels, st.channel)
			fc.stop()
		}
		return false
	}
	fc.streams++
	st.fc, st.sh = fc, sh
	return true
}

// release stops listening to a channel without streams.
func (f *fanout) release(st *liveStream) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.releaseLocked(st)
}

func (f *fanout) releaseLocked(st *liveStream) {
	fc := st.fc
	if fc == nil {
		return
	}
	st.fc = nil
	if fc.streams--; fc.streams <= 0 && f.channels[st.channel] == fc {
		delete(f.channels, st.channel)
		fc.stop()
	}
}

// dispatch hands an event of a channel to the shards holding streams of
// it. It runs in the publishing goroutine (the committer's): it frames the
// event once and queues it, no more.
func (f *fanout) dispatch(channel int64, e *hub.Event) {
	var fr *frame
	if e != nil {
		fr = newFrame(e)
	} else {
		// The channel is gone: its listener is too.
		f.mu.Lock()
		delete(f.channels, channel)
		f.mu.Unlock()
	}
	for _, sh := range f.shards {
		sh.queue(channel, fr)
	}
}

// frame is an event with the bytes every stream that shows it writes.
type frame struct {
	e *hub.Event
	// A message: its event not owned and owned. A removal: its event. A
	// moderation record: the pending event moderators get.
	data [2][]byte
}

func newFrame(e *hub.Event) *frame {
	fr := &frame{e: e}
	switch {
	case e.Message != nil:
		for i := range fr.data {
			fr.data[i] = appendMessage(nil, e.Message.ID, e.Data[i])
		}
	case e.Removed != nil:
		fr.data[0] = appendEvent(nil, "removed", map[string]int64{"id": e.Removed.ID})
	case e.Submission != nil, e.Recount:
		fr.data[0] = appendEvent(nil, "pending", map[string]int{"pending": e.Pending})
	}
	return fr
}

func appendMessage(b []byte, id int64, data []byte) []byte {
	b = append(b, "event: message\nid: "...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}

func appendEvent(b []byte, name string, v any) []byte {
	data, _ := json.Marshal(v)
	b = append(b, "event: "...)
	b = append(b, name...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}

// shard is one goroutine's share of the streams.
type shard struct {
	f    *fanout
	wake chan struct{}

	mu        sync.Mutex
	byChannel map[int64]map[*liveStream]struct{}
	queued    []queued
	closed    bool

	// The shard goroutine's own.
	spare   []queued
	streams []*liveStream
	buf     []byte
}

type queued struct {
	channel int64
	fr      *frame // nil: the channel is gone
}

func (sh *shard) add(st *liveStream) bool {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.closed {
		return false
	}
	set := sh.byChannel[st.channel]
	if set == nil {
		set = map[*liveStream]struct{}{}
		sh.byChannel[st.channel] = set
	}
	set[st] = struct{}{}
	return true
}

func (sh *shard) remove(st *liveStream) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if set := sh.byChannel[st.channel]; set != nil {
		delete(set, st)
		if len(set) == 0 {
			delete(sh.byChannel, st.channel)
		}
	}
}

// queue hands the shard an event of a channel, if it holds streams of it.
func (sh *shard) queue(channel int64, fr *frame) {
	sh.mu.Lock()
	if sh.byChannel[channel] == nil {
		sh.mu.Unlock()
		return
	}
	sh.queued = append(sh.queued, queued{channel, fr})
	sh.mu.Unlock()
	select {
	case sh.wake <- struct{}{}:
	default: // already woken
	}
}

// Pacing. Each pass writes to a stream everything queued since its last
// pass, so a pass costs one write(2) per stream whatever the number of
// events. In a flood (a pass carried floodEvents or more and more are
// queued when it ends) the shard rests after each pass, one to maxRest
// times as long as the pass took, rising with each such pass: the fan-out
// then takes at most half, then a quarter of its core, the posting path
// and the HTTP handlers keep the rest, and each pass carries more events.
// Events that merely come while a pass runs (a post every 200 ms to
// 10,000 streams, a pass nearly as long) are no flood: resting then would
// delay them, the next pass would find more queued, rest longer, and the
// time to the streams would climb to seconds. A pass also yields the core
// every yieldEvery streams.
const (
	minPassGap  = 2 * time.Millisecond
	maxRest     = 3
	floodEvents = 4
	yieldEvery  = 256
)

// nextRest is how many times as long as its pass a shard rests, after a
// pass that carried that many events, with more queued or not.
func nextRest(rest, carried int, queued bool) int {
	if carried >= floodEvents && queued {
		return min(rest+1, maxRest)
	}
	return 0
}

func (sh *shard) run() {
	keep := time.NewTicker(sh.f.s.cfg.StreamKeepAlive)
	defer keep.Stop()
	pause := time.NewTimer(0)
	<-pause.C
	var next time.Time // the earliest start of the next pass
	rest := 0          // passes that ended with more events queued, up to maxRest
	for {
		select {
		case <-sh.wake:
			if wait := time.Until(next); wait > 0 {
				pause.Reset(wait)
				select {
				case <-pause.C:
				case <-sh.f.s.stopping:
					pause.Stop()
					sh.stop()
					return
				}
			}
			start := time.Now()
			carried := sh.deliver()
			took := time.Since(start)
			rest = nextRest(rest, carried, len(sh.wake) > 0)
			next = time.Now().Add(max(minPassGap, took*time.Duration(rest)))
		case <-keep.C:
			sh.keepAlive()
		case <-sh.f.s.stopping:
			sh.stop()
			return
		}
	}
}

// stop ends every stream of the shard and takes no more.
func (sh *shard) stop() {
	sh.mu.Lock()
	sh.closed = true
	sh.mu.Unlock()
	for _, st := range sh.snapshot(0, true) {
		st.end()
	}
}

// snapshot lists the shard's streams of a channel, or all of them, in the
// shard goroutine's own slice.
func (sh *shard) snapshot(channel int64, all bool) []*liveStream {
	sh.streams = sh.streams[:0]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if all {
		for _, set := range sh.byChannel {
			for st := range set {
				sh.streams = append(sh.streams, st)
			}
		}
		return sh.streams
	}
	for st := range sh.byChannel[channel] {
		sh.streams = append(sh.streams, st)
	}
	return sh.streams
}

// deliver writes the queued events, all of a channel's at once to each of
// its streams, and tells how many there were.
func (sh *shard) deliver() int {
	sh.mu.Lock()
	q := sh.queued
	sh.queued = sh.spare[:0]
	sh.mu.Unlock()
	var frames []*frame
	for i := 0; i < len(q); {
		// A run of events of one channel (nearly always all of them).
		ch := q[i].channel
		frames = frames[:0]
		gone := false
		for ; i < len(q) && q[i].channel == ch; i++ {
			if q[i].fr == nil {
				gone = true
				break
			}
			frames = append(frames, q[i].fr)
		}
		streams := sh.snapshot(ch, false)
		for j, st := range streams {
			if j > 0 && j%yieldEvery == 0 {
				runtime.Gosched()
			}
			sh.buf = st.deliver(frames, sh.buf)
		}
		if gone {
			i++
			for _, st := range streams {
				st.end() // the stream of a deleted channel ends
			}
		}
	}
	n := len(q)
	clear(q)
	sh.spare = q[:0]
	return n
}

var keepAliveBytes = []byte(": keep-alive\n\n")

// keepAlive writes a comment to every stream of the shard and has those
// with a session read it again (what this process was not told of: the
// session ended or changed elsewhere).
func (sh *shard) keepAlive() {
	var reread []*liveStream
	for _, st := range sh.snapshot(0, true) {
		st.mu.Lock()
		if !st.ended && st.held == 0 {
			st.writeLocked(keepAliveBytes)
		}
		st.mu.Unlock()
		if st.req != nil {
			reread = append(reread, st)
		}
	}
	if len(reread) > 0 {
		go func() {
			for _, st := range reread {
				st.reread(false)
			}
		}()
	}
}

// liveStream is one open stream.
type liveStream struct {
	s       *Server
	channel int64
	key     string // its place in the stream counter
	lang    i18n.Lang
	sink    sink
	sh      *shard      // nil until added
	fc      *fanChannel // guarded by fanout.mu

	// req reads the session again (reread); nil for a stream without
	// one. rereadMu makes one read at a time, in order.
	req       sessionRequest
	stopWatch func()
	rereadMu  sync.Mutex

	mu       sync.Mutex
	vw       viewer
	gone     bool  // the session ended: anonymous for good
	last     int64 // the newest message id sent
	held     int   // >0: events wait in early (starting, rereading)
	early    []*frame
	pending  []byte // what the connection has not taken yet
	flushing bool   // a goroutine writes pending
	ended    bool
	endOnce  sync.Once
}

// appendFrame appends what the stream shows of fr; st.mu is held.
func (st *liveStream) appendFrame(b []byte, fr *frame) []byte {
	e := fr.e
	switch {
	case e.Message != nil:
		m := e.Message
		if m.ID <= st.last {
			return b
		}
		st.last = m.ID
		if st.vw.hide != nil && st.vw.hide(m) {
			return b
		}
		owned := 0
		if st.vw.owns(m) {
			owned = 1
		}
		return append(b, fr.data[owned]...)
	case e.Removed != nil:
		return append(b, fr.data[0]...)
	case e.Submission != nil:
		sub := e.Submission
		vw := &st.vw
		mine := vw.uid != 0 && sub.AuthorID == vw.uid ||
			vw.uid == 0 && sub.AuthorID == 0 && vw.sess.ID != "" && sub.SessionID == vw.sess.ID
		if mine && sub.Status != model.StatusPending {
			b = appendEvent(b, "submission", submissionEvent(st.lang, sub))
		}
		if vw.moderator {
			b = append(b, fr.data[0]...)
		}
	case e.Recount:
		if st.vw.moderator {
			b = append(b, fr.data[0]...)
		}
	}
	return b
}

// deliver writes frames to the stream, or holds them; buf is scratch
// space, returned for the next stream.
func (st *liveStream) deliver(frames []*frame, buf []byte) []byte {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ended {
		return buf
	}
	if st.held > 0 {
		st.early = append(st.early, frames...)
		if len(st.early) > maxHeld {
			st.endLocked()
		}
		return buf
	}
	buf = buf[:0]
	for _, fr := range frames {
		buf = st.appendFrame(buf, fr)
	}
	st.writeLocked(buf)
	return buf
}

// release lets held events go, once nothing holds them; st.mu is held.
func (st *liveStream) releaseLocked(b []byte) {
	if st.held--; st.held == 0 {
		for _, fr := range st.early {
			b = st.appendFrame(b, fr)
		}
		st.early = nil
	}
	st.writeLocked(b)
}

// writeLocked writes b now if the connection takes it without waiting, and
// keeps the rest for a goroutine that waits; st.mu is held.
func (st *liveStream) writeLocked(b []byte) {
	if st.ended || len(b) == 0 && len(st.pending) == 0 {
		return
	}
	if st.flushing || st.held > 0 {
		if len(st.pending)+len(b) > st.s.maxPending || st.s.fan.pending.Load()+int64(len(b)) > st.s.maxTotalPending {
			st.endLocked()
			return
		}
		st.setPendingLocked(append(st.pending, b...))
		return
	}
	if len(st.pending) > 0 {
		// Kept while the stream was held: they go first.
		p := st.pending
		st.setPendingLocked(nil)
		b = append(p, b...)
	}
	n, err := st.sink.tryWrite(b)
	if err != nil {
		st.endLocked()
		return
	}
	if n < len(b) {
		if len(b)-n > st.s.maxPending || st.s.fan.pending.Load()+int64(len(b)-n) > st.s.maxTotalPending {
			st.endLocked()
			return
		}
		st.setPendingLocked(append([]byte(nil), b[n:]...))
		st.flushing = true
		st.sink.startFlush(st)
	}
}

// setPendingLocked sets the stream's pending bytes and keeps the fan-out's
// total of them; st.mu is held.
func (st *liveStream) setPendingLocked(p []byte) {
	st.s.fan.pending.Add(int64(len(p) - len(st.pending)))
	st.pending = p
}

// flush writes the pending bytes, waiting for the connection, until none
// are left.
func (st *liveStream) flush() {
	for {
		st.mu.Lock()
		b := st.pending
		if st.ended || len(b) == 0 || st.held > 0 {
			st.flushing = false
			st.mu.Unlock()
			return
		}
		// b stays in the total until written: it is held meanwhile.
		st.pending = nil
		st.mu.Unlock()
		err := st.sink.write(b)
		st.s.fan.pending.Add(-int64(len(b)))
		if err != nil {
			st.end()
			return
		}
	}
}

// end ends the stream: its connection is closed (or its handler returns),
// its places are given back.
func (st *liveStream) end() {
	st.mu.Lock()
	st.endLocked()
	st.mu.Unlock()
}

// endLocked marks the stream ended and lets another goroutine undo the
// rest, which takes locks that are taken before st.mu elsewhere (the
// session watchers call sessionChanged under theirs).
func (st *liveStream) endLocked() {
	if st.ended {
		return
	}
	st.ended = true
	st.setPendingLocked(nil)
	st.early = nil
	go st.endOnce.Do(st.teardown)
}

func (st *liveStream) teardown() {
	if st.sh != nil {
		st.sh.remove(st)
		st.s.fan.release(st)
	}
	if st.stopWatch != nil {
		st.stopWatch()
	}
	st.sink.close()
	st.s.streams.release(st.key)
}

// sink is where a stream's bytes go.
type sink interface {
	// tryWrite writes what the connection takes without waiting: n <
	// len(b) without an error when it would wait.
	tryWrite(b []byte) (n int, err error)
	// startFlush has a goroutine call st.flush.
	startFlush(st *liveStream)
	// write writes b, waiting up to the stream's write timeout.
	write(b []byte) error
	close()
}
