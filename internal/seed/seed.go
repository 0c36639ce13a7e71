// Package seed loads a large synthetic directory (users, groups and one
// big group) into a database through the store.Store interface, in large
// transactions, so that load tests at a million users start in seconds
// instead of hours of HTTP imports.
//
// Users are named loadgen.UserName(i) so the load generator can look them
// up without listing them. It imports the store contract, core and
// loadgen's naming only; never net/http or a backend.
package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/loadgen"
	"github.com/rosterhq/roster/internal/store"
)

// Config says what to load.
type Config struct {
	// TeamID is the team the users and groups belong to.
	TeamID string
	// Start is the index of the first user (to extend an earlier seed);
	// Users users are made, named loadgen.UserName(Start) onwards.
	Start, Users int
	// Groups is the number of groups, including the big one; each group
	// but the big one gets GroupMembers members.
	Groups       int
	GroupMembers int
	// BigGroup is the member count of the big group (named
	// loadgen.BigGroupName), the first BigGroup users; 0 makes none.
	BigGroup int
	// Batch is the number of users per transaction (default 5000).
	Batch int
	// NewID and Now default to UUIDv7 and time.Now.
	NewID core.IDGen
	Now   core.Clock
	// Progress, if set, is called after each transaction with the work
	// done and the total (rows).
	Progress func(done, total int)
}

// Result counts what Run loaded.
type Result struct {
	Users       int
	Groups      int
	Memberships int
	Elapsed     time.Duration
}

