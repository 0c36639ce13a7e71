package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRedactJSON(t *testing.T) {
	key := "rsk_" + strings.Repeat("A1b2", 12)
	cases := []struct{ name, in, want string }{
		{"top-level password", `{"userName":"a","password":"s3cret"}`, `{"userName":"a","password":"[redacted]"}`},
		{"any case, any depth, any type", `{"a":[{"PASSWORD":{"x":["s3cret"]}},{"b":{"Password":42}}],"c":1}`,
			`{"a":[{"PASSWORD":"[redacted]"},{"b":{"Password":"[redacted]"}}],"c":1}`},
		{"PATCH path, value after", `{"Operations":[{"op":"replace","path":"password","value":"s3cret"},{"op":"add","path":"title","value":"x"}]}`,
			`{"Operations":[{"op":"replace","path":"password","value":"[redacted]"},{"op":"add","path":"title","value":"x"}]}`},
		{"PATCH URN path, value first", `[{"value":"s3cret","path":"urn:ietf:params:scim:schemas:core:2.0:User:Password"},{"value":{"k":1}}]`,
			`[{"value":"[redacted]","path":"urn:ietf:params:scim:schemas:core:2.0:User:Password"},{"value":{"k":1}}]`},
		{"objects after a redacted object keep their ordinals", `{"password":{"a":{}},"ops":[{"path":"x","value":"keep"},{"path":"password","value":"s3cret"}]}`,
			`{"password":"[redacted]","ops":[{"path":"x","value":"keep"},{"path":"password","value":"[redacted]"}]}`},
		{"tokens in strings", `{"note":"key ` + key + ` and Bearer abcdefghijklmnopqrstuvwxyz0123"}`,
			`{"note":"key [redacted] and [redacted]"}`},
		{"invalid JSON stops", `{"a":1,"password":"s3cret" "b"}`, `{"a":1,"password":"[redacted]"…[not valid JSON from here]`},
	}
	for _, c := range cases {
		if got := redactJSON([]byte(c.in), true, activityBodyLimit); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
	// Truncated input and output.
	long := `{"password":"s3cret","members":[` + strings.Repeat(`{"value":"0123456789"},`, 1000) + `{"value":"x"}]}`
	got := redactJSON([]byte(long), true, activityBodyLimit)
	if len(got) > activityBodyLimit+len("…[truncated]") || !strings.HasSuffix(got, "…[truncated]") || strings.Contains(got, "s3cret") {
		t.Errorf("long body: %d bytes, %q...", len(got), got[:60])
	}
	prefix := []byte(`{"a":"b","password":"s3cr`)
	if got := redactJSON(prefix, false, activityBodyLimit); got != `{"a":"b","password":"[redacted]"…[truncated]` && got != `{"a":"b","password":…[truncated]` {
		t.Errorf("prefix: %s", got)
	}
}

func TestActivityBody(t *testing.T) {
	if got := activityBody([]byte("hello"), 5, 5, "text/plain"); got != "[5 bytes, content-type text/plain]" {
		t.Errorf("text: %s", got)
	}
	if got := activityBody([]byte("abc"), 3, 1000, ""); got != "[1000 bytes, content-type none]" {
		t.Errorf("no type: %s", got)
	}
	if got := activityBody(nil, 0, -1, "application/scim+json"); got != "" {
		t.Errorf("empty: %s", got)
	}
	got := activityBody([]byte(`{"password":"x"}`), 16, 16, "application/json; charset=utf-8")
	if got != `{"password":"[redacted]"}` || !json.Valid([]byte(got)) {
		t.Errorf("json: %s", got)
	}
}

func BenchmarkRedactJSON(b *testing.B) {
	one := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"01a228cb-3fbb-7000-bbca-368e504e7979","active":true,"emails":[{"primary":true,"type":"work","value":"ann@acme.test"}],"name":{"familyName":"F","givenName":"G"},"userName":"ann@acme.test"}`
	body := []byte(`{"Resources":[` + strings.Repeat(one+",", 60) + one + `]}`)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		_ = activityBody(body[:min(len(body), activityResponseCapture)], int64(len(body)), -1, "application/scim+json")
	}
}
