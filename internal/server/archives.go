package server

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/board"
	"github.com/tribune-go/tribune/internal/i18n"
)

// The archives' index: a channel's days with messages, by month, and its
// activity drawn as inline SVG by the server (no script, no image file):
// messages per day over the last chartDays days and per hour of the day.

// chartDays is how many days the daily chart covers.
const chartDays = 182

type archivesData struct {
	Board     string
	Total     int
	Year      int           // the year whose days are listed
	Years     []archiveYear // every year with messages, newest first
	Months    []archiveMonth
	DayChart  template.HTML
	HourChart template.HTML
	Hours     []hourCount // the hour chart's text alternative
	HoursFrom string      // the first day the hours count
}

// archiveYear is a year of the archives' index: its days are listed on a
// page of their own (?year=YYYY), so that a tribune's ten years of days
// are not one page.
type archiveYear struct {
	Year  int
	Total int
}

type archiveMonth struct {
	Label string
	Total int
	Days  []archiveDay
}

type archiveDay struct {
	Date  string // YYYY-MM-DD
	Label string
	N     int
}

type hourCount struct {
	Hour int
	N    int
}

// showArchives serves archives/.
func (s *Server) showArchives(w http.ResponseWriter, r *http.Request) error {
	c := visitOf(r).channel
	act, err := s.board.Activity(r.Context(), c.ID)
	if err != nil {
		return err
	}
	lang := langOf(r)
	p, err := s.newPage(r, "archives", i18n.T(lang, "history.archives_title", c.Title))
	if err != nil {
		return err
	}
	d := &archivesData{Board: s.channelPath(c), HoursFrom: longDate(lang, dayTime(act.Since))}
	for _, dc := range act.Days {
		d.Total += dc.N
		if y := dc.Day / 10000; len(d.Years) == 0 || d.Years[len(d.Years)-1].Year != y {
			d.Years = append(d.Years, archiveYear{Year: y})
		}
		d.Years[len(d.Years)-1].Total += dc.N
	}
	if len(d.Years) > 0 {
		d.Year = d.Years[0].Year
	}
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil {
		d.Year = y // a year without messages lists no day
	}
	for _, dc := range act.Days {
		if dc.Day/10000 != d.Year {
			continue
		}
		month := i18n.T(lang, "history.month."+strconv.Itoa(dc.Day/100%100)) + " " + strconv.Itoa(dc.Day/10000)
		if len(d.Months) == 0 || d.Months[len(d.Months)-1].Label != month {
			d.Months = append(d.Months, archiveMonth{Label: month})
		}
		m := &d.Months[len(d.Months)-1]
		m.Total += dc.N
		m.Days = append(m.Days, archiveDay{Date: dayString(dc.Day), Label: longDate(lang, dayTime(dc.Day)), N: dc.N})
	}
	for h, n := range act.Hours {
		d.Hours = append(d.Hours, hourCount{h, n})
	}
	today := time.Now().In(s.cfg.Location)
	d.DayChart = dayChart(lang, act.Days, today)
	d.HourChart = hourChart(lang, act.Hours, d.HoursFrom)
	p.Data = d
	return s.render(w, r, http.StatusOK, p)
}

// dayTime is a YYYYMMDD day as a time (noon UTC: only its date counts).
func dayTime(d int) time.Time {
	return time.Date(d/10000, time.Month(d/100%100), d%100, 12, 0, 0, 0, time.UTC)
}

// The charts' geometry, in SVG user units (the SVG scales to its box).
const (
	chartHeight = 120
	chartTop    = 8
	chartBottom = 20 // room for the axis labels
)