// Run loads cfg's users, then groups, then big-group memberships. The
// users' indexes Start..Start+Users-1 must be free in the team.
func Run(ctx context.Context, st store.Store, cfg Config) (Result, error) {
	if cfg.TeamID == "" {
		return Result{}, errors.New("seed: no team")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 5000
	}
	if cfg.NewID == nil {
		cfg.NewID = core.NewIDGen(nil, nil)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BigGroup > cfg.Start+cfg.Users {
		cfg.BigGroup = cfg.Start + cfg.Users
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	var res Result
	total := cfg.Users + cfg.BigGroup + cfg.Groups*(1+cfg.GroupMembers)
	done := 0
	progress := func(n int) {
		done += n
		if cfg.Progress != nil {
			cfg.Progress(done, total)
		}
	}

	// Users: each batch is built outside the transaction while the
	// previous one is written.
	batches := make(chan []userRow, 1)
	buildErr := make(chan error, 1)
	go func() {
		defer close(batches)
		for lo := cfg.Start; lo < cfg.Start+cfg.Users; lo += cfg.Batch {
			hi := min(lo+cfg.Batch, cfg.Start+cfg.Users)
			rows := make([]userRow, 0, hi-lo)
			for i := lo; i < hi; i++ {
				rows = append(rows, newUser(cfg, i))
			}
			select {
			case batches <- rows:
			case <-ctx.Done():
				buildErr <- ctx.Err()
				return
			}
		}
	}()
	ids := make([]string, 0, cfg.Users)
	for rows := range batches {
		err := st.InTx(ctx, func(tx store.Tx) error {
			for _, r := range rows {
				if err := tx.CreateAccount(ctx, r.a); err != nil {
					return fmt.Errorf("seed: account %s: %w", r.a.Email, err)
				}
				if err := tx.CreateMember(ctx, r.m); err != nil {
					return fmt.Errorf("seed: member %s: %w", r.m.UserName, err)
				}
			}
			return nil
		})
		if err != nil {
			cancel()
			drain(batches)
			return res, err
		}
		for _, r := range rows {
			ids = append(ids, r.m.ID)
		}
		res.Users += len(rows)
		progress(len(rows))
	}
	select {
	case err := <-buildErr:
		return res, err
	default:
	}

	// Groups, the big one first.
	var bigID string
	if cfg.Groups > 0 || cfg.BigGroup > 0 {
		err := st.InTx(ctx, func(tx store.Tx) error {
			for g := 0; g < cfg.Groups; g++ {
				name := fmt.Sprintf("seed-group-%04d", g)
				if g == 0 && cfg.BigGroup > 0 {
					name = loadgen.BigGroupName
				}
				now := cfg.Now().UTC()
				grp := core.Group{ID: cfg.NewID(), TeamID: cfg.TeamID, DisplayName: name, Version: 1, CreatedAt: now, UpdatedAt: now,
					Doc: map[string]any{"displayName": name}}
				if err := tx.CreateGroup(ctx, grp); err != nil {
					return fmt.Errorf("seed: group %s: %w", name, err)
				}
				if g == 0 && cfg.BigGroup > 0 {
					bigID = grp.ID
					continue
				}
				if n := min(cfg.GroupMembers, len(ids)); n > 0 {
					ms := make([]core.GroupMember, 0, n)
					for k := range n {
						ms = append(ms, core.GroupMember{Value: ids[(g*n+k)%len(ids)], Type: "User"})
					}
					added, missing, err := tx.AddGroupMembers(ctx, cfg.TeamID, grp.ID, ms)
					if err != nil {
						return err
					}
					if len(missing) > 0 {
						return fmt.Errorf("seed: %d unknown members", len(missing))
					}
					res.Memberships += len(added)
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Groups = cfg.Groups
		progress(cfg.Groups * (1 + cfg.GroupMembers))
	}
	if cfg.BigGroup > 0 && bigID == "" {
		// No groups asked for but a big group: make it alone.
		now := cfg.Now().UTC()
		grp := core.Group{ID: cfg.NewID(), TeamID: cfg.TeamID, DisplayName: loadgen.BigGroupName, Version: 1, CreatedAt: now, UpdatedAt: now,
			Doc: map[string]any{"displayName": loadgen.BigGroupName}}
		if err := st.InTx(ctx, func(tx store.Tx) error { return tx.CreateGroup(ctx, grp) }); err != nil {
			return res, err
		}
		bigID = grp.ID
		res.Groups++
	}
	for lo := 0; lo < min(cfg.BigGroup, len(ids)); lo += cfg.Batch * 2 {
		hi := min(lo+cfg.Batch*2, cfg.BigGroup, len(ids))
		ms := make([]core.GroupMember, 0, hi-lo)
		for _, id := range ids[lo:hi] {
			ms = append(ms, core.GroupMember{Value: id, Type: "User"})
		}
		err := st.InTx(ctx, func(tx store.Tx) error {
			added, missing, err := tx.AddGroupMembers(ctx, cfg.TeamID, bigID, ms)
			if err != nil {
				return err
			}
			if len(missing) > 0 {
				return fmt.Errorf("seed: %d unknown members", len(missing))
			}
			res.Memberships += len(added)
			return nil
		})
		if err != nil {
			return res, err
		}
		progress(hi - lo)
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// userRow is one seeded user: its account and its membership.
type userRow struct {
	a core.Account
	m core.Member
}

// newUser builds the i-th user as a SCIM create would store it.
func newUser(cfg Config, i int) userRow {
	name := loadgen.UserName(i)
	now := cfg.Now().UTC().Truncate(time.Millisecond)
	given, family := fmt.Sprintf("Seed%d", i), "User"
	a := core.Account{ID: cfg.NewID(), Email: name, DisplayName: given + " " + family, Status: "active", CreatedAt: now, UpdatedAt: now}
	m := core.Member{
		ID: cfg.NewID(), TeamID: cfg.TeamID, AccountID: a.ID, UserName: name, ExternalID: fmt.Sprintf("00useed%07d", i),
		Email: name, Active: true, Status: core.StatusActive, Role: core.RoleDeveloper, SCIMManaged: true, Version: 1,
		CreatedAt: now, UpdatedAt: now,
		Doc: map[string]any{
			"userName":    name,
			"externalId":  fmt.Sprintf("00useed%07d", i),
			"active":      true,
			"displayName": given + " " + family,
			"name":        map[string]any{"givenName": given, "familyName": family},
			"emails":      []any{map[string]any{"value": name, "type": "work", "primary": true}},
		},
	}
	return userRow{a: a, m: m}
}

// drain empties ch so that its producer can finish.
func drain(ch <-chan []userRow) {
	for rows := range ch {
		_ = rows
	}
}
