package scim

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListResponseJSON(t *testing.T) {
	tests := []struct {
		name string
		in   ListResponse
		want string
	}{
		{
			name: "empty list is an array and counters are numbers",
			in:   NewListResponse(nil, 0, 1),
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`,
		},
		{
			name: "zero value still valid",
			in:   ListResponse{},
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"itemsPerPage":0,"Resources":[]}`,
		},
		{
			name: "okta connection test page",
			in:   NewListResponse([]any{map[string]any{"id": "1"}, map[string]any{"id": "2"}}, 5, 1),
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":5,"startIndex":1,"itemsPerPage":2,"Resources":[{"id":"1"},{"id":"2"}]}`,
		},
		{
			name: "cursor page (RFC 9865)",
			in:   ListResponse{TotalResults: 3, ItemsPerPage: 1, Resources: []any{map[string]any{"id": "1"}}, NextCursor: "VZUTiy", PreviousCursor: "kjsdf"},
			want: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":3,"itemsPerPage":1,"Resources":[{"id":"1"}],"nextCursor":"VZUTiy","previousCursor":"kjsdf"}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(b)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			var back ListResponse
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if back.TotalResults != tt.in.TotalResults || back.NextCursor != tt.in.NextCursor || len(back.Resources) != len(tt.in.Resources) {
				t.Errorf("round trip: %+v", back)
			}
		})
	}
	// Through a pointer too.
	lr := NewListResponse(nil, 0, 1)
	if b, _ := json.Marshal(&lr); string(b) != tests[0].want {
		t.Errorf("pointer: %s", b)
	}
}