// dayChart draws the messages per day of the chartDays days up to today,
// with a label at each month's first day.
func dayChart(lang i18n.Lang, days []board.DayCount, today time.Time) template.HTML {
	counts := map[int]int{}
	for _, dc := range days {
		counts[dc.Day] = dc.N
	}
	start := time.Date(today.Year(), today.Month(), today.Day(), 12, 0, 0, 0, time.UTC).AddDate(0, 0, -chartDays+1)
	const barW = 4
	width := chartDays * barW
	peak, peakDay, total := 0, 0, 0
	for i := range chartDays {
		d := board.DayOf(start.AddDate(0, 0, i))
		total += counts[d]
		if counts[d] > peak {
			peak, peakDay = counts[d], d
		}
	}
	var b strings.Builder
	desc := i18n.T(lang, "history.chart_days_desc", total, chartDays)
	if peak > 0 {
		desc += " " + i18n.T(lang, "history.chart_peak", longDate(lang, dayTime(peakDay)), peak)
	}
	openChart(&b, "chart-days", width, i18n.T(lang, "history.chart_days"), desc)
	plot := chartHeight - chartTop - chartBottom
	for i := range chartDays {
		t := start.AddDate(0, 0, i)
		d := board.DayOf(t)
		n := counts[d]
		x := i * barW
		if t.Day() == 1 {
			fmt.Fprintf(&b, `<line class="tick" x1="%d" x2="%d" y1="%d" y2="%d"/>`, x, x, chartTop, chartHeight-chartBottom+4)
			fmt.Fprintf(&b, `<text class="axis" x="%d" y="%d">%s</text>`, x+2, chartHeight-4,
				template.HTMLEscapeString(i18n.T(lang, "history.month_short."+strconv.Itoa(int(t.Month())))))
		}
		if n == 0 {
			continue
		}
		h := max(1, n*plot/max(peak, 1))
		fmt.Fprintf(&b, `<a href="%s/"><rect class="bar" x="%d" y="%d" width="%d" height="%d"><title>%s</title></rect></a>`,
			dayString(d), x, chartTop+plot-h, barW-1, h,
			template.HTMLEscapeString(i18n.T(lang, "history.chart_bar", longDate(lang, t), n)))
	}
	fmt.Fprintf(&b, `<line class="baseline" x1="0" x2="%d" y1="%d" y2="%d"/>`, width, chartTop+plot, chartTop+plot)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// hourChart draws the messages per hour of the day.
func hourChart(lang i18n.Lang, hours [24]int, from string) template.HTML {
	const barW = 20
	width := 24 * barW
	peak, peakHour, total := 0, 0, 0
	for h, n := range hours {
		total += n
		if n > peak {
			peak, peakHour = n, h
		}
	}
	var b strings.Builder
	desc := i18n.T(lang, "history.chart_hours_desc", total, from)
	if peak > 0 {
		desc += " " + i18n.T(lang, "history.chart_peak_hour", peakHour, peak)
	}
	openChart(&b, "chart-hours", width, i18n.T(lang, "history.chart_hours"), desc)
	plot := chartHeight - chartTop - chartBottom
	for h, n := range hours {
		x := h * barW
		if h%3 == 0 {
			fmt.Fprintf(&b, `<text class="axis" x="%d" y="%d">%02d</text>`, x+2, chartHeight-4, h)
		}
		if n == 0 {
			continue
		}
		ht := max(1, n*plot/max(peak, 1))
		fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%d" height="%d"><title>%s</title></rect>`,
			x+2, chartTop+plot-ht, barW-4, ht, template.HTMLEscapeString(i18n.T(lang, "history.chart_hour_bar", h, n)))
	}
	fmt.Fprintf(&b, `<line class="baseline" x1="0" x2="%d" y1="%d" y2="%d"/>`, width, chartTop+plot, chartTop+plot)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// openChart starts an accessible SVG: an image named by its title and
// described by its desc, drawn in the page's colours (CSS classes only:
// the pages' CSP refuses inline styles).
func openChart(b *strings.Builder, id string, width int, title, desc string) {
	fmt.Fprintf(b, `<svg class="chart" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc">`,
		id, width, chartHeight, id, id)
	fmt.Fprintf(b, `<title id="%s-title">%s</title><desc id="%s-desc">%s</desc>`, id, template.HTMLEscapeString(title),
		id, template.HTMLEscapeString(desc))
}
