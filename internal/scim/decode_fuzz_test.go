package scim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode feeds arbitrary bodies to Decode for both resource types,
// with and without quirks, and checks its invariants: it never panics;
// every error is an *Error with status 400 and a scimType; an accepted
// document has no id, meta, groups, password or Roster extension, and
// decoding its JSON encoding again gives the same document.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		string(oktaCreate),
		`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"a","active":"True","roles":[],"meta":{"resourceType":"User"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"value":"m","displayName":"x"}}}`,
		`{"urn:ietf:params:scim:schemas:core:2.0:User:userName":"a","name.givenName":"A","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m"}`,
		`{"schemas":["urn:scim:schemas:core:1.0"],"id":null,"userName":"k","active":"true","urn:scim:schemas:extension:enterprise:1.0":{"department":"S"}}`,
		`{"displayName":"G","members":[{"value":"u-1","display":"A"},"u-2",null]}`,
		`{"userName":"a","emails":[{"value":"a","primary":true},{"value":"b","primary":true}]}`,
		`{"userName":"a","x509Certificates":[{"value":"TUlJ"}],"USERNAME":null}`,
		`{"userName":"a","x":[[[[[[[[[]]]]]]]]]}`,
		`[]`, `""`, `{`, ``, `{"userName":1e999}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	quirks := []Quirks{DefaultQuirks(), {}}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, rt := range ResourceTypes() {
			for _, q := range quirks {
				doc, err := Decode(rt, body, q)
				if err != nil {
					e, ok := AsError(err)
					if !ok {
						t.Fatalf("%s: error is not *Error: %T %v", rt.ID, err, err)
					}
					if e.Status != 400 || e.Type == "" || e.Detail == "" {
						t.Fatalf("%s: error %+v: want status 400, a scimType and a detail", rt.ID, e)
					}
					continue
				}
				for _, k := range []string{"id", "meta", "groups", "password", RosterUserSchema} {
					if _, ok := doc[k]; ok {
						t.Fatalf("%s: accepted document has %q: %v", rt.ID, k, doc)
					}
				}
				if _, ok := doc["schemas"].([]any); !ok {
					t.Fatalf("%s: accepted document has no schemas list", rt.ID)
				}
				b, err := json.Marshal(doc)
				if err != nil {
					t.Fatalf("%s: marshal: %v", rt.ID, err)
				}
				again, err := Decode(rt, b, q)
				if err != nil {
					t.Fatalf("%s: decoding the accepted document again: %v\n%s", rt.ID, err, b)
				}
				if diff := cmp.Diff(doc, again); diff != "" {
					t.Fatalf("%s: not idempotent (-first +second):\n%s", rt.ID, diff)
				}
			}
		}
	})
}
