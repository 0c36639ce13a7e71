package provision

import (
	"bytes"
	"container/list"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"sync"
	"time"

	"github.com/rosterhq/roster/internal/scim"
)

// Bounds of the keyset page cache.
const (
	pageCacheSize = 4096
	pageCacheTTL  = 10 * time.Minute
)

// pageCache remembers, for unsorted queries, the id of the last resource
// of the pages this process served: (team, resource type, filter,
// generation, position) → id. A request whose startIndex continues a
// remembered page is served with keyset paging (store.Query.After)
// instead of OFFSET, so walking a large result page by page costs the
// same at every depth.
//
// The generation keeps positions honest: a delete shifts the position of
// everything after it, so deletes of a type advance its generation and
// orphan its entries; an update can move a resource into or out of a
// filtered result, so updates advance the generation that filtered
// queries use. Creates do not: ids grow with time (core.NewIDGen), so a
// new resource lands after every remembered position. Entries expire after
// pageCacheTTL and the least recently used go first beyond pageCacheSize.
// A miss costs nothing but an OFFSET query.
type pageCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	entries map[pageEntryKey]*list.Element
	lru     *list.List // of *pageEntry, most recent first
	deletes map[string]uint64
	updates map[string]uint64
}

// pageKey identifies one query at one generation.
type pageKey struct {
	team, rt, filter string
	gen              uint64
	upd              uint64
}

type pageEntryKey struct {
	pageKey
	pos int
}

type pageEntry struct {
	key     pageEntryKey
	id      string
	expires time.Time
}

func newPageCache(size int, ttl time.Duration) *pageCache {
	return &pageCache{
		max:     size,
		ttl:     ttl,
		entries: map[pageEntryKey]*list.Element{},
		lru:     list.New(),
		deletes: map[string]uint64{},
		updates: map[string]uint64{},
	}
}

func genKey(team, rt string) string { return team + "\x00" + rt }

// key returns the key of a query at the current generations.
func (c *pageCache) key(team, rt, filter string) pageKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := pageKey{team: team, rt: rt, filter: filter, gen: c.deletes[genKey(team, rt)]}
	if filter != "" {
		k.upd = c.updates[genKey(team, rt)]
	}
	return k
}

// get returns the id of the resource at 1-based position pos.
func (c *pageCache) get(k pageKey, pos int) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[pageEntryKey{k, pos}]
	if !ok {
		return "", false
	}
	e := el.Value.(*pageEntry)
	if time.Now().After(e.expires) {
		c.lru.Remove(el)
		delete(c.entries, e.key)
		return "", false
	}
	c.lru.MoveToFront(el)
	return e.id, true
}

// put remembers that position pos holds id.
func (c *pageCache) put(k pageKey, pos int, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ek := pageEntryKey{k, pos}
	exp := time.Now().Add(c.ttl)
	if el, ok := c.entries[ek]; ok {
		e := el.Value.(*pageEntry)
		e.id, e.expires = id, exp
		c.lru.MoveToFront(el)
		return
	}
	c.entries[ek] = c.lru.PushFront(&pageEntry{key: ek, id: id, expires: exp})
	for c.lru.Len() > c.max {
		old := c.lru.Back()
		c.lru.Remove(old)
		delete(c.entries, old.Value.(*pageEntry).key)
	}
}

// bumpDelete advances the delete generation of a team's resource type.
func (c *pageCache) bumpDelete(team, rt string) {
	c.mu.Lock()
	c.deletes[genKey(team, rt)]++
	c.mu.Unlock()
}

// bumpUpdate advances the update generation of a team's resource type.
func (c *pageCache) bumpUpdate(team, rt string) {
	c.mu.Lock()
	c.updates[genKey(team, rt)]++
	c.mu.Unlock()
}

// Cursor format (RFC 9865): base64url without padding (only unreserved
// characters, RFC 3986 §2.3) of
//
//	version (1) | issued, Unix seconds (8) | query hash (16) | last id | HMAC-SHA256 (16)
//
// The HMAC covers everything before it, so a cursor cannot be forged,
// edited or moved to another query or team.
const (
	cursorVersion = 1
	cursorHashLen = 16
	cursorMACLen  = 16
	cursorHeader  = 1 + 8 + cursorHashLen
	maxCursorLen  = 512
)

// cursorSealer makes and checks cursors with one secret.
type cursorSealer struct{ key []byte }

// queryHash identifies a cursor-paged query: team, resource type and
// canonical filter (RFC 9865: every parameter but cursor, and count, must
// stay the same between pages).
func queryHash(team, rt, filter string) []byte {
	h := sha256.New()
	for _, s := range []string{team, rt, filter} {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	return h.Sum(nil)[:cursorHashLen]
}

func (c cursorSealer) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, c.key)
	m.Write(payload)
	return m.Sum(nil)[:cursorMACLen]
}

// seal returns the cursor of the page after the resource with id lastID.
func (c cursorSealer) seal(lastID string, hash []byte, now time.Time) string {
	p := make([]byte, 0, cursorHeader+len(lastID)+cursorMACLen)
	p = append(p, cursorVersion)
	p = binary.BigEndian.AppendUint64(p, uint64(now.Unix())) //nolint:gosec // a current Unix time is positive
	p = append(p, hash...)
	p = append(p, lastID...)
	p = append(p, c.mac(p)...)
	return base64.RawURLEncoding.EncodeToString(p)
}

// open checks a cursor for the query with the given hash and returns the
// last id it holds. A cursor that is not one of ours, was altered, or
// belongs to another query is 400 invalidCursor; one older than ttl is
// 400 expiredCursor (RFC 9865 §3).
func (c cursorSealer) open(cursor string, hash []byte, now time.Time, ttl time.Duration) (string, error) {
	bad := scim.BadRequest(scim.ErrInvalidCursor,
		"the cursor is not valid for this query: send an empty cursor for the first page, then each response's nextCursor with the same filter")
	if len(cursor) > maxCursorLen {
		return "", bad
	}
	p, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(p) < cursorHeader+cursorMACLen || p[0] != cursorVersion {
		return "", bad
	}
	body, sum := p[:len(p)-cursorMACLen], p[len(p)-cursorMACLen:]
	if !hmac.Equal(sum, c.mac(body)) || !bytes.Equal(body[9:cursorHeader], hash) {
		return "", bad
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(body[1:9])), 0) //nolint:gosec // written by seal from a Unix time
	if now.Sub(issued) > ttl {
		return "", scim.BadRequest(scim.ErrExpiredCursor,
			"the cursor has expired (cursors are valid for %d seconds): start again with an empty cursor", int(ttl/time.Second))
	}
	id := string(body[cursorHeader:])
	if id == "" {
		return "", bad
	}
	return id, nil
}
