package main

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/loadgen"
)

// TestSeedThenBench seeds a small database, serves it and runs the load
// generator against it: every answer must be right.
func TestSeedThenBench(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "seed.db")
	key, stderr, err := runCLI(t, "seed", "--db", db, "--team", "load", "--users", "300", "--groups", "3", "--group-members", "5", "--big-group", "200", "--key")
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, stderr)
	}
	key = strings.TrimSpace(key)
	if !strings.HasPrefix(key, "rsk_") || !strings.Contains(stderr, "300 users, 3 groups") {
		t.Fatalf("seed printed %q / %q", key, stderr)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	served := make(chan error, 1)
	out := &syncBuffer{}
	go func() { served <- run(ctx, []string{"serve", "--db", db, "--addr", addr}, noEnv, out, out) }()
	waitHTTP(t, "http://"+addr+"/healthz")

	report := filepath.Join(dir, "bench.json")
	stdout, stderr, err := runCLI(t, "bench", "--base", "http://"+addr+"/scim/v2", "--token", key, "--scenario", "lookup,list,mixed",
		"--users", "300", "--requests", "100", "--duration", "20s", "--concurrency", "4", "--ceiling-duration", "200ms", "--json", report, "--label", "test")
	if err != nil {
		t.Fatalf("bench: %v\n%s\n%s", err, stdout, stderr)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var r loadgen.Report
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Label != "test" || r.Ceiling == nil || r.Ceiling.Count == 0 {
		t.Fatalf("report: %+v", r)
	}
	walked := false
	for _, s := range r.Results {
		if s.Errors != 0 {
			t.Errorf("%s/%s: %d errors: %v", s.Scenario, s.Op, s.Errors, s.FirstErrors)
		}
		if s.Scenario == "list" && s.Op == "page (count=100)" {
			walked = s.Count == 3 // 300 seeded users in pages of 100
		}
	}
	if !walked {
		t.Errorf("list did not walk 3 pages: %+v", r.Results)
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestBenchFailsOnWrongAnswers: the fixed-answer server is not a SCIM
// server, so a lookup against it must fail with wrong answers.
func TestBenchFailsOnWrongAnswers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go loadgen.ServeCeiling(ctx, ln) //nolint:errcheck // stopped by cancel
	_, _, err = runCLI(t, "bench", "--base", "http://"+ln.Addr().String()+"/scim/v2", "--token", "x", "--scenario", "lookup",
		"--users", "1000", "--requests", "20", "--ceiling=false")
	if err == nil || !strings.Contains(err.Error(), "wrong answers") {
		t.Fatalf("bench against a fixed answer: %v, want a wrong-answer failure", err)
	}
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	for range 100 {
		resp, err := http.Get(url) //nolint:gosec,noctx // a loopback test URL
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}
