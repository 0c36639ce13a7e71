package scim

import (
	"fmt"
	"strings"
	"testing"
)

func TestResourceShapeLimits(t *testing.T) {
	items := func(n int, f string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(f, i)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	attrs := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"userName":"a"`)
		for i := range n - 1 {
			fmt.Fprintf(&b, `,"x%d":1`, i)
		}
		return b.String() + "}"
	}
	emails := func(n int) string { return items(n, `{"value":"e%d@x.example","type":"other"}`) }
	members := items(MaxMultiValuedItems+500, `{"value":"m%d"}`)
	for _, tc := range []struct {
		name string
		rt   *ResourceType
		body string
		want string // "" accepted, else the scimType
	}{
		{"emails at the limit", UserType(), `{"userName":"a","emails":` + emails(MaxMultiValuedItems) + `}`, ""},
		{"emails over the limit", UserType(), `{"userName":"a","emails":` + emails(MaxMultiValuedItems+1) + `}`, ErrTooMany},
		{"emails under the core URN", UserType(), `{"userName":"a","urn:ietf:params:scim:schemas:core:2.0:User":{"emails":` + emails(MaxMultiValuedItems+1) + `}}`, ErrTooMany},
		{"unknown attribute's array", UserType(), `{"userName":"a","custom":` + items(MaxMultiValuedItems+1, "%d") + `}`, ErrTooMany},
		{"attributes at the limit", UserType(), attrs(MaxResourceAttributes), ""},
		{"attributes over the limit", UserType(), attrs(MaxResourceAttributes + 1), ErrInvalidValue},
		{"group members exempt", GroupType(), `{"displayName":"g","members":` + members + `}`, ""},
	} {
		_, err := Decode(tc.rt, []byte(tc.body), DefaultQuirks())
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if e, ok := AsError(err); !ok || e.Status != 400 || e.Type != tc.want {
			t.Errorf("%s: got %v, want 400 %s", tc.name, err, tc.want)
		}
	}

	for _, tc := range []struct {
		name, path, value, want string
	}{
		{"emails by path", "emails", emails(MaxMultiValuedItems + 1), ErrTooMany},
		{"emails by path at the limit", "emails", emails(MaxMultiValuedItems), ""},
		{"members by path", "members", members, ""},
		{"members by URN path", "urn:ietf:params:scim:schemas:core:2.0:Group:members", members, ""},
		{"members with a filter", `members[value eq "x"]`, members, ""},
		{"path-less value", "", `{"phoneNumbers":` + emails(MaxMultiValuedItems+1) + `}`, ErrTooMany},
		{"path-less members", "", `{"members":` + members + `}`, ""},
		{"path-less attributes", "", attrs(MaxResourceAttributes + 1), ErrInvalidValue},
	} {
		body := `{"Operations":[{"op":"add","path":"` + strings.ReplaceAll(tc.path, `"`, `\"`) + `","value":` + tc.value + `}]}`
		_, err := DecodePatchRequest([]byte(body), 0)
		if tc.want == "" {
			if err != nil {
				t.Errorf("PATCH %s: %v", tc.name, err)
			}
			continue
		}
		if e, ok := AsError(err); !ok || e.Status != 400 || e.Type != tc.want {
			t.Errorf("PATCH %s: got %v, want 400 %s", tc.name, err, tc.want)
		}
	}
}
