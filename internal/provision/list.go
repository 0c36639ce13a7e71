package provision

import (
	"bytes"
	"context"
	"io"
	"strconv"

	"github.com/rosterhq/roster/internal/scim"
	"github.com/rosterhq/roster/internal/scim/filter"
	"github.com/rosterhq/roster/internal/store"
)

// List is one page of a query (RFC 7644 §3.4.2): the resources, the total
// number of matches and the paging position. Write it with WriteJSON.
type List struct {
	// Total is totalResults: the number of resources matching the filter.
	Total int
	// StartIndex is the 1-based index of the first resource (index
	// paging); 0 in a cursor-paged response, which omits it (RFC 9865).
	StartIndex int
	// Items are the page's resources.
	Items []*Resource
	// NextCursor is the cursor of the next page (RFC 9865 §3); "" on the
	// last page and in index paging.
	NextCursor string
}

// WriteJSON writes the page as a ListResponse (RFC 7644 §3.4.2, RFC 9865
// §3) with integer counters; each resource is written as it would be
// alone, group members streamed from the store.
func (l *List) WriteJSON(ctx context.Context, w io.Writer, base string) error {
	var b bytes.Buffer
	b.WriteString(`{"schemas":["` + scim.ListResponseSchema + `"],"totalResults":`)
	b.WriteString(strconv.Itoa(l.Total))
	b.WriteString(`,"itemsPerPage":`)
	b.WriteString(strconv.Itoa(len(l.Items)))
	if l.StartIndex > 0 {
		b.WriteString(`,"startIndex":`)
		b.WriteString(strconv.Itoa(l.StartIndex))
	}
	if l.NextCursor != "" {
		b.WriteString(`,"nextCursor":`)
		writeString(&b, l.NextCursor)
	}
	b.WriteString(`,"Resources":[`)
	if _, err := w.Write(b.Bytes()); err != nil {
		return err
	}
	for i, r := range l.Items {
		if i > 0 {
			if _, err := io.WriteString(w, ","); err != nil {
				return err
			}
		}
		if err := r.WriteJSON(ctx, w, base); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "]}")
	return err
}

// ListUsers answers a query on /Users (GET with query parameters, or POST
// /Users/.search; RFC 7644 §3.4.2, §3.4.3). Every member of the team is a
// User, active or not, so Okta's `userName eq "x"` lookup finds
// deactivated users too (case-insensitively); no match is an empty page,
// never 404.
func (s *Service) ListUsers(ctx context.Context, c Caller, sr scim.SearchRequest) (*List, error) {
	return s.list(ctx, c, scim.UserType(), sr)
}

// ListGroups answers a query on /Groups. Members are returned as RFC
// 7643 §4.2 says (returned by default), streamed per group; clients that
// do not need them should send excludedAttributes=members, which skips
// reading membership rows entirely.
func (s *Service) ListGroups(ctx context.Context, c Caller, sr scim.SearchRequest) (*List, error) {
	return s.list(ctx, c, scim.GroupType(), sr)
}

// query is a validated query on one resource type.
type query struct {
	rt         *scim.ResourceType
	proj       scim.Projection
	filter     filter.Expr
	filterText string
	sortBy     string
	descending bool
	count      int
	start      int
}

// prepare validates a SearchRequest for one resource type.
func (s *Service) prepare(rt *scim.ResourceType, sr scim.SearchRequest) (query, error) {
	q := query{rt: rt, count: s.cfg.DefaultCount, start: 1}
	var err error
	if q.proj, err = scim.NewProjection(rt, sr.Attributes, sr.ExcludedAttributes); err != nil {
		return query{}, err
	}
	if sr.Filter != "" {
		if q.filter, err = filter.Parse(sr.Filter); err != nil {
			return query{}, err
		}
		if err := filter.Check(rt, q.filter); err != nil {
			return query{}, err
		}
		q.filterText = q.filter.String()
	}
	if sr.SortBy != "" {
		if q.sortBy, err = sortPath(rt, sr.SortBy); err != nil {
			return query{}, err
		}
	}
	q.descending = sr.SortOrder == scim.SortDescending
	if sr.Count != nil {
		q.count = max(*sr.Count, 0)
	}
	q.count = min(q.count, s.cfg.MaxResults)
	if sr.StartIndex != nil {
		q.start = max(*sr.StartIndex, 1)
	}
	return q, nil
}

// sortPath resolves a sortBy attribute (RFC 7644 §3.4.2.3) and returns it
// spelled as the schema spells it, URN-qualified for an extension.
func sortPath(rt *scim.ResourceType, s string) (string, error) {
	p, err := scim.ParseAttrPath(s)
	if err != nil {
		return "", invalid("sortBy %q is not an attribute path", clip(s))
	}
	r, err := rt.Resolve(p)
	if err != nil || r.Target().IsComplex() && r.Target().Sub("value") == nil {
		return "", invalid("sortBy %q does not name a %s attribute that can be sorted on", clip(s), rt.Name)
	}
	name := r.Attr.Name
	if r.Sub != nil {
		name += "." + r.Sub.Name
	}
	if r.IsExtension(rt) {
		name = r.Schema.ID + ":" + name
	}
	return name, nil
}

