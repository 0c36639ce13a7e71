package storetest

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// The memStore's data-page reads: the obvious scans over the whole state,
// which is what a real backend must not do (the suite checks only the
// answers).

func (s *memStore) SearchMembers(ctx context.Context, teamID string, q store.MemberSearch) ([]core.Member, error) {
	return s.r().SearchMembers(ctx, teamID, q)
}
func (s *memStore) MemberCounts(ctx context.Context, teamID string) (map[core.MemberStatus]int, error) {
	return s.r().MemberCounts(ctx, teamID)
}
func (s *memStore) ActivityCounts(ctx context.Context, teamID string, bounds []time.Time) ([]store.ActivityBucket, error) {
	return s.r().ActivityCounts(ctx, teamID, bounds)
}
func (s *memStore) LastSuccess(ctx context.Context, teamID string, keyIDs []string) (map[string]core.Activity, error) {
	return s.r().LastSuccess(ctx, teamID, keyIDs)
}

func (x *memTx) SearchMembers(_ context.Context, teamID string, q store.MemberSearch) ([]core.Member, error) {
	prefix := filter.FoldCase(q.Prefix)
	var out []core.Member
	for _, m := range x.st.members {
		switch {
		case m.TeamID != teamID,
			q.Status != "" && m.Status != q.Status,
			q.Role != "" && m.Role != q.Role,
			q.After != "" && m.ID <= q.After,
			q.After == "" && q.Before != "" && m.ID >= q.Before:
			continue
		}
		if prefix != "" && !slices.ContainsFunc(searchKeys(m), func(k string) bool { return strings.HasPrefix(k, prefix) }) {
			continue
		}
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b core.Member) int { return strings.Compare(a.ID, b.ID) })
	n := pageLimit(q.Limit)
	if len(out) > n {
		if q.After == "" && q.Before != "" {
			out = out[len(out)-n:]
		} else {
			out = out[:n]
		}
	}
	return out, nil
}

func (x *memTx) MemberCounts(_ context.Context, teamID string) (map[core.MemberStatus]int, error) {
	out := map[core.MemberStatus]int{}
	for _, m := range x.st.members {
		if m.TeamID == teamID {
			out[m.Status]++
		}
	}
	return out, nil
}

func (x *memTx) ActivityCounts(_ context.Context, teamID string, bounds []time.Time) ([]store.ActivityBucket, error) {
	if len(bounds) < 2 || len(bounds) > store.MaxActivityBuckets+1 {
		return nil, core.Errorf(core.KindInvalid, "invalidValue", "bad bounds")
	}
	out := make([]store.ActivityBucket, len(bounds)-1)
	for i := range out {
		if !bounds[i+1].After(bounds[i]) {
			return nil, core.Errorf(core.KindInvalid, "invalidValue", "bounds must ascend")
		}
		out[i].Start, out[i].End = bounds[i].UTC().Truncate(time.Microsecond), bounds[i+1].UTC().Truncate(time.Microsecond)
	}
	for k, c := range x.st.admin.traffic {
		if k.team != teamID {
			continue
		}
		for i := range out {
			if !k.minute.Before(out[i].Start) && k.minute.Before(out[i].End) {
				out[i].Requests += c[0]
				out[i].Failures += c[1]
				break
			}
		}
	}
	return out, nil
}

func (x *memTx) LastSuccess(_ context.Context, teamID string, keyIDs []string) (map[string]core.Activity, error) {
	out := map[string]core.Activity{}
	for _, a := range x.st.admin.activity {
		if a.TeamID != teamID || a.Status < 200 || a.Status >= 300 || a.KeyID == "" || !slices.Contains(keyIDs, a.KeyID) {
			continue
		}
		if prev, ok := out[a.KeyID]; !ok || a.ID > prev.ID {
			out[a.KeyID] = a
		}
	}
	return out, nil
}
