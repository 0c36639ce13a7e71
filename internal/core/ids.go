package core

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"io"
	"sync"
	"time"
)

// Clock returns the current time. Use cases take one so that tests and
// golden files are deterministic.
type Clock func() time.Time

// IDGen returns a new unique id. Use cases take one so that tests are
// deterministic.
type IDGen func() string

// NewIDGen returns a generator of RFC 9562 version 7 UUIDs in canonical
// lower-case text: opaque, unique, never reused, and ordered by creation
// time as text, so that "ORDER BY id" is creation order and the primary-key
// index serves stable paging. Within one generator ids are strictly
// increasing even within one millisecond (the 12-bit rand_a field is a
// counter, RFC 9562 §6.2 method 1). now and r default to time.Now and
// crypto/rand.Reader when nil.
func NewIDGen(now Clock, r io.Reader) IDGen {
	if now == nil {
		now = time.Now
	}
	if r == nil {
		r = rand.Reader
	}
	var (
		mu     sync.Mutex
		lastMS int64
		seq    uint16
	)
	return func() string {
		var b [16]byte
		if _, err := io.ReadFull(r, b[6:]); err != nil {
			panic("roster: random source failed: " + err.Error())
		}
		mu.Lock()
		ms := now().UnixMilli()
		if ms <= lastMS {
			ms = lastMS
			seq++
			if seq > 0x0fff { // counter exhausted: borrow the next millisecond
				ms++
				seq = 0
			}
		} else {
			seq = 0
		}
		lastMS = ms
		s := seq
		mu.Unlock()
		var ts [8]byte
		binary.BigEndian.PutUint64(ts[:], uint64(ms)) //nolint:gosec // a Unix time in ms is positive
		copy(b[0:6], ts[2:8])
		b[6] = 0x70 | byte(s>>8)
		b[7] = byte(s & 0xff) //nolint:gosec // masked to one byte
		b[8] = 0x80 | b[8]&0x3f
		var out [36]byte
		hex.Encode(out[0:8], b[0:4])
		out[8] = '-'
		hex.Encode(out[9:13], b[4:6])
		out[13] = '-'
		hex.Encode(out[14:18], b[6:8])
		out[18] = '-'
		hex.Encode(out[19:23], b[8:10])
		out[23] = '-'
		hex.Encode(out[24:36], b[10:16])
		return string(out[:])
	}
}
