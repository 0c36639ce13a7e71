// Package loadgen drives a SCIM 2.0 server the way identity providers do
// (Okta-style imports, lookups, updates, group pushes, full list walks and
// a mixed load) and measures throughput and latency percentiles, counting
// every unexpected status and every wrong answer as an error. It also
// runs a fixed-answer HTTP server (the ceiling) in the same process so a
// run can report each figure as a fraction of what the machine can serve.
//
// It talks HTTP only; it never imports the store or the SCIM engine, so it
// can measure any SCIM server. Loops are bounded by a request count and a
// duration.
package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Scenarios lists the scenario names Run accepts, in the order "all" runs
// them.
var Scenarios = []string{"import", "lookup", "update", "groups", "list", "mixed"}

// Config is one load-generator run.
type Config struct {
	// Base is the server's SCIM base URL, e.g. http://127.0.0.1:8080/scim/v2.
	Base string
	// Token is the bearer API key.
	Token string
	// Scenarios are the scenarios to run, in order.
	Scenarios []string
	// Concurrency is the number of concurrent clients (default 16).
	Concurrency int
	// Users is the number of users the database holds under the seed's
	// naming (UserName), used by lookup/update/mixed; import creates this
	// many new users when it runs first... see Import.
	Users int
	// Import is the number of users the import scenario creates (default
	// 2000); its userNames are unique to the run.
	Import int
	// Duration bounds each timed scenario (default 10s).
	Duration time.Duration
	// Requests bounds each timed scenario's operations (0: no bound but
	// Duration).
	Requests int
	// Ceiling, when set, measures the fixed-answer server in the same run
	// for CeilingDuration (default min(Duration, 10s)).
	Ceiling         bool
	CeilingDuration time.Duration
	// CeilingURL measures an external fixed-answer server instead of the
	// in-process one.
	CeilingURL string
	// Progress receives a progress bar, or nil for none.
	Progress io.Writer
	// Client is the HTTP client (default: one tuned for loopback).
	Client *http.Client
	// Label names the system under test in the report ("sqlite",
	// "postgres"), for plots.
	Label string
	// BigGroup is the displayName of the large seeded group that the
	// groups scenario times single-member PATCHes on (default
	// "seed-big"); skipped when absent.
	BigGroup string
}

// Stats are one operation's figures.
type Stats struct {
	// Scenario and Op name the operation ("lookup", "filter").
	Scenario string `json:"scenario"`
	Op       string `json:"op"`
	// Count operations were timed; Errors of them failed (unexpected
	// status, transport error or wrong answer); Wrong counts the wrong
	// answers among Errors.
	Count  int `json:"count"`
	Errors int `json:"errors"`
	Wrong  int `json:"wrong_answers"`
	// Seconds is the wall time of the phase that ran the operation.
	Seconds float64 `json:"seconds"`
	// PerSec is Count / Seconds (operations per second); Requests is the
	// HTTP requests the operations made and ReqPerSec their rate.
	PerSec    float64 `json:"per_sec"`
	Requests  int     `json:"requests"`
	ReqPerSec float64 `json:"req_per_sec"`
	// CeilingRatio is ReqPerSec over the same run's ceiling (0 without).
	CeilingRatio float64 `json:"ceiling_ratio,omitempty"`
	// Latency percentiles and mean of one operation, in milliseconds.
	P50  float64 `json:"p50_ms"`
	P95  float64 `json:"p95_ms"`
	P99  float64 `json:"p99_ms"`
	Mean float64 `json:"mean_ms"`
	// Note explains derived figures.
	Note string `json:"note,omitempty"`
	// Value is a derived figure (a ratio) when the op is one.
	Value float64 `json:"value,omitempty"`
	// FirstErrors keeps a few error messages.
	FirstErrors []string `json:"first_errors,omitempty"`
}

// Report is the result of Run.
type Report struct {
	Label       string    `json:"label,omitempty"`
	Started     time.Time `json:"started"`
	Base        string    `json:"base"`
	Concurrency int       `json:"concurrency"`
	Users       int       `json:"users"`
	Machine     Machine   `json:"machine"`
	// Ceiling is the fixed-answer server's figure of the run.
	Ceiling *Stats  `json:"ceiling,omitempty"`
	Results []Stats `json:"results"`
}

