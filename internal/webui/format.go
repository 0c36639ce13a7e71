package webui

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// nowFunc is the clock of the short time formats (tests may replace it).
var nowFunc = time.Now

// shortTime formats a time for a table cell, in UTC: the time of day for
// today ("21:27:05"), month, day and time this year ("Nov 29 21:27"), the
// date otherwise ("2025-11-29"). The full time goes in the <time>
// element's title (fullTime) and datetime (iso) attributes.
func shortTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	now := nowFunc().UTC()
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04:05")
	case t.Year() == now.Year():
		return t.Format("Jan 2 15:04")
	}
	return t.Format(time.DateOnly)
}

// fullTime is a time in full, for a title: "2026-11-29 21:27:05 UTC".
func fullTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// latency formats a duration in whole milliseconds; the log rounds down,
// so 0 is "<1 ms".
func latency(ms int64) string {
	if ms <= 0 {
		return "<1 ms"
	}
	return strconv.FormatInt(ms, 10) + " ms"
}

// shortID shortens an id for a table cell: its last 8 characters (the
// leading ones of a UUIDv7 are the timestamp, the same for ids made
// together). The full id goes in a title.
func shortID(id string) string {
	if len(id) <= 12 {
		return id
	}
	return "…" + id[len(id)-8:]
}

// readablePath shows a request path with its query decoded, as people
// read it: /Users?filter=userName eq "a@b.test" rather than
// /Users?filter=userName+eq+%22a%40b.test%22. A query that does not
// decode is shown as it is.
func readablePath(p string) string {
	path, query, ok := strings.Cut(p, "?")
	if !ok {
		return p
	}
	q, err := url.QueryUnescape(query)
	if err != nil {
		return p
	}
	return path + "?" + q
}
