package webui

import (
	"testing"
	"time"

	roster "github.com/rosterhq/roster"
)

func TestShortTime(t *testing.T) {
	now := time.Date(2026, 11, 29, 21, 40, 0, 0, time.UTC)
	defer func(f func() time.Time) { nowFunc = f }(nowFunc)
	nowFunc = func() time.Time { return now }
	paris := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Time{}, ""},
		{time.Date(2026, 11, 29, 21, 27, 5, 0, time.UTC), "21:27:05"},
		{time.Date(2026, 11, 29, 22, 27, 5, 0, paris), "21:27:05"}, // shown in UTC
		{time.Date(2026, 11, 28, 23, 59, 0, 0, time.UTC), "Nov 28 23:59"},
		{time.Date(2026, 12, 29, 9, 0, 0, 0, time.UTC), "Dec 29 09:00"},
		{time.Date(2025, 11, 29, 21, 27, 0, 0, time.UTC), "2025-11-29"},
	} {
		if got := shortTime(tc.at); got != tc.want {
			t.Errorf("shortTime(%v) = %q, want %q", tc.at, got, tc.want)
		}
	}
	if got := fullTime(time.Date(2026, 11, 29, 22, 27, 5, 0, paris)); got != "2026-11-29 21:27:05 UTC" {
		t.Errorf("fullTime = %q", got)
	}
}

func TestLatencyAndShortID(t *testing.T) {
	for ms, want := range map[int64]string{0: "<1 ms", -1: "<1 ms", 1: "1 ms", 1234: "1234 ms"} {
		if got := latency(ms); got != want {
			t.Errorf("latency(%d) = %q, want %q", ms, got, want)
		}
	}
	if got := shortID("01a22934-f3c2-7000-86db-6cbc58adb778"); got != "…58adb778" {
		t.Errorf("shortID = %q", got)
	}
	if got := shortID("cli"); got != "cli" {
		t.Errorf("shortID(cli) = %q", got)
	}
}

func TestReadablePath(t *testing.T) {
	for in, want := range map[string]string{
		"/scim/v2/Users": "/scim/v2/Users",
		"/scim/v2/Users?filter=userName+eq+%22a%40b.test%22": `/scim/v2/Users?filter=userName eq "a@b.test"`,
		"/scim/v2/Users?startIndex=1&count=2":                "/scim/v2/Users?startIndex=1&count=2",
		"/scim/v2/Users?filter=%zz":                          "/scim/v2/Users?filter=%zz",
	} {
		if got := readablePath(in); got != want {
			t.Errorf("readablePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTargetName(t *testing.T) {
	ada := roster.Actor{Kind: "account", ID: "acc-1", Name: "ada@acme.test"}
	for _, tc := range []struct {
		ev   roster.AuditEvent
		want string
	}{
		{roster.AuditEvent{Actor: ada, TargetType: "user", TargetID: "u-1",
			Summary: map[string]any{"email": "erin@acme.test", "userName": "erin"}}, "erin@acme.test"},
		{roster.AuditEvent{Actor: ada, TargetType: "group", TargetID: "g-1",
			Summary: map[string]any{"displayName": "Engineering", "members_added": 3}}, "Engineering"},
		{roster.AuditEvent{Actor: ada, TargetType: "key", TargetID: "k-1", Summary: map[string]any{"name": "Okta"}}, "Okta"},
		{roster.AuditEvent{Actor: ada, TargetType: "account", TargetID: "acc-1"}, "ada@acme.test"},
		{roster.AuditEvent{Actor: ada, TargetType: "team", TargetID: "t-1", Summary: map[string]any{"name": "  "}}, ""},
		{roster.AuditEvent{Actor: ada, TargetType: "member", TargetID: "m-1", Summary: map[string]any{"email": 42}}, ""},
	} {
		if got := targetName(tc.ev); got != tc.want {
			t.Errorf("targetName(%s %s) = %q, want %q", tc.ev.TargetType, tc.ev.TargetID, got, tc.want)
		}
	}
}