// list runs a query on one resource type, with index or cursor paging.
func (s *Service) list(ctx context.Context, c Caller, rt *scim.ResourceType, sr scim.SearchRequest) (*List, error) {
	q, err := s.prepare(rt, sr)
	if err != nil {
		return nil, err
	}
	if sr.Cursor != nil {
		if sr.StartIndex != nil {
			return nil, invalid("startIndex and cursor cannot be combined: use one paging method (RFC 9865)")
		}
		return s.cursorPage(ctx, c, q, *sr.Cursor)
	}
	return s.indexPage(ctx, c, q)
}

// indexPage serves index paging (RFC 7644 §3.4.2.4). When the request
// continues a page this process served for the same unsorted query, it
// seeks past that page's last id (keyset) instead of using OFFSET.
func (s *Service) indexPage(ctx context.Context, c Caller, q query) (*List, error) {
	sq := store.Query{Filter: q.filter, SortBy: q.sortBy, Descending: q.descending, Offset: q.start - 1, Count: q.count}
	keyset := q.sortBy == "" && !q.descending
	var key pageKey
	if keyset {
		key = s.pages.key(c.TeamID, q.rt.ID, q.filterText)
		if q.start > 1 && q.count > 0 {
			if after, ok := s.pages.get(key, q.start-1); ok {
				sq.After, sq.Offset = after, 0
			}
		}
	}
	items, total, err := s.fetch(ctx, c, q, sq)
	if err != nil {
		return nil, err
	}
	if keyset && len(items) > 0 {
		s.pages.put(key, q.start-1+len(items), items[len(items)-1].id)
	}
	return &List{Total: total, StartIndex: q.start, Items: items}, nil
}

// cursorPage serves cursor paging (RFC 9865): the default order only,
// keyset from the id the cursor holds.
func (s *Service) cursorPage(ctx context.Context, c Caller, q query, cursor string) (*List, error) {
	if q.sortBy != "" || q.descending {
		return nil, invalid("cursor paging returns resources in their default order; sortBy and sortOrder cannot be combined with cursor")
	}
	hash := queryHash(c.TeamID, q.rt.ID, q.filterText)
	now := s.cfg.Now()
	after := ""
	if cursor != "" {
		var err error
		if after, err = s.cursors.open(cursor, hash, now, s.cfg.CursorTTL); err != nil {
			return nil, err
		}
	}
	sq := store.Query{Filter: q.filter, After: after, Count: q.count}
	if q.count > 0 {
		sq.Count = q.count + 1 // one more tells whether there is a next page
	}
	items, total, err := s.fetch(ctx, c, q, sq)
	if err != nil {
		return nil, err
	}
	l := &List{Total: total, Items: items}
	if q.count > 0 && len(items) > q.count {
		l.Items = items[:q.count]
		l.NextCursor = s.cursors.seal(l.Items[q.count-1].id, hash, now)
	}
	return l, nil
}

// fetch runs a store query for q's resource type and makes the
// resources.
func (s *Service) fetch(ctx context.Context, c Caller, q query, sq store.Query) ([]*Resource, int, error) {
	if q.rt == scim.GroupType() {
		page, err := s.st.Groups(ctx, c.TeamID, sq)
		if err != nil {
			return nil, 0, err
		}
		out := make([]*Resource, 0, len(page.Items))
		for _, g := range page.Items {
			out = append(out, s.groupResource(g, q.proj))
		}
		return out, page.Total, nil
	}
	page, err := s.st.Members(ctx, c.TeamID, sq)
	if err != nil {
		return nil, 0, err
	}
	out := make([]*Resource, 0, len(page.Items))
	for _, m := range page.Items {
		out = append(out, s.userResource(m, q.proj, true))
	}
	return out, page.Total, nil
}

// Search answers POST /.search at the service root (RFC 7644 §3.4.3): a
// query over Users and Groups together. Users come first, then Groups,
// each in id order; startIndex and count page over the concatenation.
// A filter that names an attribute one type does not have matches no
// resource of that type; a filter valid for neither is 400. sortBy and
// cursor paging are supported on /Users and /Groups only.
func (s *Service) Search(ctx context.Context, c Caller, sr scim.SearchRequest) (*List, error) {
	if sr.Cursor != nil {
		return nil, invalid("cursor paging is supported on /Users/.search and /Groups/.search, not across resource types")
	}
	if sr.SortBy != "" {
		return nil, invalid("sortBy is not supported when searching across resource types; search /Users or /Groups")
	}
	var qs []query
	var firstErr error
	for _, rt := range scim.ResourceTypes() {
		q, err := s.prepare(rt, sr)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		qs = append(qs, q)
	}
	if len(qs) == 0 {
		return nil, firstErr
	}
	start, count := qs[0].start, qs[0].count
	l := &List{StartIndex: start}
	skip := start - 1
	for _, q := range qs {
		want := count - len(l.Items)
		sq := store.Query{Filter: q.filter, Offset: skip, Count: max(want, 0)}
		items, total, err := s.fetch(ctx, c, q, sq)
		if err != nil {
			return nil, err
		}
		l.Total += total
		l.Items = append(l.Items, items...)
		skip = max(skip-total, 0)
	}
	return l, nil
}