func TestDecodePatchRequest(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		maxOps  int
		want    PatchRequest
		wantErr string
	}{
		{
			name: "okta deactivate: no path",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}`,
			want: PatchRequest{Schemas: []string{PatchOpSchema}, Operations: []PatchOperation{{Op: "replace", Value: json.RawMessage(`{"active":false}`)}}},
		},
		{
			name: "entra: capitalised op, string boolean, keys sorted in value",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"},{"op":"Add","value":{"name.givenName":"A","displayName":"B"}}]}`,
			want: PatchRequest{Schemas: []string{PatchOpSchema}, Operations: []PatchOperation{
				{Op: "Replace", Path: "active", Value: json.RawMessage(`"False"`)},
				{Op: "Add", Value: json.RawMessage(`{"displayName":"B","name.givenName":"A"}`)},
			}},
		},
		{
			name: "member removal by value with $ref null; numbers kept as written",
			body: `{"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"u-1"}]},{"op":"add","path":"x","value":1.50}]}`,
			want: PatchRequest{Operations: []PatchOperation{
				{Op: "Remove", Path: "members", Value: json.RawMessage(`[{"$ref":null,"value":"u-1"}]`)},
				{Op: "add", Path: "x", Value: json.RawMessage(`1.50`)},
			}},
		},
		{
			name: "lower-case operations key, null path, null value, missing schemas",
			body: `{"operations":[{"OP":"remove","PATH":null,"value":null}]}`,
			want: PatchRequest{Operations: []PatchOperation{{Op: "remove", Value: json.RawMessage(`null`)}}},
		},
		{
			name: "a single operation object",
			body: `{"Operations":{"op":"remove","path":"title"}}`,
			want: PatchRequest{Operations: []PatchOperation{{Op: "remove", Path: "title"}}},
		},
		{name: "not an object", body: `[]`, wantErr: `400 invalidSyntax: PATCH body must be a JSON object with "schemas" and "Operations", not an array`},
		{name: "invalid JSON", body: `{"Operations":[}`, wantErr: `400 invalidSyntax: request body is not valid JSON at byte 15: invalid character '}' looking for beginning of value`},
		{name: "no operations", body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, wantErr: `400 invalidSyntax: PATCH body has no "Operations" array (RFC 7644 §3.5.2)`},
		{name: "null operations", body: `{"Operations":null}`, wantErr: `400 invalidSyntax: PATCH body has no "Operations" array (RFC 7644 §3.5.2)`},
		{name: "empty operations", body: `{"Operations":[]}`, wantErr: `400 invalidSyntax: "Operations" is empty; a PATCH request needs at least one operation`},
		{name: "operations not array", body: `{"Operations":"replace"}`, wantErr: `400 invalidSyntax: "Operations" must be an array of operations, not a string`},
		{name: "op missing", body: `{"Operations":[{"op":"add","value":1},{"path":"x"}]}`, wantErr: `400 invalidSyntax: operation 2 has no "op" ("add", "remove" or "replace")`},
		{name: "op not string", body: `{"Operations":[{"op":1}]}`, wantErr: `400 invalidSyntax: operation 1: "op" must be a string ("add", "remove" or "replace"), not a number`},
		{name: "path not string", body: `{"Operations":[{"op":"add","path":["a"]}]}`, wantErr: `400 invalidSyntax: operation 1: "path" must be a string, not an array`},
		{name: "operation not object", body: `{"Operations":["add"]}`, wantErr: `400 invalidSyntax: operation 1 must be an object with "op", not a string`},
		{name: "too many", body: `{"Operations":[{"op":"add"},{"op":"add"},{"op":"add"}]}`, maxOps: 2, wantErr: `400 invalidSyntax: PATCH request has 3 operations; at most 2 are accepted in one request`},
		{name: "too deep", body: `{"Operations":[{"op":"add","value":[[[[[[{}]]]]]]}]}`, wantErr: `400 invalidSyntax: request body nests objects and arrays deeper than 8 levels`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodePatchRequest([]byte(tt.body), tt.maxOps)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("got %+v, want error", got)
				}
				if diff := cmp.Diff(tt.wantErr, errString(err)); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecodeSearchRequest(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    SearchRequest
		wantErr string
	}{
		{
			name: "RFC 7644 §3.4.3 example",
			body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"attributes":["displayName","userName"],"filter":"displayName sw \"smith\"","startIndex":1,"count":10}`,
			want: SearchRequest{Schemas: []string{SearchRequestSchema}, Attributes: []string{"displayName", "userName"}, Filter: `displayName sw "smith"`, StartIndex: ptr(1), Count: ptr(10)},
		},
		{
			name: "numeric strings, comma list, sort order case, cursor",
			body: `{"STARTINDEX":"0","count":"-5","excludedAttributes":"members, meta","sortBy":"userName","sortOrder":"DESCENDING","cursor":""}`,
			want: SearchRequest{StartIndex: ptr(1), Count: ptr(0), ExcludedAttributes: []string{"members", "meta"}, SortBy: "userName", SortOrder: SortDescending, Cursor: ptr("")},
		},
		{name: "whole float", body: `{"count":100.0}`, want: SearchRequest{Count: ptr(100)}},
		{name: "huge count clamps", body: `{"count":1e30}`, want: SearchRequest{Count: ptr(2147483647)}},
		{name: "nulls ignored", body: `{"count":null,"filter":null}`, want: SearchRequest{}},
		{name: "fraction", body: `{"count":1.5}`, wantErr: `400 invalidValue: count must be an integer, not "1.5"`},
		{name: "word", body: `{"startIndex":"one"}`, wantErr: `400 invalidValue: startIndex must be an integer, not "one"`},
		{name: "Infinity", body: `{"count":"Infinity"}`, wantErr: `400 invalidValue: count must be an integer, not "Infinity"`},
		{name: "bool count", body: `{"count":true}`, wantErr: `400 invalidValue: count must be an integer, not a boolean`},
		{name: "bad sortOrder", body: `{"sortOrder":"up"}`, wantErr: `400 invalidValue: sortOrder must be "ascending" or "descending", not "up"`},
		{name: "filter not string", body: `{"filter":5}`, wantErr: `400 invalidValue: filter must be a string, not a number`},
		{name: "attributes bad", body: `{"attributes":[1]}`, wantErr: `400 invalidValue: attributes must be a list of attribute names`},
		{name: "not object", body: `"x"`, wantErr: `400 invalidSyntax: search request body must be a JSON object, not a string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeSearchRequest([]byte(tt.body))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("got %+v, want error", got)
				}
				if diff := cmp.Diff(tt.wantErr, errString(err)); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSearchRequestFromQuery(t *testing.T) {
	got, err := SearchRequestFromQuery(map[string][]string{
		"filter":             {`userName eq "bjensen@example.com"`},
		"startIndex":         {"1"},
		"count":              {"100"},
		"attributes":         {"userName,name.givenName"},
		"EXCLUDEDATTRIBUTES": {"members"},
		"empty":              {},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := SearchRequest{
		Filter: `userName eq "bjensen@example.com"`, StartIndex: ptr(1), Count: ptr(100),
		Attributes: []string{"userName", "name.givenName"}, ExcludedAttributes: []string{"members"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := SearchRequestFromQuery(map[string][]string{"count": {"ten"}}); errString(err) != `400 invalidValue: count must be an integer, not "ten"` {
		t.Errorf("got %v", err)
	}
}

func TestDecodeBulkRequest(t *testing.T) {
	body := `{
	  "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
	  "failOnErrors": 1,
	  "Operations": [
	    {"method": "post", "path": "/Users", "bulkId": "qwerty", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "Alice"}},
	    {"method": "PUT", "path": "/Users/b7c14771", "version": "W/\"3694e05e9dff591\"", "data": {"userName": "Bob"}},
	    {"method": "PATCH", "path": "/Groups/e9e3", "data": {"Operations": [{"op": "add", "path": "members", "value": [{"value": "bulkId:qwerty"}]}]}},
	    {"method": "DELETE", "path": "/Users/5d8d29d3", "version": "W/\"0ee8add0a938e1a\""}
	  ]
	}`
	got, err := DecodeBulkRequest([]byte(body), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := BulkRequest{
		Schemas:      []string{BulkRequestSchema},
		FailOnErrors: ptr(1),
		Operations: []BulkOperation{
			{Method: "POST", Path: "/Users", BulkID: "qwerty", Data: json.RawMessage(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"Alice"}`)},
			{Method: "PUT", Path: "/Users/b7c14771", Version: `W/"3694e05e9dff591"`, Data: json.RawMessage(`{"userName":"Bob"}`)},
			{Method: "PATCH", Path: "/Groups/e9e3", Data: json.RawMessage(`{"Operations":[{"op":"add","path":"members","value":[{"value":"bulkId:qwerty"}]}]}`)},
			{Method: "DELETE", Path: "/Users/5d8d29d3", Version: `W/"0ee8add0a938e1a"`},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	errs := map[string]string{
		`{"Operations":[]}`: `400 invalidSyntax: bulk request has no operations (RFC 7644 §3.7)`,
		`{"Operations":[{"method":"POST","path":"/Users","data":{}}]}`: `400 invalidSyntax: bulk operation 1: POST requires a "bulkId" (RFC 7644 §3.7)`,
		`{"Operations":[{"method":"GET","path":"/Users"}]}`:            `400 invalidSyntax: bulk operation 1: method "GET" is not POST, PUT, PATCH or DELETE`,
		`{"Operations":[{"method":"PUT","path":"/Users/1"}]}`:          `400 invalidSyntax: bulk operation 1: PUT requires "data"`,
		`{"Operations":[{"method":"DELETE"}]}`:                         `400 invalidSyntax: bulk operation 1 has no "path"`,
		`{"Operations":[{"path":"/Users/1"}]}`:                         `400 invalidSyntax: bulk operation 1 has no "method"`,
		`{"Operations":[{"method":1}]}`:                                `400 invalidSyntax: bulk operation 1: "method" must be a string, not a number`,
		`{"Operations":{}}`:                                            `400 invalidSyntax: "Operations" must be an array, not an object`,
		`{"failOnErrors":"x","Operations":[]}`:                         `400 invalidValue: failOnErrors must be an integer, not "x"`,
		`[1]`:                                                          `400 invalidSyntax: bulk request body must be a JSON object, not an array`,
		`{"Operations":[{"method":"DELETE","path":"/Users/1"},{"method":"DELETE","path":"/Users/2"}]}`: `413 : bulk request has 2 operations; maxOperations is 1`,
	}
	for body, want := range errs {
		_, err := DecodeBulkRequest([]byte(body), 1)
		if got := errString(err); got != want {
			t.Errorf("%s:\n got %s\nwant %s", body, got, want)
		}
	}
}

func TestBulkResponseJSON(t *testing.T) {
	e := Errorf(409, ErrUniqueness, "userName is already taken")
	resp, err := json.Marshal(e.Response())
	if err != nil {
		t.Fatal(err)
	}
	br := NewBulkResponse([]BulkOperation{
		{Method: "POST", BulkID: "qwerty", Location: "https://h/scim/v2/Users/92b7", Version: `W/"oY4m4wn58tkVjJxK"`, Status: "201"},
		{Method: "POST", BulkID: "ytrewq", Status: "409", Response: resp},
	})
	b, err := json.Marshal(br)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":[` +
		`{"method":"POST","bulkId":"qwerty","version":"W/\"oY4m4wn58tkVjJxK\"","location":"https://h/scim/v2/Users/92b7","status":"201"},` +
		`{"method":"POST","bulkId":"ytrewq","response":{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"userName is already taken"},"status":"409"}]}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if b, _ := json.Marshal(NewBulkResponse(nil)); string(b) != `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkResponse"],"Operations":[]}` {
		t.Errorf("empty: %s", b)
	}
}
