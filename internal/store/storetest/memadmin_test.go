package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// memAdmin is the memStore's state of the admin surfaces.
type memAdmin struct {
	sessions map[string]core.Session
	audit    []core.AuditEvent
	changes  []core.Change
	seq      map[string]int64
	activity []core.Activity
	traffic  map[trafficMinute][2]int // requests, failures
}

// trafficMinute names one team's minute of SCIM traffic.
type trafficMinute struct {
	team   string
	minute time.Time
}

func newMemAdmin() memAdmin {
	return memAdmin{sessions: map[string]core.Session{}, seq: map[string]int64{}, traffic: map[trafficMinute][2]int{}}
}

func (a memAdmin) clone() memAdmin {
	return memAdmin{
		sessions: cloneMap(a.sessions), audit: slices.Clone(a.audit), changes: slices.Clone(a.changes),
		seq: cloneMap(a.seq), activity: slices.Clone(a.activity), traffic: maps.Clone(a.traffic),
	}
}

// jsonRoundTrip returns m as the SQL stores return it (numbers float64).
func jsonRoundTrip(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func pageLimit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}

func (s *memStore) SessionByTokenHash(ctx context.Context, h []byte) (core.Session, error) {
	return s.r().SessionByTokenHash(ctx, h)
}
func (s *memStore) AccountKeys(ctx context.Context, teamID, accountID string) ([]core.APIKey, error) {
	return s.r().AccountKeys(ctx, teamID, accountID)
}
func (s *memStore) Domains(ctx context.Context, teamID string) ([]core.Domain, error) {
	return s.r().Domains(ctx, teamID)
}
func (s *memStore) Domain(ctx context.Context, teamID, d string) (core.Domain, error) {
	return s.r().Domain(ctx, teamID, d)
}
func (s *memStore) Audit(ctx context.Context, teamID string, q store.AuditQuery) ([]core.AuditEvent, error) {
	return s.r().Audit(ctx, teamID, q)
}
func (s *memStore) Changes(ctx context.Context, teamID string, after int64, limit int) ([]core.Change, error) {
	return s.r().Changes(ctx, teamID, after, limit)
}
func (s *memStore) Activity(ctx context.Context, teamID string, q store.ActivityQuery) ([]core.Activity, error) {
	return s.r().Activity(ctx, teamID, q)
}

func (x *memTx) SessionByTokenHash(_ context.Context, h []byte) (core.Session, error) {
	for _, s := range x.st.admin.sessions {
		if bytes.Equal(s.TokenHash, h) {
			return s, nil
		}
	}
	return core.Session{}, nf()
}

