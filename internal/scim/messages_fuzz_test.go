package scim

import "testing"

// FuzzDecodeMessages checks that the PATCH, search and bulk decoders never
// panic and reject bad input only with an *Error carrying a 4xx status and,
// for 400, a scimType.
func FuzzDecodeMessages(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"Operations":{"op":"remove","path":"members[value eq \"1\"]"}}`,
		`{"attributes":["userName"],"count":"10","startIndex":1,"sortOrder":"ascending","cursor":""}`,
		`{"failOnErrors":1,"Operations":[{"method":"POST","bulkId":"q","path":"/Users","data":{"userName":"a"}}]}`,
		`[]`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	check := func(t *testing.T, what string, err error) {
		t.Helper()
		if err == nil {
			return
		}
		e, ok := AsError(err)
		if !ok || e.Status < 400 || e.Status > 499 || e.Detail == "" || (e.Status == 400 && e.Type == "") {
			t.Fatalf("%s: bad error %T %v", what, err, err)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := DecodePatchRequest(body, 100)
		check(t, "DecodePatchRequest", err)
		if err == nil {
			if len(req.Operations) == 0 || len(req.Operations) > 100 {
				t.Fatalf("accepted %d operations", len(req.Operations))
			}
			for _, op := range req.Operations {
				if op.Op == "" {
					t.Fatal("accepted an operation without op")
				}
			}
		}
		_, err = DecodeSearchRequest(body)
		check(t, "DecodeSearchRequest", err)
		_, err = DecodeBulkRequest(body, 100)
		check(t, "DecodeBulkRequest", err)
	})
}
