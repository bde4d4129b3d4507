package history

import (
	"context"
	"testing"
)

func TestPipelineOrder(t *testing.T) {
	const n = 100_000
	i := 0
	next := func() (item, int64, bool, error) {
		if i == n {
			return item{}, int64(i), false, nil
		}
		i++
		return item{no: i}, int64(i), true, nil
	}
	want := 1
	err := pipeline(context.Background(), next, func(it item) (int, error) { return it.no, nil }, func(out []int, pos int64) error {
		for _, v := range out {
			if v != want {
				t.Fatalf("got %d, want %d", v, want)
			}
			want++
		}
		return nil
	})
	if err != nil || want != n+1 {
		t.Fatalf("err %v, got %d of %d", err, want-1, n)
	}
}
