package history

import (
	"context"
	"runtime"
)

// The import pipeline: a reader cuts the input into items (lines, or a
// dump's objects), workers on every core parse and render them, chunk by
// chunk, and one writer takes the chunks in their order. Memory stays
// bounded: a few chunks per worker are in flight.

// item is one unit of input: its number (a line or an object) and bytes.
type item struct {
	no   int
	data []byte
}

type chunk[T any] struct {
	items []item
	pos   int64 // input bytes read once the chunk was cut
	out   []T
	err   error
	done  chan struct{}
}

const chunkSize = 512

// pipeline runs next (sequential; it returns ok false at the end), work
// (in parallel) and sink (sequential, in input order, with the bytes read
// so far). The first error stops it.
func pipeline[T any](ctx context.Context, next func() (it item, pos int64, ok bool, err error),
	work func(item) (T, error), sink func(out []T, pos int64) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(runtime.GOMAXPROCS(0), 1)
	jobs := make(chan *chunk[T], workers*2)
	ordered := make(chan *chunk[T], workers*4)
	var readErr error
	go func() {
		defer close(jobs)
		defer close(ordered)
		for {
			c := &chunk[T]{done: make(chan struct{})}
			var err error
			for len(c.items) < chunkSize {
				it, pos, ok, e := next()
				c.pos = pos
				if e != nil {
					err = e
					break
				}
				if !ok {
					break
				}
				c.items = append(c.items, it)
			}
			full := len(c.items) == chunkSize // c is the workers' once sent
			if len(c.items) > 0 {
				select {
				case jobs <- c:
				case <-ctx.Done():
					return
				}
				select {
				case ordered <- c:
				case <-ctx.Done():
					return
				}
			}
			if err != nil || !full {
				readErr = err // read by the writer after ordered is closed
				return
			}
		}
	}()
	for range workers {
		go func() {
			for c := range jobs {
				c.out = make([]T, 0, len(c.items))
				for _, it := range c.items {
					v, err := work(it)
					if err != nil {
						c.err = err
						break
					}
					c.out = append(c.out, v)
				}
				c.items = nil
				close(c.done)
			}
		}()
	}
	// Not waited for on an error: the reader may be blocked reading a
	// pipe, and the workers end once it does.
	for c := range ordered {
		select {
		case <-c.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if c.err != nil {
			return c.err
		}
		if err := sink(c.out, c.pos); err != nil {
			return err
		}
	}
	if readErr != nil {
		return readErr
	}
	return ctx.Err()
}
