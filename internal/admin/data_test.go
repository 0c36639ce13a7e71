package admin_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// The dashboard: member counts by status, SCIM traffic in the right hour
// and day buckets of the service's clock, the last success per key, and
// the traffic hidden from a Developer.
func TestStats(t *testing.T) {
	run(t, func(f *fixture) {
		f.clk.t = time.Date(2026, time.March, 10, 14, 25, 0, 0, time.UTC)
		f.scimCaller()
		keys, err := f.svc.SCIMKeys(f.ctx, f.owner.Principal, f.team.ID)
		f.must(err)
		keyID := keys[0].ID
		dev := f.person("dev", core.RoleDeveloper)
		_, err = f.svc.Invite(f.ctx, f.owner.Principal, f.team.ID, "pending@example.com", core.RoleDeveloper)
		f.must(err)

		now := f.clk.Now()
		at := func(d time.Duration) time.Time { return now.Add(-d) }
		recs := []struct {
			at     time.Time
			status int
		}{
			{at(0), 200},                   // this hour
			{at(20 * time.Minute), 500},    // this hour (14:05)
			{at(30 * time.Minute), 201},    // 13:55: the previous hour
			{at(23 * time.Hour), 400},      // 15:25 yesterday: hourly bucket 0
			{at(24 * time.Hour), 200},      // 14:25 yesterday: outside the 24 h, inside today-1
			{at(29 * 24 * time.Hour), 200}, // 29 days ago: daily bucket 0
			{at(31 * 24 * time.Hour), 200}, // outside both
		}
		var acts []core.Activity
		for i, r := range recs {
			// ids in time order, as the writer's UUIDv7 ids.
			acts = append(acts, core.Activity{ID: fmt.Sprintf("%s-%d", r.at.Format("20060102150405.000000"), i), TeamID: f.team.ID, At: r.at,
				KeyID: keyID, Method: "GET", Path: "/scim/v2/Users", Status: r.status})
		}
		// The records and their traffic, as the provisioning activity
		// writer stores them: the figures are the traffic's.
		f.must(f.st.InTx(f.ctx, func(tx store.Tx) error {
			for _, a := range acts {
				failed := 0
				if a.Status >= 400 {
					failed = 1
				}
				if err := tx.AddActivityTraffic(f.ctx, []store.ActivityTraffic{{TeamID: a.TeamID, Minute: a.At, Requests: 1, Failures: failed}}); err != nil {
					return err
				}
			}
			return tx.AppendActivity(f.ctx, acts)
		}))

		st, err := f.svc.Stats(f.ctx, f.owner.Principal, f.team.ID)
		f.must(err)
		if st.Active != 2 || st.Deactivated != 0 || st.Invited != 1 {
			t.Errorf("members = %d/%d/%d, want 2 active, 0 deactivated, 1 invited", st.Active, st.Deactivated, st.Invited)
		}
		p := st.Provisioning
		if p == nil || len(p.Hourly) != 24 || len(p.Daily) != 30 {
			t.Fatalf("provisioning = %+v", p)
		}
		if h := p.Hourly[23]; !h.Start.Equal(time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)) || h.Requests != 2 || h.Failures != 1 {
			t.Errorf("current hour = %+v, want 2 requests, 1 failure from 14:00", h)
		}
		if h := p.Hourly[22]; h.Requests != 1 || h.Failures != 0 {
			t.Errorf("previous hour = %+v", h)
		}
		if h := p.Hourly[0]; !h.Start.Equal(time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)) || h.Requests != 1 || h.Failures != 1 {
			t.Errorf("first hour = %+v", h)
		}
		sum := 0
		for _, h := range p.Hourly {
			sum += h.Requests
		}
		if sum != 4 {
			t.Errorf("24 h requests = %d, want 4", sum)
		}
		if d := p.Daily[29]; !d.Start.Equal(time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)) || d.Requests != 3 || d.Failures != 1 {
			t.Errorf("today = %+v", d)
		}
		if d := p.Daily[28]; d.Requests != 2 || d.Failures != 1 {
			t.Errorf("yesterday = %+v", d)
		}
		if d := p.Daily[0]; !d.Start.Equal(time.Date(2026, 2, 9, 0, 0, 0, 0, time.UTC)) || d.Requests != 1 {
			t.Errorf("first day = %+v", d)
		}
		if len(p.Keys) != 1 || p.Keys[0].LastSuccess == nil || !p.Keys[0].LastSuccess.At.Equal(now) || p.Keys[0].Status != core.KeyActive {
			t.Errorf("keys = %+v, want the key with its success of now", p.Keys)
		}

		ds, err := f.svc.Stats(f.ctx, dev.Principal, f.team.ID)
		f.must(err)
		if ds.Provisioning != nil || ds.Active != 2 {
			t.Errorf("developer stats = %+v, want counts only", ds)
		}
		out, other := f.outsider("zed")
		if _, err := f.svc.Stats(f.ctx, out.Principal, f.team.ID); code(err) != "forbidden/forbidden" && !strings.HasPrefix(code(err), "notfound") {
			t.Errorf("outsider stats: %s", code(err))
		}
		os, err := f.svc.Stats(f.ctx, out.Principal, other.ID)
		f.must(err)
		if os.Active != 1 || os.Provisioning == nil || os.Provisioning.Daily[29].Requests != 0 {
			t.Errorf("other team's stats = %+v", os)
		}
	})
}

