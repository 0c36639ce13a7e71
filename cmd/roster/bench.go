package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/loadgen"
)

// runBench drives a SCIM server with IdP-shaped load and reports
// throughput and latency beside the machine's fixed-answer ceiling
// measured in the same run (see internal/loadgen and docs/performance.md).
func runBench(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	var cfg loadgen.Config
	fs.StringVar(&cfg.Base, "base", envDefault(getenv, "ROSTER_BENCH_BASE", "http://127.0.0.1:8080/scim/v2"), "SCIM base URL (env ROSTER_BENCH_BASE)")
	fs.StringVar(&cfg.Token, "token", getenv("ROSTER_BENCH_TOKEN"), "SCIM API key (env ROSTER_BENCH_TOKEN)")
	scenarios := fs.String("scenario", "lookup", "comma-separated scenarios, or all: "+strings.Join(loadgen.Scenarios, ", "))
	fs.IntVar(&cfg.Concurrency, "concurrency", 16, "concurrent clients")
	fs.IntVar(&cfg.Users, "users", 0, "users seeded in the team (roster seed), for lookup/update/mixed")
	fs.IntVar(&cfg.Import, "import", 2000, "users the import scenario creates")
	fs.DurationVar(&cfg.Duration, "duration", 10*time.Second, "bound on each timed scenario")
	fs.IntVar(&cfg.Requests, "requests", 0, "bound on each timed scenario's operations (0: only --duration)")
	ceiling := fs.Bool("ceiling", true, "measure the fixed-answer ceiling server in the same run")
	fs.DurationVar(&cfg.CeilingDuration, "ceiling-duration", 0, "how long to measure the ceiling (default min(--duration, 10s))")
	fs.StringVar(&cfg.CeilingURL, "ceiling-url", "", "measure an external fixed-answer server (roster bench --limit-server) instead of an in-process one")
	fs.StringVar(&cfg.BigGroup, "big-group", loadgen.BigGroupName, "displayName of the big seeded group")
	fs.StringVar(&cfg.Label, "label", "", "name of the system under test, stored in the JSON report (e.g. sqlite)")
	limit := fs.String("limit-server", "", "only serve the fixed answer on this address (e.g. 127.0.0.1:9090) until interrupted")
	jsonOut := fs.String("json", "", "write the JSON report to this file")
	cpuprofile := fs.String("cpuprofile", "", "write the load generator's CPU profile to this file")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *limit != "" {
		ln, err := net.Listen("tcp", *limit)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "fixed-answer server on http://%s/scim/v2\n", ln.Addr())
		return loadgen.ServeCeiling(ctx, ln)
	}
	if cfg.Token == "" {
		return usageError{"bench needs --token (a SCIM API key; roster seed --key prints one)"}
	}
	if *scenarios == "all" {
		cfg.Scenarios = loadgen.Scenarios
	} else {
		for _, s := range strings.Split(*scenarios, ",") {
			if s = strings.TrimSpace(s); s != "" {
				cfg.Scenarios = append(cfg.Scenarios, s)
			}
		}
	}
	cfg.Ceiling = *ceiling
	if f, ok := stderr.(*os.File); ok && loadgen.IsTerminal(f) {
		cfg.Progress = stderr
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	rep.WriteTable(stdout)
	if *jsonOut != "" {
		f, err := os.Create(*jsonOut)
		if err != nil {
			return err
		}
		if err := rep.WriteJSON(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	for _, s := range rep.Results {
		if s.Errors > 0 {
			return fmt.Errorf("bench: %s/%s had %d errors (%d wrong answers)", s.Scenario, s.Op, s.Errors, s.Wrong)
		}
	}
	return nil
}
