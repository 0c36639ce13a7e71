package storetest

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// checkInvariants checks, over every team of the store, the rules that
// must hold whatever happened before, and then checkIsolation; every
// subtest runs it at its end.
//
//   - Members and Groups list exactly the team's rows (TeamID), in strictly
//     increasing id order, with Total equal to the number listed; Member
//     and Group by id return what the list returned.
//   - userNames are unique per team ignoring case; displayNames too.
//   - MemberByAccount finds each member.
//   - GroupMembers streams strictly increasing values, as many as the
//     group's MemberCount, each naming a member (Type "User") or a group
//     (Type "Group") of the same team.
//   - MemberGroups of each member is exactly the groups that list it as a
//     User, ordered by group id, with their current displayNames.
//   - Keys returns only the team's keys of the kind asked for, newest
//     first, and KeyByPrefix finds each.
func checkInvariants(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background() // t.Context is done when cleanups run
	teams, err := e.s.Teams(ctx)
	if err != nil {
		t.Errorf("invariants: Teams: %s", describeErr(err))
		return
	}
	for _, tm := range teams {
		checkTeamInvariants(ctx, t, e.s, tm.ID)
		checkFeedInvariant(ctx, t, e.s, tm.ID)
	}
	checkIsolation(ctx, t, e.s, teams)
}

// checkIsolation checks that no team sees another's members or groups by
// id: for every pair of teams (X, Y), Member and Group with X's id and Y's
// ids are KindNotFound, and MemberGroups and GroupMembers behave as for an
// unknown id. Every subtest runs it at its end, with checkInvariants.
func checkIsolation(ctx context.Context, t *testing.T, r store.Reader, teams []core.Team) {
	t.Helper()
	const unknown = "00000000-0000-7000-8000-000000000000"
	type owned struct{ members, groups []string }
	byTeam := map[string]owned{}
	for _, tm := range teams {
		ms, err := allMembers(ctx, r, tm.ID)
		if err != nil {
			t.Errorf("isolation: Members(%s): %s", tm.ID, describeErr(err))
			return
		}
		gs, err := allGroups(ctx, r, tm.ID)
		if err != nil {
			t.Errorf("isolation: Groups(%s): %s", tm.ID, describeErr(err))
			return
		}
		byTeam[tm.ID] = owned{memberIDs(ms), groupIDs(gs)}
	}
	for _, x := range teams {
		unknownMG, uerr := r.MemberGroups(ctx, x.ID, unknown)
		unknownMGOut := out(unknownMG, uerr)
		var unknownGM []core.GroupMember
		uerr = r.GroupMembers(ctx, x.ID, unknown, func(m core.GroupMember) error { unknownGM = append(unknownGM, m); return nil })
		unknownGMOut := out(unknownGM, uerr)
		for _, y := range teams {
			if x.ID == y.ID {
				continue
			}
			for i, id := range byTeam[y.ID].members {
				if !sampled(i, len(byTeam[y.ID].members)) {
					continue
				}
				if m, err := r.Member(ctx, x.ID, id); !core.IsKind(err, core.KindNotFound) {
					t.Errorf("isolation: Member(team %s, member %s of team %s) = %s, %s; want KindNotFound", x.Slug, id, y.Slug, m.UserName, describeErr(err))
				}
				mg, err := r.MemberGroups(ctx, x.ID, id)
				if d := diff(unknownMGOut, out(mg, err)); d != "" {
					t.Errorf("isolation: MemberGroups(team %s, member %s of team %s) differs from an unknown id's (-unknown +got):\n%s", x.Slug, id, y.Slug, d)
				}
			}
			for _, id := range byTeam[y.ID].groups {
				if g, err := r.Group(ctx, x.ID, id); !core.IsKind(err, core.KindNotFound) {
					t.Errorf("isolation: Group(team %s, group %s of team %s) = %q, %s; want KindNotFound", x.Slug, id, y.Slug, g.DisplayName, describeErr(err))
				}
				var gm []core.GroupMember
				err := r.GroupMembers(ctx, x.ID, id, func(m core.GroupMember) error { gm = append(gm, m); return nil })
				if d := diff(unknownGMOut, out(gm, err)); d != "" {
					t.Errorf("isolation: GroupMembers(team %s, group %s of team %s) differs from an unknown id's (-unknown +got):\n%s", x.Slug, id, y.Slug, d)
				}
			}
		}
	}
}