// Machine describes where the run happened.
type Machine struct {
	CPUs      int    `json:"cpus"`
	GoVersion string `json:"go"`
	LoadStart string `json:"loadavg_start"`
	LoadEnd   string `json:"loadavg_end"`
	MemTotal  string `json:"mem_total,omitempty"`
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(r)
}

// WriteTable writes r as a text table.
func (r *Report) WriteTable(w io.Writer) {
	fmt.Fprintf(w, "base %s  C=%d  users=%d  cpus=%d  load %s -> %s\n", r.Base, r.Concurrency, r.Users, r.Machine.CPUs, r.Machine.LoadStart, r.Machine.LoadEnd)
	fmt.Fprintf(w, "%-8s %-22s %8s %6s %10s %10s %7s %8s %8s %8s\n", "scenario", "op", "count", "errors", "ops/s", "req/s", "ceil", "p50ms", "p95ms", "p99ms")
	row := func(s Stats) {
		ratio := "-"
		if s.CeilingRatio > 0 {
			ratio = fmt.Sprintf("%.0f%%", 100*s.CeilingRatio)
		}
		if s.Value != 0 {
			fmt.Fprintf(w, "%-8s %-22s %8s %6s %10.3f  %s\n", s.Scenario, s.Op, "", "", s.Value, s.Note)
			return
		}
		if s.P50 == 0 && s.P99 == 0 { // a total row: throughput only
			fmt.Fprintf(w, "%-8s %-22s %8d %6d %10.1f %10.1f %7s\n", s.Scenario, s.Op, s.Count, s.Errors, s.PerSec, s.ReqPerSec, ratio)
			return
		}
		fmt.Fprintf(w, "%-8s %-22s %8d %6d %10.1f %10.1f %7s %8.2f %8.2f %8.2f\n",
			s.Scenario, s.Op, s.Count, s.Errors, s.PerSec, s.ReqPerSec, ratio, s.P50, s.P95, s.P99)
	}
	if r.Ceiling != nil {
		row(*r.Ceiling)
	}
	for _, s := range r.Results {
		row(s)
	}
	for _, s := range r.Results {
		for _, e := range s.FirstErrors {
			fmt.Fprintf(w, "  %s/%s error: %s\n", s.Scenario, s.Op, e)
		}
	}
}

// Run runs the configured scenarios (and the ceiling first, when asked)
// and returns the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Import <= 0 {
		cfg.Import = 2000
	}
	if cfg.BigGroup == "" {
		cfg.BigGroup = "seed-big"
	}
	if cfg.Client == nil {
		cfg.Client = NewClient(cfg.Concurrency)
	}
	cfg.Base = strings.TrimRight(cfg.Base, "/")
	r := &Report{Label: cfg.Label, Started: time.Now().UTC(), Base: cfg.Base, Concurrency: cfg.Concurrency, Users: cfg.Users,
		Machine: Machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), LoadStart: loadavg(), MemTotal: memTotal()}}
	if cfg.Ceiling || cfg.CeilingURL != "" {
		c, err := runCeiling(ctx, cfg)
		if err != nil {
			return nil, err
		}
		r.Ceiling = c
	}
	g := &gen{cfg: cfg, c: cfg.Client}
	for _, name := range cfg.Scenarios {
		fn, ok := scenarioFuncs[name]
		if !ok {
			return nil, fmt.Errorf("loadgen: unknown scenario %q (want one of %s)", name, strings.Join(Scenarios, ", "))
		}
		st, err := fn(ctx, g)
		if err != nil {
			return nil, fmt.Errorf("loadgen: %s: %w", name, err)
		}
		for i := range st {
			st[i].Scenario = name
			if r.Ceiling != nil && r.Ceiling.ReqPerSec > 0 && st[i].ReqPerSec > 0 {
				st[i].CeilingRatio = st[i].ReqPerSec / r.Ceiling.ReqPerSec
			}
		}
		r.Results = append(r.Results, st...)
		if err := ctx.Err(); err != nil {
			return r, err
		}
	}
	r.Machine.LoadEnd = loadavg()
	return r, nil
}

