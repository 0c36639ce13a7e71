//go:build pprof

package main

// A measuring build only: `go build -tags pprof ./cmd/roster` serves
// net/http/pprof on $ROSTER_PPROF (for example 127.0.0.1:16060) so
// docs/perf/ab.sh can take a CPU profile of a running server. Release
// builds never contain this file.

import (
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof on http.DefaultServeMux
	"os"
	"time"
)

func init() {
	addr := os.Getenv("ROSTER_PPROF")
	if addr == "" {
		return
	}
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.ListenAndServe() }()
}
