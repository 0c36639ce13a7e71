package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
)

// feedEvent is one change-feed entry as printed: the same fields as the
// admin API's roster.Event.
type feedEvent struct {
	Cursor     string         `json:"cursor"`
	Seq        int64          `json:"seq"`
	At         time.Time      `json:"at"`
	Type       string         `json:"type"`
	ResourceID string         `json:"resourceId"`
	Data       map[string]any `json:"data,omitempty"`
}

// runEvents is "roster events list": the team's change feed after a
// cursor, one JSON object a line; --follow keeps polling.
func runEvents(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	var after *int64
	var limit *int
	var follow *bool
	var every *time.Duration
	verbs := map[string]teamVerb{
		"list": {
			flags: func(fs *flag.FlagSet) {
				after = fs.Int64("after", 0, "cursor: print events after this one (0 = from the start)")
				limit = fs.Int("limit", 100, "events per read (1-1000)")
				follow = fs.Bool("follow", false, "keep reading new events until interrupted")
				every = fs.Duration("interval", 2*time.Second, "poll interval with --follow")
			},
			run: func(ctx context.Context, a *admin.Service, p core.Principal, t core.Team, stdout, stderr io.Writer) error {
				if *after < 0 {
					return usageError{"events list: --after must not be negative"}
				}
				enc := json.NewEncoder(stdout)
				cur := *after
				for {
					pg, err := a.Changes(ctx, p, t.ID, cur, *limit)
					if err != nil {
						return err
					}
					for _, c := range pg.Changes {
						ev := feedEvent{Cursor: strconv.FormatInt(c.Seq, 10), Seq: c.Seq, At: c.At, Type: c.Type, ResourceID: c.ResourceID, Data: c.Data}
						if err := enc.Encode(ev); err != nil {
							return err
						}
					}
					cur = pg.Next
					if len(pg.Changes) == *limit {
						continue
					}
					if !*follow {
						fmt.Fprintf(stderr, "next cursor: %d\n", cur)
						return nil
					}
					select {
					case <-ctx.Done():
						fmt.Fprintf(stderr, "next cursor: %d\n", cur)
						return nil
					case <-time.After(*every):
					}
				}
			},
		},
	}
	return runTeamVerbs(ctx, "events", verbs, []string{"list"}, args, getenv, stdout, stderr)
}
