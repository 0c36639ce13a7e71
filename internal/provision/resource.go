package provision

import (
	"bytes"
	"context"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
)

// timeLayout is the xsd:dateTime form of meta.created and
// meta.lastModified (RFC 7643 §2.3.5), in UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// Resource is one User or Group as a response shows it: its document,
// the projection the request asked for (RFC 7644 §3.9) and, for a Group
// whose members are returned, a way to stream them. Write it with
// WriteJSON.
type Resource struct {
	rt       *scim.ResourceType
	id       string
	version  int64
	created  time.Time
	modified time.Time
	// body is the document without meta, groups and members.
	body map[string]any
	proj scim.Projection
	// groups are a User's groups, when the projection returns them.
	groups []core.GroupRef
	// members streams a Group's members; nil when they are not returned.
	members func(ctx context.Context, fn func(core.GroupMember) error) error
}

// ID returns the resource id.
func (r *Resource) ID() string { return r.id }

// ResourceType returns "User" or "Group".
func (r *Resource) ResourceType() string { return r.rt.Name }

// ETag returns the resource's version as a weak entity tag, W/"<n>"
// (RFC 7644 §3.14); it is also meta.version.
func (r *Resource) ETag() string { return etag(r.version) }

// Location returns the absolute URI of the resource under base, the SCIM
// base URL (e.g. "https://roster.example.com/scim/v2").
func (r *Resource) Location(base string) string {
	return location(base, r.rt, r.id)
}

// MatchesAny reports whether the resource's ETag is one of tags, as
// If-None-Match compares them (weak comparison, RFC 9110 §13.1.2); "*"
// matches any resource.
func (r *Resource) MatchesAny(tags []string) bool {
	return versionIn(r.version, tags)
}

// WriteJSON writes the resource as JSON to w: the projected document with
// meta (location under base) and, for a Group, its members streamed from
// the store as they are read. An error after the first byte leaves a
// truncated document; the caller can only log it. A Resource is written
// by one goroutine at a time (meta and groups are laid over its body for
// the projection, and taken off again).
func (r *Resource) WriteJSON(ctx context.Context, w io.Writer, base string) error {
	doc := r.body
	doc[keyMeta] = map[string]any{
		"resourceType": r.rt.Name,
		"created":      r.created.UTC().Format(timeLayout),
		"lastModified": r.modified.UTC().Format(timeLayout),
		"location":     r.Location(base),
		"version":      r.ETag(),
	}
	if len(r.groups) > 0 {
		gs := make([]any, 0, len(r.groups))
		for _, g := range r.groups {
			v := map[string]any{
				"value": g.ID,
				"$ref":  location(base, scim.GroupType(), g.ID),
				"type":  "direct",
			}
			if g.DisplayName != "" {
				v["display"] = g.DisplayName
			}
			gs = append(gs, v)
		}
		doc[keyGroups] = gs
	}
	out := r.proj.Apply(doc)
	delete(doc, keyMeta)
	delete(doc, keyGroups)
	buf := jsonBufs.Get().(*bytes.Buffer)
	defer putJSONBuf(buf)
	if err := writeObject(buf, out); err != nil {
		return err
	}
	if r.members == nil {
		_, err := w.Write(buf.Bytes())
		return err
	}
	// Leave the object open and append the members as they stream.
	b := buf.Bytes()
	b = b[:len(b)-1]
	if len(out) > 0 {
		b = append(b, ',')
	}
	b = append(b, `"members":[`...)
	if _, err := w.Write(b); err != nil {
		return err
	}
	mw := &memberWriter{w: w, base: base}
	if err := r.members(ctx, mw.write); err != nil {
		return err
	}
	if err := mw.flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "]}")
	return err
}

// jsonBufs recycles the buffers a resource is encoded into (a user is a
// little over 1 KiB).
var jsonBufs = sync.Pool{New: func() any { b := new(bytes.Buffer); b.Grow(2 << 10); return b }}

func putJSONBuf(b *bytes.Buffer) {
	if b.Cap() > 64<<10 {
		return // a large group's document: let it go
	}
	b.Reset()
	jsonBufs.Put(b)
}

// memberWriter writes group members as JSON array elements, buffering a
// few hundred at a time.
type memberWriter struct {
	w    io.Writer
	base string
	buf  bytes.Buffer
	n    int
	err  error
}