// checkTeamInvariants checks one team (see checkInvariants).
func checkTeamInvariants(ctx context.Context, t *testing.T, r store.Reader, teamID string) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("invariant (team %s): "+format, append([]any{teamID}, args...)...)
	}

	mp, err := r.Members(ctx, teamID, store.Query{Count: 1 << 20})
	if err != nil {
		fail("Members: %s", describeErr(err))
		return
	}
	if mp.Total != len(mp.Items) {
		fail("Members: Total %d, listed %d", mp.Total, len(mp.Items))
	}
	members := map[string]core.Member{}
	userNames := map[string]string{}
	for i, m := range mp.Items {
		if m.TeamID != teamID {
			fail("Members lists member %s of team %s", m.ID, m.TeamID)
		}
		if i > 0 && mp.Items[i-1].ID >= m.ID {
			fail("Members not in strictly increasing id order at %d: %s then %s", i, mp.Items[i-1].ID, m.ID)
		}
		members[m.ID] = m
		if prev, ok := userNames[strings.ToLower(m.UserName)]; ok {
			fail("userName %q of member %s clashes with member %s", m.UserName, m.ID, prev)
		}
		userNames[strings.ToLower(m.UserName)] = m.ID
		if !sampled(i, len(mp.Items)) {
			continue
		}
		got, err := r.Member(ctx, teamID, m.ID)
		if err != nil {
			fail("Member(%s) of a listed member: %s", m.ID, describeErr(err))
		} else if d := diff(m, got); d != "" {
			fail("Member(%s) differs from Members' item (-list +get):\n%s", m.ID, d)
		}
		if got, err := r.MemberByAccount(ctx, m.AccountID); err != nil {
			fail("MemberByAccount(%s) of member %s: %s", m.AccountID, m.ID, describeErr(err))
		} else if got.ID != m.ID || got.TeamID != teamID {
			fail("MemberByAccount(%s) = member %s of team %s, want %s", m.AccountID, got.ID, got.TeamID, m.ID)
		}
	}

	gp, err := r.Groups(ctx, teamID, store.Query{Count: 1 << 20})
	if err != nil {
		fail("Groups: %s", describeErr(err))
		return
	}
	if gp.Total != len(gp.Items) {
		fail("Groups: Total %d, listed %d", gp.Total, len(gp.Items))
	}
	groups := map[string]core.Group{}
	names := map[string]string{}
	for i, g := range gp.Items {
		if g.TeamID != teamID {
			fail("Groups lists group %s of team %s", g.ID, g.TeamID)
		}
		if i > 0 && gp.Items[i-1].ID >= g.ID {
			fail("Groups not in strictly increasing id order at %d", i)
		}
		groups[g.ID] = g
		if prev, ok := names[strings.ToLower(g.DisplayName)]; ok {
			fail("displayName %q of group %s clashes with group %s", g.DisplayName, g.ID, prev)
		}
		names[strings.ToLower(g.DisplayName)] = g.ID
		if got, err := r.Group(ctx, teamID, g.ID); err != nil {
			fail("Group(%s) of a listed group: %s", g.ID, describeErr(err))
		} else if d := diff(g, got); d != "" {
			fail("Group(%s) differs from Groups' item (-list +get):\n%s", g.ID, d)
		}
	}

	// Expected MemberGroups, built from the group side.
	wantGroups := map[string][]core.GroupRef{}
	for _, g := range gp.Items {
		gms, err := groupMembers(ctx, r, teamID, g.ID)
		if err != nil {
			fail("GroupMembers(%s): %s", g.ID, describeErr(err))
			continue
		}
		if len(gms) != g.MemberCount {
			fail("group %s (%q): MemberCount %d, GroupMembers streamed %d", g.ID, g.DisplayName, g.MemberCount, len(gms))
		}
		for i, gm := range gms {
			if i > 0 && gms[i-1].Value >= gm.Value {
				fail("GroupMembers(%s) not in strictly increasing value order at %d: %s then %s", g.ID, i, gms[i-1].Value, gm.Value)
			}
			switch gm.Type {
			case typeUser:
				if _, ok := members[gm.Value]; !ok {
					fail("group %s lists User %s, which is not a member of the team", g.ID, gm.Value)
				}
				wantGroups[gm.Value] = append(wantGroups[gm.Value], core.GroupRef{ID: g.ID, DisplayName: g.DisplayName})
			case typeGroup:
				if _, ok := groups[gm.Value]; !ok {
					fail("group %s lists Group %s, which is not a group of the team", g.ID, gm.Value)
				}
			default:
				fail("group %s lists %s with type %q", g.ID, gm.Value, gm.Type)
			}
		}
	}
	for i, m := range mp.Items {
		if !sampled(i, len(mp.Items)) && len(wantGroups[m.ID]) == 0 {
			continue
		}
		got, err := r.MemberGroups(ctx, teamID, m.ID)
		if err != nil {
			fail("MemberGroups(%s): %s", m.ID, describeErr(err))
			continue
		}
		want := wantGroups[m.ID]
		sort.Slice(want, func(i, j int) bool { return want[i].ID < want[j].ID })
		if d := diff(want, got); d != "" {
			fail("MemberGroups(%s) disagrees with GroupMembers (-want +got):\n%s", m.ID, d)
		}
		// Member reads carry the same groups, read in the same statement.
		if d := diff(want, m.Groups); d != "" {
			fail("Members' item %s: Groups disagree with GroupMembers (-want +got):\n%s", m.ID, d)
		}
		if one, err := r.Member(ctx, teamID, m.ID); err != nil {
			fail("Member(%s): %s", m.ID, describeErr(err))
		} else if d := diff(want, one.Groups); d != "" {
			fail("Member(%s).Groups disagree with GroupMembers (-want +got):\n%s", m.ID, d)
		}
	}

	for _, kind := range []core.KeyKind{core.KeySCIM, core.KeyPersonal} {
		keys, err := r.Keys(ctx, teamID, kind)
		if err != nil {
			fail("Keys(%s): %s", kind, describeErr(err))
			continue
		}
		for i, k := range keys {
			if k.TeamID != teamID || k.Kind != kind {
				fail("Keys(%s) lists key %s of team %s, kind %s", kind, k.ID, k.TeamID, k.Kind)
			}
			if i > 0 && keys[i-1].CreatedAt.Before(k.CreatedAt) {
				fail("Keys(%s) not newest first at %d", kind, i)
			}
			got, err := r.KeyByPrefix(ctx, k.Prefix)
			if err != nil {
				fail("KeyByPrefix(%s): %s", k.Prefix, describeErr(err))
			} else if d := diff(k, got); d != "" {
				fail("KeyByPrefix(%s) differs from Keys' item (-list +get):\n%s", k.Prefix, d)
			}
		}
	}
}

// maxPerRowChecks bounds the per-row lookups of checkInvariants and
// checkIsolation per team, so that they stay cheap on the paging
// subtests' large teams; lists are always checked whole.
const maxPerRowChecks = 50

// sampled reports whether row i of n gets per-row checks: all of them up
// to maxPerRowChecks, else an even sample including the first and last.
func sampled(i, n int) bool {
	if n <= maxPerRowChecks {
		return true
	}
	step := (n + maxPerRowChecks - 1) / maxPerRowChecks
	return i%step == 0 || i == n-1
}
