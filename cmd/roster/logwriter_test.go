package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for the flusher and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// The log writer holds lines briefly, writes them within the flush
// interval, at once past the size bound, and all of them on Close, in
// order.
func TestLogWriter(t *testing.T) {
	var out lockedBuffer
	w := newLogWriter(&out)
	if _, err := w.Write([]byte("one\n")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for out.String() != "one\n" {
		if time.Now().After(deadline) {
			t.Fatalf("after the flush interval the output is %q, want the line", out.String())
		}
		time.Sleep(time.Millisecond)
	}
	big := strings.Repeat("x", logFlushSize) + "\n"
	if _, err := w.Write([]byte(big)); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "one\n"+big {
		t.Fatalf("a write past the size bound was held (%d bytes out)", len(got))
	}
	if _, err := w.Write([]byte("last\n")); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if got := out.String(); got != "one\n"+big+"last\n" {
		t.Fatalf("after Close the output ends %q", got[max(0, len(got)-10):])
	}
}