func (m *memberWriter) write(gm core.GroupMember) error {
	if m.n > 0 {
		m.buf.WriteByte(',')
	}
	m.n++
	typ := gm.Type
	if typ == "" {
		typ = "User"
	}
	rt := scim.UserType()
	if typ == "Group" {
		rt = scim.GroupType()
	}
	m.buf.WriteString(`{"value":`)
	writeString(&m.buf, gm.Value)
	m.buf.WriteString(`,"$ref":`)
	writeString(&m.buf, location(m.base, rt, gm.Value))
	if gm.Display != "" {
		m.buf.WriteString(`,"display":`)
		writeString(&m.buf, gm.Display)
	}
	m.buf.WriteString(`,"type":`)
	writeString(&m.buf, typ)
	m.buf.WriteByte('}')
	if m.buf.Len() >= 32<<10 {
		return m.flush()
	}
	return nil
}

func (m *memberWriter) flush() error {
	if m.buf.Len() == 0 {
		return nil
	}
	_, err := m.w.Write(m.buf.Bytes())
	m.buf.Reset()
	if err != nil {
		m.err = err
	}
	return err
}

// location is the absolute URI of a resource: base + endpoint + "/" + id.
func location(base string, rt *scim.ResourceType, id string) string {
	return strings.TrimRight(base, "/") + rt.Endpoint + "/" + url.PathEscape(id)
}

// etag formats a version as a weak entity tag.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// parseVersion reads an entity tag as Roster writes it — W/"<n>", also
// "<n>" or a bare n — and reports whether it is one.
func parseVersion(tag string) (int64, bool) {
	t := strings.TrimSpace(tag)
	t = strings.TrimPrefix(t, "W/")
	t = strings.TrimPrefix(t, "w/")
	t = strings.TrimSuffix(strings.TrimPrefix(t, `"`), `"`)
	n, err := strconv.ParseInt(t, 10, 64)
	return n, err == nil && n > 0
}

// versionIn reports whether version matches one of tags ("*" matches).
func versionIn(version int64, tags []string) bool {
	for _, t := range tags {
		if strings.TrimSpace(t) == "*" {
			return true
		}
		if v, ok := parseVersion(t); ok && v == version {
			return true
		}
	}
	return false
}

// Conditions are the preconditions of a write (RFC 7644 §3.14, RFC 9110
// §13.1): entity tags from If-Match and If-None-Match ("*" for any). A
// write whose resource's version is not in a non-empty IfMatch, or is in
// IfNoneMatch, fails with 412 and changes nothing.
type Conditions struct {
	IfMatch     []string
	IfNoneMatch []string
}

// check returns a 412 error when version does not satisfy c.
func (c Conditions) check(rt *scim.ResourceType, id string, version int64) error {
	if len(c.IfMatch) > 0 && !versionIn(version, c.IfMatch) {
		return preconditionFailed(rt, id)
	}
	if len(c.IfNoneMatch) > 0 && versionIn(version, c.IfNoneMatch) {
		return preconditionFailed(rt, id)
	}
	return nil
}

// pinned reports whether the write is bound to a version the client read,
// so that losing a race is 412 rather than a retry.
func (c Conditions) pinned() bool { return len(c.IfMatch) > 0 || len(c.IfNoneMatch) > 0 }

// writeObject writes a document as a JSON object with its keys in a
// readable order: schemas, id, externalId, then the core attributes
// sorted, meta, then extension URNs sorted. Nested values are written by
// encoding/json without HTML escaping.
func writeObject(buf *bytes.Buffer, doc map[string]any) error {
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		switch {
		case k == keySchemas:
			return 0
		case k == keyID:
			return 1
		case k == keyExternalID:
			return 2
		case k == keyMeta:
			return 4
		case strings.HasPrefix(k, "urn:"):
			return 5
		default:
			return 3
		}
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeString(buf, k)
		buf.WriteByte(':')
		if err := writeValue(buf, doc[k]); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// writeValue writes v as JSON without HTML escaping (scim.AppendJSON:
// what encoding/json writes, without its reflection).
func writeValue(buf *bytes.Buffer, v any) error {
	b, err := scim.AppendJSON(buf.AvailableBuffer(), v)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

// writeString writes s as a JSON string.
func writeString(buf *bytes.Buffer, s string) {
	buf.Write(scim.AppendJSONString(buf.AvailableBuffer(), s, false))
}

// docsEqual reports whether two stored documents are equal, comparing
// their JSON forms so that number types read back from a store (float64
// or json.Number for an int64 written) compare by value.
func docsEqual(a, b map[string]any) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	var sa, sb [1024]byte
	ja, errA := scim.AppendJSON(sa[:0], a)
	jb, errB := scim.AppendJSON(sb[:0], b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}
