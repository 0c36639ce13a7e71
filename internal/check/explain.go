package check

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Explain returns what `roster check` concludes about a SCIM answer that
// failed (status 300 and above) and how to fix it, the same text the check
// prints for such a step; both are "" for a success. scimType and detail
// are the SCIM error's (as the provisioning activity log keeps them); when
// both are empty, body is read as the error body instead (it may be
// truncated, in which case it is treated as not a SCIM error).
func Explain(status int, scimType, detail string, body []byte) (explanation, fix string) {
	if status < 300 {
		return "", ""
	}
	if scimType != "" || detail != "" {
		b, err := json.Marshal(scimError{Schemas: []string{errorURN}, Status: strconv.Itoa(status), ScimType: scimType, Detail: detail})
		if err == nil {
			body = b
		}
	}
	c := &checker{}
	return c.failure(response{status: status, ctype: "application/scim+json", header: http.Header{}, body: body})
}
