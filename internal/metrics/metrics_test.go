package metrics

import (
	"strings"
	"testing"
	"time"
)

// series counts the series of tribune_http_requests_total and sums their
// values by method.
func series(t *testing.T, m *Metrics) (n int, byMethod map[string]float64) {
	t.Helper()
	fams, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	byMethod = map[string]float64{}
	for _, f := range fams {
		if f.GetName() != "tribune_http_requests_total" {
			continue
		}
		for _, s := range f.Metric {
			n++
			for _, l := range s.Label {
				if l.GetName() == "method" {
					byMethod[l.GetValue()] += s.Counter.GetValue()
				}
			}
		}
	}
	return n, byMethod
}

// A nil *Metrics records nothing and does not fail: the server and the
// board run without metrics in tests and tools.
func TestNilRecordsNothing(t *testing.T) {
	var m *Metrics
	m.Request("/", "GET", 200, time.Millisecond, true)
	m.Posted("remote", "published")
	m.Decided("auto", "accepted")
	m.Limited("posts")
	m.Committed(3, time.Millisecond)
	m.Streams(func() int { return 1 }, 2)
}

// Whatever method a client sends, the label takes one of a few values;
// two tribunes' metrics are apart.
func TestBoundedAndApart(t *testing.T) {
	a, b := New(), New()
	for _, method := range []string{"GET", "BREW", "get", strings.Repeat("X", 100)} {
		a.Request("/remote/xml/{$}", method, 200, time.Millisecond, true)
	}
	if n, by := series(t, a); n != 2 || by["GET"] != 1 || by["OTHER"] != 3 {
		t.Errorf("%d request series %v, want GET 1 and OTHER 3", n, by)
	}
	if n, _ := series(t, b); n != 0 {
		t.Errorf("the second tribune counts the first's requests: %d series", n)
	}
}
