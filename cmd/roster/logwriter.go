package main

import (
	"io"
	"sync"
	"time"
)

// logWriter batches the server's log lines: a line is appended to a
// buffer and written out within logFlushInterval (at once when the buffer
// passes logFlushSize), so that the access log costs one write system
// call per interval instead of one per request. Close writes what is
// buffered; a process killed outright loses at most the last interval.
type logWriter struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	quit chan struct{}
	done chan struct{}
}

const (
	logFlushInterval = 50 * time.Millisecond
	logFlushSize     = 32 << 10
)

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{w: w, buf: make([]byte, 0, logFlushSize), quit: make(chan struct{}), done: make(chan struct{})}
	go l.run()
	return l
}

// Write implements io.Writer (slog handlers write one record per call).
func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if len(l.buf) >= logFlushSize {
		l.flushLocked()
	}
	return len(p), nil
}

func (l *logWriter) run() {
	defer close(l.done)
	t := time.NewTicker(logFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-l.quit:
			return
		case <-t.C:
			l.mu.Lock()
			l.flushLocked()
			l.mu.Unlock()
		}
	}
}

// flushLocked writes the buffer; a failed write drops it (there is nowhere
// else to report a broken log).
func (l *logWriter) flushLocked() {
	if len(l.buf) > 0 {
		_, _ = l.w.Write(l.buf) //nolint:errcheck // nowhere to report a broken log
		l.buf = l.buf[:0]
	}
}

// Close stops the flusher and writes what is buffered.
func (l *logWriter) Close() {
	close(l.quit)
	<-l.done
	l.mu.Lock()
	l.flushLocked()
	l.mu.Unlock()
}
