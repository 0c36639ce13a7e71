package storetest

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// memStore is a reference implementation of store.Store held in memory. It
// exists to test the suite itself: Run must pass on it. Filters are
// evaluated with filter.Match over the served documents, which a real
// backend must never do.
type memStore struct {
	mu sync.RWMutex
	st *memState
}

type memState struct {
	teams    []core.Team
	accounts map[string]core.Account
	members  map[string]core.Member
	groups   map[string]core.Group
	gm       map[string]map[string]core.GroupMember
	keys     map[string]core.APIKey
	domains  map[string]map[string]core.Domain
	admin    memAdmin
	epoch    int64 // the authentication epoch
}

func newMemStore() *memStore {
	return &memStore{st: &memState{
		accounts: map[string]core.Account{}, members: map[string]core.Member{}, groups: map[string]core.Group{},
		gm: map[string]map[string]core.GroupMember{}, keys: map[string]core.APIKey{}, domains: map[string]map[string]core.Domain{},
		admin: newMemAdmin(),
	}}
}

func (s *memState) clone() *memState {
	c := &memState{
		teams: slices.Clone(s.teams), accounts: cloneMap(s.accounts), members: map[string]core.Member{},
		groups: map[string]core.Group{}, gm: map[string]map[string]core.GroupMember{}, keys: cloneMap(s.keys),
		domains: map[string]map[string]core.Domain{}, admin: s.admin.clone(), epoch: s.epoch,
	}
	for k, m := range s.members {
		m.Doc = scim.Clone(m.Doc)
		c.members[k] = m
	}
	for k, g := range s.groups {
		g.Doc = scim.Clone(g.Doc)
		c.groups[k] = g
	}
	for k, v := range s.gm {
		c.gm[k] = cloneMap(v)
	}
	for k, v := range s.domains {
		c.domains[k] = cloneMap(v)
	}
	return c
}

