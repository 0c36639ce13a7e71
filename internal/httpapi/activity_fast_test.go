package httpapi

import (
	"strings"
	"testing"
)

// plainCases are bodies for the differential test of plainJSON against
// the token-by-token path: some it must take, some it must refuse.
var plainCases = []string{
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"Resources":[{"id":"x","userName":"ann@acme.test","active":true,"name":{"givenName":"Ann"},"n":-1.5e3,"z":null}]}` + "\n",
	" { \"a\" : [ 1 , 2 , { } , [ ] ] , \"b\" : \"two  spaces\" } \n",
	`{"name":"José Ñúñez","city":"Zürich"}`,
	`[1,2,3]`,
	`"just a string"`,
	`42`,
	`{"a":"x<y"}`,
	`{"a":"Tom & Jerry"}`,
	`{"a":"line\nbreak"}`,
	`{"a":"\u0041"}`,
	`{"v":"W/\"1\""}`,
	`{"a":"x\\y\ty\b\f\r\n"}`,
	`{"a":"\/"}`,
	`{"a":"\\u0041"}`,
	`{"a":"\npassword"}`,
	`{"a":"\\rsk_x"}`,
	`{"pass\u0077ord":"s3cret"}`,
	`{"PassWord":"s3cret"}`,
	`{"Operations":[{"op":"replace","path":"urn:x:PASSWORD","value":"s3cret"}]}`,
	`{"note":"rsk_abc"}`,
	`{"note":"RPT_abc"}`,
	`{"note":"Bearer abcdefghijklmnopqrstuvwxyz0123"}`,
	`{"paſſword":"s3cret"}`,
	`{"note":"rsK_abcdef"}`,
	`{"a":"\u2028"}`,
	"{\"a\":\"\u2028\"}",
	"{\"a\":\"\xff\"}",
	`{"a":1} {"b":2}`,
	`{"a":1,}`,
	`{"a":`,
	``,
	`   `,
	`{"members":[` + strings.Repeat(`{"value":"0123456789"},`, 400) + `{"value":"x"}]}`,
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.test","password":"Sup3rS3cret!","emails":[{"value":"ann@acme.test"}]}`,
	`{"Operations":[{"op":"replace","Path":"PASSWORD","value":{"x":[1,2]}},{"op":"add","path":"members","value":[{"value":"id1"}]}]}`,
	`{"a":{"password":[{"deep":{"value":1}}],"b":{}},"path":"password","value":"top"}`,
	`[{"password":null},{"Password":true},{"passWord":-1.5e3}]`,
	`{"path":"pass\\word","value":"x"}`,
	`{"pa\"th":"password","value":"x"}`,
	`{"names":[` + strings.Repeat(`"ééééééé",`, 700) + `"é"]}`,
}

func TestPlainJSONMatchesTokenPath(t *testing.T) {
	taken := 0
	for _, in := range plainCases {
		for _, limit := range []int{activityBodyLimit, 10, -1} {
			want := redactJSONTokens([]byte(in), true, limit)
			got, ok := plainJSON([]byte(in), limit)
			if ok {
				taken++
				if got != want {
					t.Errorf("plainJSON(%.60q, %d) = %.80q, token path %.80q", in, limit, got, want)
				}
			}
			if full := redactJSON([]byte(in), true, limit); full != want {
				t.Errorf("redactJSON(%.60q, %d) = %.80q, token path %.80q", in, limit, full, want)
			}
		}
	}
	if taken < 12*3 {
		t.Errorf("fast path taken %d times, want at least 36 (the plain bodies)", taken)
	}
	// Bodies with a token, or a password spelled with an escape or a
	// letter that folds to ASCII, never take the fast path.
	for _, in := range []string{`{"pass\u0077ord":"s3cret"}`, `{"paſſword":"x"}`, `{"n":"rsK_ab"}`, `{"n":"rsk_ab"}`, `{"n":"bEaReR x"}`} {
		if _, ok := plainJSON([]byte(in), activityBodyLimit); ok {
			t.Errorf("plainJSON took %q", in)
		}
	}
	// An IdP's create and a PATCH of the password take it, redacted.
	for in, want := range map[string]string{
		`{"userName":"ann","PassWord":"s3cret","n":1}`:                                                            `{"userName":"ann","PassWord":"[redacted]","n":1}`,
		`{"Operations":[{"value":{"a":[{"b":1}]},"op":"replace","path":"urn:x:User:password"},{"value":"keep"}]}`: `{"Operations":[{"value":"[redacted]","op":"replace","path":"urn:x:User:password"},{"value":"keep"}]}`,
		`{"password":{"nested":[1,{"x":"y"}]},"after":{"value":"v"}}`:                                             `{"password":"[redacted]","after":{"value":"v"}}`,
	} {
		got, ok := plainJSON([]byte(in), activityBodyLimit)
		if !ok || got != want {
			t.Errorf("plainJSON(%s) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func FuzzPlainJSON(f *testing.F) {
	for _, in := range plainCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, limit := range []int{activityBodyLimit, 16} {
			if got, ok := plainJSON(in, limit); ok {
				if want := redactJSONTokens(in, true, limit); got != want {
					t.Fatalf("plainJSON(%q, %d) = %q, token path %q", in, limit, got, want)
				}
			}
		}
	})
}

// lookupResponse is a filter answer as Roster writes it: one user.
const lookupResponse = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":1,"itemsPerPage":1,"startIndex":1,"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"01a228cb-3fbb-7000-bbca-368e504e7979","externalId":"00u1abcd","userName":"user0001234@seed.example","name":{"givenName":"Ada","familyName":"Lovelace","formatted":"Ada Lovelace"},"displayName":"Ada Lovelace","active":true,"emails":[{"value":"user0001234@seed.example","type":"work","primary":true}],"groups":[],"meta":{"resourceType":"User","created":"2026-11-29T20:00:00Z","lastModified":"2026-11-29T20:00:00Z","version":"W/\"1\"","location":"http://127.0.0.1:18181/scim/v2/Users/01a228cb-3fbb-7000-bbca-368e504e7979"}}]}` + "\n"

// BenchmarkActivityBody measures what recording one body costs on the
// request path: a lookup answer (the fast path), the same through the
// token path (what every body cost before), and an Okta create with a
// password (the token path).
func BenchmarkActivityBody(b *testing.B) {
	create := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@acme.test","name":{"givenName":"Ann","familyName":"Lee"},"emails":[{"primary":true,"value":"ann@acme.test","type":"work"}],"password":"Sup3rS3cret!","active":true}`
	for _, c := range []struct{ name, body string }{
		{"lookup", lookupResponse},
		{"create-with-password", create},
	} {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				_ = activityBody(body, int64(len(body)), -1, "application/scim+json")
			}
		})
	}
	b.Run("lookup-token-path", func(b *testing.B) {
		body := []byte(lookupResponse)
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			_ = redactJSONTokens(body, true, activityBodyLimit)
		}
	})
}
