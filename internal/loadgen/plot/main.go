// Command plot draws, from `roster bench --json` reports, the lookup
// latency and the list page time against the number of users, one line
// per system under test (the report's label), as an SVG file:
//
//	go run ./internal/loadgen/plot -o docs/img/scaling.svg docs/perf/*.json
//
// It uses the standard library only.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/rosterhq/roster/internal/loadgen"
)

func main() {
	out := flag.String("o", "scaling.svg", "output SVG file")
	flag.Parse()
	if err := run(*out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "plot:", err)
		os.Exit(1)
	}
}

// point is one figure of one system at one user count.
type point struct {
	users int
	value float64
}

// series are the lines of one panel, by label.
type series map[string][]point

func run(out string, files []string) error {
	if len(files) == 0 {
		return fmt.Errorf("no JSON reports given")
	}
	panels := []struct {
		title, op, scenario string
		pick                func(loadgen.Stats) float64
		data                series
	}{
		{title: "lookup: filter userName eq, p50 (ms)", scenario: "lookup", op: "filter userName eq", pick: func(s loadgen.Stats) float64 { return s.P50 }},
		{title: "lookup: GET /Users/{id}, p50 (ms)", scenario: "lookup", op: "GET /Users/{id}", pick: func(s loadgen.Stats) float64 { return s.P50 }},
		{title: "list: page time (count=100), p50 (ms)", scenario: "list", op: "page (count=100)", pick: func(s loadgen.Stats) float64 { return s.P50 }},
		{title: "list: last 10% / first 10% page time", scenario: "list", op: "ratio last/first 10%", pick: func(s loadgen.Stats) float64 { return s.Value }},
	}
	for i := range panels {
		panels[i].data = series{}
	}
	for _, f := range files {
		b, err := os.ReadFile(f) //nolint:gosec // the files named on the command line
		if err != nil {
			return err
		}
		var r loadgen.Report
		if err := json.Unmarshal(b, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		label := r.Label
		if label == "" {
			label = "unlabelled"
		}
		for i, p := range panels {
			for _, s := range r.Results {
				if s.Scenario == p.scenario && s.Op == p.op {
					panels[i].data[label] = append(panels[i].data[label], point{r.Users, p.pick(s)})
				}
			}
		}
	}
	w, err := os.Create(out) //nolint:gosec // the output file named on the command line
	if err != nil {
		return err
	}
	const pw, ph = 440, 260
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`+"\n", 2*pw, 2*ph)
	fmt.Fprintf(w, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	for i, p := range panels {
		drawPanel(w, float64(i%2*pw), float64(i/2*ph), pw, ph, p.title, p.data)
	}
	fmt.Fprintln(w, "</svg>")
	return w.Close()
}

var colors = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd"}

// drawPanel draws one chart: x is the user count on a log scale, y starts
// at zero so that a flat line looks flat.
func drawPanel(w io.Writer, x0, y0 float64, pw, ph int, title string, data series) {
	const left, right, top, bottom = 50.0, 15.0, 25.0, 35.0
	W, H := float64(pw)-left-right, float64(ph)-top-bottom
	fmt.Fprintf(w, `<text x="%.0f" y="%.0f" font-weight="bold">%s</text>`+"\n", x0+left, y0+15, esc(title))
	labels := make([]string, 0, len(data))
	minU, maxU, maxV := math.Inf(1), math.Inf(-1), 0.0
	for l, pts := range data {
		labels = append(labels, l)
		sort.Slice(pts, func(i, j int) bool { return pts[i].users < pts[j].users })
		for _, p := range pts {
			minU, maxU = math.Min(minU, float64(p.users)), math.Max(maxU, float64(p.users))
			maxV = math.Max(maxV, p.value)
		}
	}
	sort.Strings(labels)
	if len(labels) == 0 {
		fmt.Fprintf(w, `<text x="%.0f" y="%.0f">no data</text>`+"\n", x0+left+10, y0+top+20)
		return
	}
	if minU == maxU {
		minU, maxU = minU/10, maxU*10
	}
	lx0, lx1 := math.Log10(minU), math.Log10(maxU)
	pad := (lx1 - lx0) * 0.08
	lx0, lx1 = lx0-pad, lx1+pad
	maxV = niceCeil(maxV * 1.15)
	px := func(u float64) float64 { return x0 + left + (math.Log10(u)-lx0)/(lx1-lx0)*W }
	py := func(v float64) float64 { return y0 + top + H - v/maxV*H }
	fmt.Fprintf(w, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#999"/>`+"\n", x0+left, y0+top, W, H)
	for i := 0; i <= 4; i++ {
		v := maxV * float64(i) / 4
		fmt.Fprintf(w, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n",
			x0+left, x0+left+W, py(v), py(v), x0+left-4, py(v)+4, trim(v))
	}
	for e := math.Ceil(lx0); e <= lx1; e++ {
		u := math.Pow(10, e)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`+"\n", px(u), y0+top+H+14, users(u))
	}
	fmt.Fprintf(w, `<text x="%.1f" y="%.1f" text-anchor="middle">users (log scale)</text>`+"\n", x0+left+W/2, y0+top+H+28)
	for i, l := range labels {
		c := colors[i%len(colors)]
		var pts []string
		for _, p := range data[l] {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(float64(p.users)), py(p.value)))
			fmt.Fprintf(w, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`+"\n", px(float64(p.users)), py(p.value), c)
		}
		fmt.Fprintf(w, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), c)
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" fill="%s">%s</text>`+"\n", x0+left+8, y0+top+14+float64(i)*13, c, esc(l))
	}
}

func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func trim(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

func users(u float64) string {
	switch {
	case u >= 1e6:
		return trim(u/1e6) + "M"
	case u >= 1e3:
		return trim(u/1e3) + "k"
	}
	return trim(u)
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