func cloneMap[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

type memTx struct{ st *memState }

func (s *memStore) Ping(context.Context) error { return nil }
func (s *memStore) Close() error               { return nil }

func (s *memStore) InTx(_ context.Context, fn func(store.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.clone()
	if err := fn(&memTx{c}); err != nil {
		return err
	}
	s.st = c
	return nil
}

// r returns a reader of the current state. InTx replaces the state
// wholesale and never changes a published one, so no lock is held while
// reading it.
func (s *memStore) r() *memTx {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return &memTx{s.st}
}

func (s *memStore) Team(ctx context.Context, id string) (core.Team, error) {
	return s.r().Team(ctx, id)
}
func (s *memStore) TeamBySlug(ctx context.Context, slug string) (core.Team, error) {
	return s.r().TeamBySlug(ctx, slug)
}
func (s *memStore) Teams(ctx context.Context) ([]core.Team, error) { return s.r().Teams(ctx) }
func (s *memStore) KeyByPrefix(ctx context.Context, p string) (core.APIKey, error) {
	return s.r().KeyByPrefix(ctx, p)
}
func (s *memStore) KeyWithTeam(ctx context.Context, p string) (core.APIKey, core.Team, error) {
	return s.r().KeyWithTeam(ctx, p)
}
func (s *memStore) AuthEpoch(ctx context.Context) (int64, error) { return s.r().AuthEpoch(ctx) }
func (s *memStore) Keys(ctx context.Context, teamID string, kind core.KeyKind) ([]core.APIKey, error) {
	return s.r().Keys(ctx, teamID, kind)
}
func (s *memStore) AccountByEmail(ctx context.Context, email string) (core.Account, error) {
	return s.r().AccountByEmail(ctx, email)
}
func (s *memStore) Account(ctx context.Context, id string) (core.Account, error) {
	return s.r().Account(ctx, id)
}
func (s *memStore) MemberByAccount(ctx context.Context, id string) (core.Member, error) {
	return s.r().MemberByAccount(ctx, id)
}
func (s *memStore) Member(ctx context.Context, teamID, id string) (core.Member, error) {
	return s.r().Member(ctx, teamID, id)
}
func (s *memStore) Members(ctx context.Context, teamID string, q store.Query) (store.Page[core.Member], error) {
	return s.r().Members(ctx, teamID, q)
}
func (s *memStore) MemberGroups(ctx context.Context, teamID, id string) ([]core.GroupRef, error) {
	return s.r().MemberGroups(ctx, teamID, id)
}
func (s *memStore) Group(ctx context.Context, teamID, id string) (core.Group, error) {
	return s.r().Group(ctx, teamID, id)
}
func (s *memStore) Groups(ctx context.Context, teamID string, q store.Query) (store.Page[core.Group], error) {
	return s.r().Groups(ctx, teamID, q)
}
func (s *memStore) GroupMembers(ctx context.Context, teamID, id string, fn func(core.GroupMember) error) error {
	return s.r().GroupMembers(ctx, teamID, id, fn)
}
func (s *memStore) DomainVerified(ctx context.Context, teamID, d string) (bool, error) {
	return s.r().DomainVerified(ctx, teamID, d)
}

func nf() error { return core.NotFound("not found") }
func conflict(code string) error {
	return core.Errorf(core.KindConflict, code, "conflict")
}

func (x *memTx) Team(_ context.Context, id string) (core.Team, error) {
	for _, t := range x.st.teams {
		if t.ID == id {
			return t, nil
		}
	}
	return core.Team{}, nf()
}
func (x *memTx) TeamBySlug(_ context.Context, slug string) (core.Team, error) {
	for _, t := range x.st.teams {
		if strings.EqualFold(t.Slug, slug) {
			return t, nil
		}
	}
	return core.Team{}, nf()
}
func (x *memTx) Teams(context.Context) ([]core.Team, error) { return slices.Clone(x.st.teams), nil }
func (x *memTx) KeyByPrefix(_ context.Context, p string) (core.APIKey, error) {
	for _, k := range x.st.keys {
		if k.Prefix == p {
			return k, nil
		}
	}
	return core.APIKey{}, nf()
}
func (x *memTx) KeyWithTeam(ctx context.Context, p string) (core.APIKey, core.Team, error) {
	k, err := x.KeyByPrefix(ctx, p)
	if err != nil {
		return core.APIKey{}, core.Team{}, err
	}
	t, err := x.Team(ctx, k.TeamID)
	return k, t, err
}
func (x *memTx) Keys(_ context.Context, teamID string, kind core.KeyKind) ([]core.APIKey, error) {
	var out []core.APIKey
	for _, k := range x.st.keys {
		if k.TeamID == teamID && k.Kind == kind {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b core.APIKey) int { return -strings.Compare(a.ID, b.ID) })
	return out, nil
}
func (x *memTx) AccountByEmail(_ context.Context, email string) (core.Account, error) {
	for _, a := range x.st.accounts {
		if filter.FoldCase(a.Email) == filter.FoldCase(email) {
			return a, nil
		}
	}
	return core.Account{}, nf()
}
func (x *memTx) Account(_ context.Context, id string) (core.Account, error) {
	if a, ok := x.st.accounts[id]; ok {
		return a, nil
	}
	return core.Account{}, nf()
}
func (x *memTx) MemberByAccount(_ context.Context, id string) (core.Member, error) {
	for _, m := range x.st.members {
		if m.AccountID == id {
			m.Doc = scim.Clone(m.Doc)
			m.Groups = x.memberGroups(m.TeamID, m.ID)
			return m, nil
		}
	}
	return core.Member{}, nf()
}
func (x *memTx) Member(_ context.Context, teamID, id string) (core.Member, error) {
	m, ok := x.st.members[id]
	if !ok || m.TeamID != teamID {
		return core.Member{}, nf()
	}
	m.Doc = scim.Clone(m.Doc)
	m.Groups = x.memberGroups(teamID, id)
	return m, nil
}

func (x *memTx) memberGroups(teamID, id string) []core.GroupRef {
	var out []core.GroupRef
	for gid, ms := range x.st.gm {
		g := x.st.groups[gid]
		if gm, ok := ms[id]; ok && g.TeamID == teamID && gm.Type == typeUser {
			out = append(out, core.GroupRef{ID: gid, DisplayName: g.DisplayName})
		}
	}
	slices.SortFunc(out, func(a, b core.GroupRef) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// page sorts items (by SortBy's key through sortKeyOf over the served
// documents, absent keys last, ties by id) and cuts one page.
func page[T any](items []T, id func(T) string, doc func(T) map[string]any, rt *scim.ResourceType, q store.Query) (store.Page[T], error) {
	if q.After != "" && q.SortBy != "" {
		return store.Page[T]{}, core.Errorf(core.KindInvalid, "invalidValue", "keyset paging needs the default order")
	}
	keys := map[string]sortValue{}
	if q.SortBy != "" {
		for _, it := range items {
			k, err := sortKeyOf(rt, q.SortBy, doc(it))
			if err != nil {
				return store.Page[T]{}, core.Errorf(core.KindInvalid, "invalidValue", "cannot sort by %q", q.SortBy)
			}
			keys[id(it)] = k
		}
	}
	slices.SortFunc(items, func(a, b T) int {
		c := 0
		if q.SortBy != "" {
			ka, kb := keys[id(a)], keys[id(b)]
			switch {
			case ka.present && kb.present:
				c = ka.compare(kb)
			case ka.present:
				c = -1
			case kb.present:
				c = 1
			}
		}
		if c == 0 {
			c = strings.Compare(id(a), id(b))
		}
		if q.Descending {
			c = -c
		}
		return c
	})
	total := len(items)
	if q.After != "" {
		var rest []T
		for _, it := range items {
			if id(it) > q.After {
				rest = append(rest, it)
			}
		}
		items = rest
	} else if q.Offset < len(items) {
		items = items[q.Offset:]
	} else {
		items = nil
	}
	if len(items) > q.Count {
		items = items[:q.Count]
	}
	if q.SkipTotal {
		total = -1
	}
	return store.Page[T]{Items: items, Total: total}, nil
}

func (x *memTx) Members(_ context.Context, teamID string, q store.Query) (store.Page[core.Member], error) {
	rt := scim.UserType()
	if q.Filter != nil {
		if err := filter.Check(rt, q.Filter); err != nil {
			return store.Page[core.Member]{}, core.Errorf(core.KindInvalid, scim.ErrInvalidFilter, "%v", err)
		}
	}
	var items []core.Member
	for _, m := range x.st.members {
		if m.TeamID != teamID {
			continue
		}
		if q.Filter != nil && !filter.Match(rt, q.Filter, userResource(m, x.memberGroups(teamID, m.ID))) {
			continue
		}
		m.Doc = scim.Clone(m.Doc)
		m.Groups = x.memberGroups(teamID, m.ID)
		items = append(items, m)
	}
	return page(items, func(m core.Member) string { return m.ID },
		func(m core.Member) map[string]any { return userResource(m, x.memberGroups(teamID, m.ID)) }, rt, q)
}

func (x *memTx) MemberGroups(_ context.Context, teamID, id string) ([]core.GroupRef, error) {
	return x.memberGroups(teamID, id), nil
}

func (x *memTx) Group(_ context.Context, teamID, id string) (core.Group, error) {
	g, ok := x.st.groups[id]
	if !ok || g.TeamID != teamID {
		return core.Group{}, nf()
	}
	g.Doc = scim.Clone(g.Doc)
	g.MemberCount = len(x.st.gm[id])
	return g, nil
}

func (x *memTx) groupMembers(id string) []core.GroupMember {
	var out []core.GroupMember
	for _, m := range x.st.gm[id] {
		out = append(out, m)
	}
	sortRefs(out)
	return out
}

func (x *memTx) Groups(_ context.Context, teamID string, q store.Query) (store.Page[core.Group], error) {
	rt := scim.GroupType()
	if q.Filter != nil {
		if err := filter.Check(rt, q.Filter); err != nil {
			return store.Page[core.Group]{}, core.Errorf(core.KindInvalid, scim.ErrInvalidFilter, "%v", err)
		}
	}
	var items []core.Group
	for _, g := range x.st.groups {
		if g.TeamID != teamID {
			continue
		}
		if q.Filter != nil && !filter.Match(rt, q.Filter, groupResource(g, x.groupMembers(g.ID))) {
			continue
		}
		g.Doc = scim.Clone(g.Doc)
		g.MemberCount = len(x.st.gm[g.ID])
		items = append(items, g)
	}
	return page(items, func(g core.Group) string { return g.ID },
		func(g core.Group) map[string]any { return groupResource(g, x.groupMembers(g.ID)) }, rt, q)
}

func (x *memTx) GroupMembers(_ context.Context, teamID, id string, fn func(core.GroupMember) error) error {
	g, ok := x.st.groups[id]
	if !ok || g.TeamID != teamID {
		return nf()
	}
	for _, m := range x.groupMembers(id) {
		if err := fn(m); err != nil {
			return err
		}
	}
	return nil
}

func (x *memTx) DomainVerified(_ context.Context, teamID, d string) (bool, error) {
	return x.st.domains[teamID][filter.FoldCase(d)].Verified, nil
}

func (x *memTx) CreateTeam(_ context.Context, t core.Team) error {
	for _, o := range x.st.teams {
		if strings.EqualFold(o.Slug, t.Slug) || o.ID == t.ID {
			return conflict("uniqueness")
		}
	}
	x.st.teams = append(x.st.teams, t)
	return nil
}
func (x *memTx) UpdateTeam(_ context.Context, t core.Team) error {
	for i, o := range x.st.teams {
		if o.ID == t.ID {
			x.st.teams[i].Name, x.st.teams[i].SCIMEnabled, x.st.teams[i].UpdatedAt = t.Name, t.SCIMEnabled, t.UpdatedAt
			x.st.epoch++
			return nil
		}
	}
	return nf()
}
func (x *memTx) CreateAccount(ctx context.Context, a core.Account) error {
	if _, err := x.AccountByEmail(ctx, a.Email); err == nil {
		return conflict("uniqueness")
	}
	if _, ok := x.st.accounts[a.ID]; ok {
		return conflict("uniqueness")
	}
	x.st.accounts[a.ID] = a
	return nil
}
func (x *memTx) UpdateAccount(ctx context.Context, a core.Account) error {
	if o, err := x.AccountByEmail(ctx, a.Email); err == nil && o.ID != a.ID {
		return conflict("uniqueness")
	}
	if _, ok := x.st.accounts[a.ID]; !ok {
		return nf()
	}
	x.st.accounts[a.ID] = a
	return nil
}
func (x *memTx) nameTaken(teamID, userName, except string) bool {
	for _, m := range x.st.members {
		if m.TeamID == teamID && m.ID != except && filter.FoldCase(m.UserName) == filter.FoldCase(userName) {
			return true
		}
	}
	return false
}
func (x *memTx) CreateMember(_ context.Context, m core.Member) error {
	if _, ok := x.st.members[m.ID]; ok {
		return conflict("uniqueness")
	}
	if _, ok := x.st.accounts[m.AccountID]; !ok {
		return core.Errorf(core.KindInvalid, "", "no account")
	}
	if x.nameTaken(m.TeamID, m.UserName, "") {
		return conflict(scim.ErrUniqueness)
	}
	for _, o := range x.st.members {
		if o.AccountID == m.AccountID {
			return conflict("account")
		}
	}
	m.Doc = scim.Clone(m.Doc)
	x.st.members[m.ID] = m
	return nil
}
func (x *memTx) UpdateMember(_ context.Context, m core.Member, prev int64) error {
	o, ok := x.st.members[m.ID]
	if !ok || o.TeamID != m.TeamID {
		return nf()
	}
	if o.Version != prev {
		return core.Errorf(core.KindPrecondition, "", "version")
	}
	if x.nameTaken(m.TeamID, m.UserName, m.ID) {
		return conflict(scim.ErrUniqueness)
	}
	o.UserName, o.ExternalID, o.Email, o.Active, o.Status, o.Role, o.SCIMManaged = m.UserName, m.ExternalID, m.Email, m.Active, m.Status, m.Role, m.SCIMManaged
	o.Doc, o.Version, o.UpdatedAt = scim.Clone(m.Doc), m.Version, m.UpdatedAt
	x.st.members[m.ID] = o
	return nil
}
func (x *memTx) DeleteMember(_ context.Context, teamID, id string) error {
	o, ok := x.st.members[id]
	if !ok || o.TeamID != teamID {
		return nf()
	}
	delete(x.st.members, id)
	for _, ms := range x.st.gm {
		delete(ms, id)
	}
	return nil
}
func (x *memTx) CreateGroup(_ context.Context, g core.Group) error {
	if _, ok := x.st.groups[g.ID]; ok {
		return conflict("uniqueness")
	}
	for _, o := range x.st.groups {
		if o.TeamID == g.TeamID && filter.FoldCase(o.DisplayName) == filter.FoldCase(g.DisplayName) {
			return conflict(scim.ErrUniqueness)
		}
	}
	g.Doc = scim.Clone(g.Doc)
	g.MemberCount = 0
	x.st.groups[g.ID] = g
	x.st.gm[g.ID] = map[string]core.GroupMember{}
	return nil
}
func (x *memTx) UpdateGroup(_ context.Context, g core.Group, prev int64) error {
	o, ok := x.st.groups[g.ID]
	if !ok || o.TeamID != g.TeamID {
		return nf()
	}
	if o.Version != prev {
		return core.Errorf(core.KindPrecondition, "", "version")
	}
	for _, q := range x.st.groups {
		if q.TeamID == g.TeamID && q.ID != g.ID && filter.FoldCase(q.DisplayName) == filter.FoldCase(g.DisplayName) {
			return conflict(scim.ErrUniqueness)
		}
	}
	o.DisplayName, o.ExternalID, o.Doc, o.Version, o.UpdatedAt = g.DisplayName, g.ExternalID, scim.Clone(g.Doc), g.Version, g.UpdatedAt
	x.st.groups[g.ID] = o
	return nil
}
func (x *memTx) DeleteGroup(_ context.Context, teamID, id string) error {
	o, ok := x.st.groups[id]
	if !ok || o.TeamID != teamID {
		return nf()
	}
	delete(x.st.groups, id)
	delete(x.st.gm, id)
	for _, ms := range x.st.gm {
		delete(ms, id)
	}
	return nil
}
func (x *memTx) AddGroupMembers(_ context.Context, teamID, groupID string, ms []core.GroupMember) ([]string, []string, error) {
	g, ok := x.st.groups[groupID]
	if !ok || g.TeamID != teamID {
		return nil, nil, nf()
	}
	var added, missing []string
	for _, m := range ms {
		ok := false
		if m.Type == typeGroup {
			o, found := x.st.groups[m.Value]
			ok = found && o.TeamID == teamID
		} else {
			o, found := x.st.members[m.Value]
			ok = found && o.TeamID == teamID
		}
		if !ok {
			missing = append(missing, m.Value)
			continue
		}
		if _, in := x.st.gm[groupID][m.Value]; !in {
			x.st.gm[groupID][m.Value] = m
			added = append(added, m.Value)
		}
	}
	slices.Sort(added)
	return added, missing, nil
}
func (x *memTx) RemoveGroupMembers(_ context.Context, teamID, groupID string, ids []string) ([]string, error) {
	g, ok := x.st.groups[groupID]
	if !ok || g.TeamID != teamID {
		return nil, nf()
	}
	var removed []string
	for _, id := range ids {
		if _, in := x.st.gm[groupID][id]; in {
			delete(x.st.gm[groupID], id)
			removed = append(removed, id)
		}
	}
	slices.Sort(removed)
	return removed, nil
}
func (x *memTx) RemoveGroupMembersWhere(_ context.Context, teamID, groupID string, f filter.Expr) ([]string, error) {
	g, ok := x.st.groups[groupID]
	if !ok || g.TeamID != teamID {
		return nil, nf()
	}
	var removed []string
	vp := &filter.ValuePath{Attr: scim.AttrPath{Name: "members"}, Filter: f}
	for id, m := range x.st.gm[groupID] {
		if filter.Match(scim.GroupType(), vp, groupResource(g, []core.GroupMember{m})) {
			delete(x.st.gm[groupID], id)
			removed = append(removed, id)
		}
	}
	slices.Sort(removed)
	return removed, nil
}
func (x *memTx) ClearGroupMembers(_ context.Context, teamID, groupID string) (int, error) {
	g, ok := x.st.groups[groupID]
	if !ok || g.TeamID != teamID {
		return 0, nf()
	}
	n := len(x.st.gm[groupID])
	x.st.gm[groupID] = map[string]core.GroupMember{}
	return n, nil
}
func (x *memTx) CreateKey(_ context.Context, k core.APIKey) error {
	for _, o := range x.st.keys {
		if o.Prefix == k.Prefix {
			return conflict("uniqueness")
		}
	}
	x.st.keys[k.ID] = k
	x.st.epoch++
	return nil
}
func (x *memTx) AuthEpoch(context.Context) (int64, error) { return x.st.epoch, nil }
func (x *memTx) RevokeKey(_ context.Context, teamID, id string, at time.Time) error {
	k, ok := x.st.keys[id]
	if !ok || k.TeamID != teamID {
		return nf()
	}
	if k.RevokedAt == nil || at.Before(*k.RevokedAt) {
		k.RevokedAt = &at
	}
	x.st.keys[id] = k
	x.st.epoch++
	return nil
}
func (x *memTx) TouchKey(_ context.Context, id string, at time.Time) error {
	k, ok := x.st.keys[id]
	if !ok {
		return nf()
	}
	k.LastUsed = &at
	x.st.keys[id] = k
	return nil
}
func (x *memTx) AddDomain(_ context.Context, teamID, domain, token string, verified bool, at time.Time) error {
	if x.st.domains[teamID] == nil {
		x.st.domains[teamID] = map[string]core.Domain{}
	}
	name := filter.FoldCase(domain)
	d, ok := x.st.domains[teamID][name]
	if !ok {
		d = core.Domain{TeamID: teamID, Domain: name, CreatedAt: at}
	}
	d.Token, d.Verified, d.VerifiedAt, d.LastCheckAt, d.LastCheckResult = token, verified, nil, nil, ""
	if verified {
		d.VerifiedAt = &at
	}
	x.st.domains[teamID][name] = d
	return nil
}

func TestRunOnMemStore(t *testing.T) {
	Run(t, func(t *testing.T) store.Store { return newMemStore() })
}
