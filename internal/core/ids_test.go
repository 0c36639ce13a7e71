package core

import (
	"regexp"
	"testing"
	"time"
)

var uuidV7 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestIDGenIsOrderedAndWellFormed(t *testing.T) {
	fixed := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	gen := NewIDGen(func() time.Time { return fixed }, nil)
	prev := ""
	for i := range 10000 { // more than the 4096 ids of one millisecond's counter
		id := gen()
		if !uuidV7.MatchString(id) {
			t.Fatalf("id %d %q is not a canonical UUIDv7", i, id)
		}
		if id <= prev {
			t.Fatalf("id %d %q not greater than previous %q", i, id, prev)
		}
		prev = id
	}
}

func TestIDGenFollowsClock(t *testing.T) {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	gen := NewIDGen(func() time.Time { return now }, nil)
	a := gen()
	now = now.Add(time.Second)
	b := gen()
	if a[:13] == b[:13] || b <= a {
		t.Fatalf("ids %q and %q do not reflect the clock", a, b)
	}
}