// NewClient returns an HTTP client that keeps conc connections alive.
func NewClient(conc int) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = conc * 2
	t.MaxIdleConnsPerHost = conc * 2
	t.MaxConnsPerHost = 0
	t.DisableCompression = true
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}

// recorder collects latencies and errors of named operations from many
// goroutines.
type recorder struct {
	mu    sync.Mutex
	ops   map[string]*opRec
	order []string
}

type opRec struct {
	lat      []time.Duration
	errors   int
	wrong    int
	requests int
	first    []string
}

func newRecorder() *recorder { return &recorder{ops: map[string]*opRec{}} }

func (r *recorder) op(name string) *opRec {
	o, ok := r.ops[name]
	if !ok {
		o = &opRec{}
		r.ops[name] = o
		r.order = append(r.order, name)
	}
	return o
}

// add records one operation of name that made reqs HTTP requests.
func (r *recorder) add(name string, d time.Duration, reqs int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o := r.op(name)
	o.lat = append(o.lat, d)
	o.requests += reqs
	if err != nil {
		o.errors++
		var w wrongAnswer
		if asWrong(err, &w) {
			o.wrong++
		}
		if len(o.first) < 3 {
			o.first = append(o.first, err.Error())
		}
	}
}

// stats turns the records into Stats over a phase of the given length.
func (r *recorder) stats(elapsed time.Duration) []Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Stats
	for _, name := range r.order {
		o := r.ops[name]
		out = append(out, summarize(name, o, elapsed))
	}
	return out
}

func summarize(name string, o *opRec, elapsed time.Duration) Stats {
	s := Stats{Op: name, Count: len(o.lat), Errors: o.errors, Wrong: o.wrong, Requests: o.requests,
		Seconds: elapsed.Seconds(), FirstErrors: o.first}
	if elapsed > 0 {
		s.PerSec = float64(s.Count) / elapsed.Seconds()
		s.ReqPerSec = float64(s.Requests) / elapsed.Seconds()
	}
	if len(o.lat) == 0 {
		return s
	}
	lat := slices.Clone(o.lat)
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	s.P50, s.P95, s.P99 = ms(percentile(lat, 0.50)), ms(percentile(lat, 0.95)), ms(percentile(lat, 0.99))
	s.Mean = ms(sum / time.Duration(len(lat)))
	return s
}

// percentile returns the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// loop runs op from conc goroutines until n operations ran (n > 0), the
// duration passed or ctx ended, and returns the elapsed time. op gets the
// worker number and the operation's sequence number; a worker stops when
// op returns false.
func loop(ctx context.Context, conc, n int, d time.Duration, progress io.Writer, label string, op func(worker, i int) bool) time.Duration {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	stopBar := startBar(progress, label, start, d, n, &next)
	for w := range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1)) - 1
				if n > 0 && i >= n {
					return
				}
				if !op(w, i) {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopBar()
	return elapsed
}

// startBar draws a progress bar on w every 200ms until the returned stop
// is called; w nil draws nothing.
func startBar(w io.Writer, label string, start time.Time, d time.Duration, n int, done *atomic.Int64) func() {
	if w == nil {
		return func() {}
	}
	stop := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprintf(w, "\r%-60s\r", "")
				return
			case <-t.C:
			}
			frac := float64(time.Since(start)) / float64(d)
			if n > 0 {
				frac = max(frac, float64(done.Load())/float64(n))
			}
			frac = min(frac, 1)
			const width = 30
			full := int(frac * width)
			fmt.Fprintf(w, "\r%-10s [%s%s] %3.0f%% %d ops", label, strings.Repeat("#", full), strings.Repeat(".", width-full), 100*frac, done.Load())
		}
	}()
	return func() { close(stop); <-finished }
}

// IsTerminal reports whether f is a character device (a terminal), so a
// progress bar is drawn only there.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func memTotal() string {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.Join(strings.Fields(strings.TrimPrefix(line, "MemTotal:")), " ")
}
