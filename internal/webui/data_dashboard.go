package webui

import (
	"fmt"
	"strconv"
	"time"

	roster "github.com/rosterhq/roster"
)

// dashboardData is the team dashboard.
type dashboardData struct {
	Members roster.MemberCounts
	// Provisioning is nil for a Developer (the API leaves it out).
	Provisioning *roster.ProvisioningStats
	Hourly       chart
	Daily        chart
	Keys         []keySyncRow
	SCIMEnabled  bool
}

// keySyncRow is a SCIM key and its last successful request.
type keySyncRow struct {
	ID, Name, Status string
	// LastSuccessAt is nil when the key never succeeded.
	LastSuccessAt *time.Time
	LastRequest   string
}

// chart is a server-rendered SVG bar chart of requests and failures: a
// bar per bucket, the failures drawn over the bottom of the requests bar.
// Rows is the same data for the visually-hidden table.
type chart struct {
	ID, Title, Desc string
	Width, Height   int
	// Base is the y of the x axis; Max the value of the top gridline.
	Base, Max int
	Bars      []chartBar
	Labels    []chartLabel
	Rows      []chartRow
	Total     int
	Failures  int
}

// chartBar is one bucket's bars (coordinates in SVG user units).
type chartBar struct {
	X, W         string
	ReqY, ReqH   string
	FailY, FailH string
	Title        string
}

// chartLabel is an x-axis label.
type chartLabel struct {
	X, Text string
}

// chartRow is one bucket in the hidden table.
type chartRow struct {
	Label              string
	Requests, Failures int
}

// Chart geometry.
const (
	chartW      = 720
	chartH      = 180
	chartTop    = 12
	chartBottom = 24 // room for the labels
	chartLeft   = 36 // room for the scale
)

// fmtf formats an SVG coordinate.
func fmtf(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
func niceMax(n int) int {
	if n <= 0 {
		return 1
	}
	p := 1
	for {
		for _, m := range []int{1, 2, 5} {
			if m*p >= n {
				return m * p
			}
		}
		p *= 10
	}
}

// newChart lays out buckets; label names a bucket, every labelEvery-th
// bucket gets an axis label.
func newChart(id, title string, bs []roster.TrafficBucket, label func(time.Time) string, labelEvery int) chart {
	c := chart{ID: id, Title: title, Width: chartW, Height: chartH, Base: chartH - chartBottom}
	peak := 0
	for _, b := range bs {
		peak = max(peak, b.Requests)
		c.Total += b.Requests
		c.Failures += b.Failures
	}
	c.Max = niceMax(peak)
	c.Desc = fmt.Sprintf("%d requests, %d failed, over %d buckets; the busiest bucket had %d.", c.Total, c.Failures, len(bs), peak)
	if len(bs) == 0 {
		return c
	}
	plotW := float64(chartW - chartLeft)
	plotH := float64(c.Base - chartTop)
	slot := plotW / float64(len(bs))
	w := slot * 0.7
	for i, b := range bs {
		x := float64(chartLeft) + float64(i)*slot + (slot-w)/2
		rh := plotH * float64(b.Requests) / float64(c.Max)
		fh := plotH * float64(b.Failures) / float64(c.Max)
		name := label(b.Start)
		c.Bars = append(c.Bars, chartBar{
			X: fmtf(x), W: fmtf(w),
			ReqY: fmtf(float64(c.Base) - rh), ReqH: fmtf(rh),
			FailY: fmtf(float64(c.Base) - fh), FailH: fmtf(fh),
			Title: fmt.Sprintf("%s: %d requests, %d failed", name, b.Requests, b.Failures),
		})
		c.Rows = append(c.Rows, chartRow{Label: name, Requests: b.Requests, Failures: b.Failures})
		if i%labelEvery == 0 || i == len(bs)-1 {
			c.Labels = append(c.Labels, chartLabel{X: fmtf(x + w/2), Text: name})
		}
	}
	return c
}

func (u *UI) dashboard(p *page) error {
	st, err := p.API.Stats(p.ctx(), p.Team.Slug)
	if err != nil {
		return err
	}
	d := dashboardData{Members: st.Members, Provisioning: st.Provisioning, SCIMEnabled: p.Team.SCIMEnabled}
	if ps := st.Provisioning; ps != nil {
		d.Hourly = newChart("chart-24h", "SCIM requests per hour, last 24 hours (UTC)", ps.Hourly,
			func(t time.Time) string { return t.UTC().Format("15:04") }, 3)
		d.Daily = newChart("chart-30d", "SCIM requests per day, last 30 days (UTC)", ps.Daily,
			func(t time.Time) string { return t.UTC().Format("Jan 2") }, 5)
		for _, k := range ps.Keys {
			r := keySyncRow{ID: k.Key.ID, Name: k.Key.Name, Status: k.Key.Status}
			if k.LastSuccessAt != nil {
				r.LastSuccessAt = k.LastSuccessAt
				r.LastRequest = k.LastSuccessMethod + " " + k.LastSuccessPath
			}
			d.Keys = append(d.Keys, r)
		}
	}
	return p.render("data_dashboard", "Dashboard", "dashboard", d)
}
