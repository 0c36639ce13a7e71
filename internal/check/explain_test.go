package check

import (
	"strings"
	"testing"
)

// Explain gives the conclusions and fixes of the check's own diagnosis.
func TestExplain(t *testing.T) {
	for _, tc := range []struct {
		status            int
		scimType, detail  string
		body              string
		wantExpl, wantFix string
	}{
		{200, "", "", "", "", ""},
		{201, "", "", "{}", "", ""},
		{401, "", "the API key was revoked", "", "401", "revoked: generate a new SCIM key"},
		{401, "", "the API key has expired", "", "401", "expired"},
		{403, "", "SCIM provisioning is disabled for this team", "", "switched off", "turns SCIM on"},
		{404, "", "", "not json", "404", "/scim/v2"},
		{409, "uniqueness", "a user with userName \"a\" already exists", "", "already exists", "troubleshooting"},
		{429, "", "", "", "429", "Retry-After"},
		{500, "", "boom", "", "500", "log"},
		{400, "", "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"from the body"}`, "from the body", "troubleshooting"},
		{400, "", "", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Err`, "not a SCIM error", "troubleshooting"},
	} {
		expl, fix := Explain(tc.status, tc.scimType, tc.detail, []byte(tc.body))
		if tc.wantExpl == "" {
			if expl != "" || fix != "" {
				t.Errorf("Explain(%d) = %q, %q; want nothing for a success", tc.status, expl, fix)
			}
			continue
		}
		if !strings.Contains(expl, tc.wantExpl) || !strings.Contains(fix, tc.wantFix) {
			t.Errorf("Explain(%d, %q) = %q, %q; want %q and %q", tc.status, tc.detail, expl, fix, tc.wantExpl, tc.wantFix)
		}
	}
}