// SearchMembers validates its input and pages both ways.
func TestSearchMembersInput(t *testing.T) {
	run(t, func(f *fixture) {
		p := f.owner.Principal
		for _, tc := range []struct {
			q    admin.MemberSearch
			want string
		}{
			{admin.MemberSearch{Status: "gone"}, "invalid/invalidValue"},
			{admin.MemberSearch{Role: "owner"}, "invalid/invalidRole"},
			{admin.MemberSearch{Q: strings.Repeat("a", admin.MaxSearchLen+1)}, "invalid/invalidValue"},
			{admin.MemberSearch{Q: "a\xff"}, "invalid/invalidValue"},
			{admin.MemberSearch{After: "x", Before: "y"}, "invalid/invalidValue"},
			{admin.MemberSearch{Limit: 1001}, "invalid/invalidLimit"},
			{admin.MemberSearch{Q: "owner", Status: core.StatusActive, Role: core.RoleSuperAdmin}, "ok"},
		} {
			_, err := f.svc.SearchMembers(f.ctx, p, f.team.ID, tc.q)
			if got := code(err); got != tc.want {
				t.Errorf("SearchMembers(%+v) = %s, want %s", tc.q, got, tc.want)
			}
		}
		for _, l := range []string{"b", "c", "d", "e"} {
			f.person(l, core.RoleDeveloper)
		}
		first, err := f.svc.SearchMembers(f.ctx, p, f.team.ID, admin.MemberSearch{Limit: 2})
		f.must(err)
		if len(first.Members) != 2 || first.Next == "" || first.Prev != "" || first.Total != 5 {
			t.Fatalf("first page = %+v", first)
		}
		second, err := f.svc.SearchMembers(f.ctx, p, f.team.ID, admin.MemberSearch{After: first.Next, Limit: 2})
		f.must(err)
		if len(second.Members) != 2 || second.Prev != second.Members[0].ID || second.Next == "" {
			t.Fatalf("second page = %+v", second)
		}
		back, err := f.svc.SearchMembers(f.ctx, p, f.team.ID, admin.MemberSearch{Before: second.Prev, Limit: 2})
		f.must(err)
		if len(back.Members) != 2 || back.Members[0].ID != first.Members[0].ID || back.Prev != "" || back.Next != first.Next {
			t.Fatalf("back to the first page = %+v, want %+v", back, first)
		}
		one, err := f.svc.SearchMembers(f.ctx, p, f.team.ID, admin.MemberSearch{Q: "C@EXAMPLE"})
		f.must(err)
		if len(one.Members) != 1 || one.Members[0].Email != "c@example.com" {
			t.Errorf("search C@EXAMPLE = %+v", one.Members)
		}
	})
}

// A SCIM-managed member cannot be removed by an admin while SCIM is on
// (the identity provider decides); with SCIM off, or for a member added
// here, removal works.
func TestRemoveSCIMManagedRefused(t *testing.T) {
	run(t, func(f *fixture) {
		c := f.scimCaller()
		f.verify("example.com")
		u1, err := f.createUser(c, "one@example.com", "one@example.com")
		f.must(err)
		u2, err := f.createUser(c, "two@example.com", "two@example.com")
		f.must(err)
		err = f.svc.RemoveMember(f.ctx, f.owner.Principal, f.team.ID, u1.ID())
		if code(err) != "forbidden/managedByIdP" || !strings.Contains(err.Error(), "identity provider") {
			t.Fatalf("remove a SCIM-managed member with SCIM on: %s", code(err))
		}
		if _, err := f.svc.Member(f.ctx, f.owner.Principal, f.team.ID, u1.ID()); err != nil {
			t.Fatalf("the refused member is gone: %v", err)
		}
		dev := f.person("dev", core.RoleDeveloper)
		f.must(f.svc.RemoveMember(f.ctx, f.owner.Principal, f.team.ID, dev.Principal.MemberID))
		_, err = f.svc.SetSCIMEnabled(f.ctx, f.owner.Principal, f.team.ID, false)
		f.must(err)
		f.must(f.svc.RemoveMember(f.ctx, f.owner.Principal, f.team.ID, u2.ID()))
	})
}
