// Command roster runs the Roster server and does every admin task from the
// command line: serve, migrate, team, scim and key.
//
// main only calls run; configuration and wiring live in this package and
// nowhere else.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // -h printed the usage; asking for help is not a failure
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "roster:", err)
		os.Exit(exitCode(err))
	}
}