func (x *memTx) AccountKeys(_ context.Context, teamID, accountID string) ([]core.APIKey, error) {
	var out []core.APIKey
	for _, k := range x.st.keys {
		if accountID != "" && k.TeamID == teamID && k.AccountID == accountID && k.Kind == core.KeyPersonal {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b core.APIKey) int { return -strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (x *memTx) Domains(_ context.Context, teamID string) ([]core.Domain, error) {
	var out []core.Domain
	for _, d := range x.st.domains[teamID] {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b core.Domain) int { return strings.Compare(a.Domain, b.Domain) })
	return out, nil
}

func (x *memTx) Domain(_ context.Context, teamID, d string) (core.Domain, error) {
	if dom, ok := x.st.domains[teamID][filter.FoldCase(d)]; ok {
		return dom, nil
	}
	return core.Domain{}, nf()
}

func (x *memTx) Audit(_ context.Context, teamID string, q store.AuditQuery) ([]core.AuditEvent, error) {
	var out []core.AuditEvent
	for _, e := range x.st.admin.audit {
		switch {
		case e.TeamID != teamID,
			q.ActorID != "" && e.Actor.ID != q.ActorID,
			q.Action != "" && e.Action != q.Action,
			q.TargetID != "" && e.TargetID != q.TargetID,
			!q.Since.IsZero() && e.At.Before(q.Since),
			!q.Until.IsZero() && !e.At.Before(q.Until),
			q.After != "" && !q.Descending && e.ID <= q.After,
			q.After != "" && q.Descending && e.ID >= q.After:
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b core.AuditEvent) int {
		if q.Descending {
			return -strings.Compare(a.ID, b.ID)
		}
		return strings.Compare(a.ID, b.ID)
	})
	if n := pageLimit(q.Limit); len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func (x *memTx) Changes(_ context.Context, teamID string, after int64, limit int) ([]core.Change, error) {
	var out []core.Change
	for _, c := range x.st.admin.changes {
		if c.TeamID == teamID && c.Seq > after {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b core.Change) int { return int(a.Seq - b.Seq) })
	if n := pageLimit(limit); len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func (x *memTx) Activity(_ context.Context, teamID string, q store.ActivityQuery) ([]core.Activity, error) {
	var out []core.Activity
	for _, a := range x.st.admin.activity {
		switch {
		case a.TeamID != teamID,
			q.FailuresOnly && a.Status < 400,
			q.KeyID != "" && a.KeyID != q.KeyID,
			!q.Since.IsZero() && a.At.Before(q.Since),
			q.Before != "" && a.ID >= q.Before:
			continue
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b core.Activity) int { return -strings.Compare(a.ID, b.ID) })
	if n := pageLimit(q.Limit); len(out) > n {
		out = out[:n]
	}
	return out, nil
}

func (x *memTx) CreateSession(_ context.Context, s core.Session) error {
	if _, ok := x.st.accounts[s.AccountID]; !ok {
		return nf()
	}
	for _, o := range x.st.admin.sessions {
		if o.ID == s.ID || bytes.Equal(o.TokenHash, s.TokenHash) {
			return conflict("uniqueness")
		}
	}
	x.st.admin.sessions[s.ID] = s
	return nil
}

func (x *memTx) TouchSession(_ context.Context, id string, lastSeen, expires time.Time) error {
	s, ok := x.st.admin.sessions[id]
	if !ok {
		return nf()
	}
	s.LastSeenAt, s.ExpiresAt = lastSeen, expires
	x.st.admin.sessions[id] = s
	return nil
}

func (x *memTx) DeleteSession(_ context.Context, id string) error {
	delete(x.st.admin.sessions, id)
	return nil
}

func (x *memTx) DeleteAccountSessions(_ context.Context, accountID string) (int, error) {
	n := 0
	for id, s := range x.st.admin.sessions {
		if s.AccountID == accountID {
			delete(x.st.admin.sessions, id)
			n++
		}
	}
	return n, nil
}

func (x *memTx) RevokeAccountKeys(_ context.Context, teamID, accountID string, at time.Time) (int, error) {
	n := 0
	for id, k := range x.st.keys {
		if accountID != "" && k.TeamID == teamID && k.AccountID == accountID && k.Kind == core.KeyPersonal && k.RevokedAt == nil {
			k.RevokedAt = &at
			x.st.keys[id] = k
			n++
		}
	}
	if n > 0 {
		x.st.epoch++
	}
	return n, nil
}

func (x *memTx) DeleteKey(_ context.Context, teamID, id string) error {
	k, ok := x.st.keys[id]
	if !ok || k.TeamID != teamID {
		return nf()
	}
	delete(x.st.keys, id)
	x.st.epoch++
	return nil
}

func (x *memTx) UpdateDomain(_ context.Context, d core.Domain) error {
	name := filter.FoldCase(d.Domain)
	old, ok := x.st.domains[d.TeamID][name]
	if !ok {
		return nf()
	}
	old.Token, old.Verified, old.VerifiedAt, old.LastCheckAt, old.LastCheckResult = d.Token, d.Verified, d.VerifiedAt, d.LastCheckAt, d.LastCheckResult
	x.st.domains[d.TeamID][name] = old
	return nil
}

func (x *memTx) RemoveDomain(_ context.Context, teamID, domain string) error {
	name := filter.FoldCase(domain)
	if _, ok := x.st.domains[teamID][name]; !ok {
		return nf()
	}
	delete(x.st.domains[teamID], name)
	return nil
}

func (x *memTx) AppendAudit(ctx context.Context, e core.AuditEvent) error {
	if _, err := x.Team(ctx, e.TeamID); err != nil {
		return err
	}
	for _, o := range x.st.admin.audit {
		if o.TeamID == e.TeamID && o.ID == e.ID {
			return conflict("uniqueness")
		}
	}
	e.Summary = jsonRoundTrip(e.Summary)
	x.st.admin.audit = append(x.st.admin.audit, e)
	return nil
}

func (x *memTx) AppendChange(ctx context.Context, c *core.Change) error {
	if _, err := x.Team(ctx, c.TeamID); err != nil {
		return err
	}
	x.st.admin.seq[c.TeamID]++
	c.Seq = x.st.admin.seq[c.TeamID]
	stored := *c
	stored.Data = jsonRoundTrip(c.Data)
	x.st.admin.changes = append(x.st.admin.changes, stored)
	return nil
}

func (x *memTx) AppendActivity(_ context.Context, as []core.Activity) error {
	for _, a := range as {
		dup := slices.ContainsFunc(x.st.admin.activity, func(o core.Activity) bool { return o.TeamID == a.TeamID && o.ID == a.ID })
		if !dup {
			x.st.admin.activity = append(x.st.admin.activity, a)
		}
	}
	return nil
}

func (x *memTx) PruneActivity(_ context.Context, teamID string, before time.Time, keep int) (int, error) {
	var mine []string
	for _, a := range x.st.admin.activity {
		if a.TeamID == teamID {
			mine = append(mine, a.ID)
		}
	}
	slices.Sort(mine)
	cutoff := ""
	if keep > 0 && len(mine) > keep {
		cutoff = mine[len(mine)-keep-1]
	}
	n := 0
	x.st.admin.activity = slices.DeleteFunc(x.st.admin.activity, func(a core.Activity) bool {
		del := a.TeamID == teamID && (a.At.Before(before) || (cutoff != "" && a.ID <= cutoff))
		if del {
			n++
		}
		return del
	})
	maps.DeleteFunc(x.st.admin.traffic, func(k trafficMinute, _ [2]int) bool {
		return k.team == teamID && !before.IsZero() && k.minute.Before(before.Truncate(time.Minute))
	})
	return n, nil
}

func (x *memTx) AddActivityTraffic(_ context.Context, ts []store.ActivityTraffic) error {
	for _, t := range ts {
		if t.TeamID == "" || t.Requests < 0 || t.Failures < 0 || t.Failures > t.Requests {
			return core.Errorf(core.KindInvalid, "invalidValue", "bad traffic")
		}
	}
	for _, t := range ts {
		k := trafficMinute{t.TeamID, t.Minute.UTC().Truncate(time.Minute)}
		c := x.st.admin.traffic[k]
		x.st.admin.traffic[k] = [2]int{c[0] + t.Requests, c[1] + t.Failures}
	}
	return nil
}
