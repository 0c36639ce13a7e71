package scim

import "encoding/json"

// ListResponse is the body of a query response (RFC 7644 §3.4.2) with
// the cursor attributes of RFC 9865 §3. Counters are Go ints and encode as
// JSON numbers (Okta rejects strings). Marshal it with encoding/json: the
// MarshalJSON method fills in "schemas" and writes an empty Resources as
// [] rather than null.
type ListResponse struct {
	// Schemas defaults to [ListResponseSchema] when empty.
	Schemas []string `json:"schemas"`
	// TotalResults is the number of results the query matched.
	TotalResults int `json:"totalResults"`
	// StartIndex is the 1-based index of the first result (index
	// pagination). It is omitted when 0, as in a cursor-paginated
	// response (RFC 9865 §3).
	StartIndex int `json:"startIndex,omitempty"`
	// ItemsPerPage is the number of resources in this response.
	ItemsPerPage int `json:"itemsPerPage"`
	// Resources are the (projected) resources; encoded as "Resources".
	Resources []any `json:"Resources"`
	// NextCursor is the cursor of the next page (RFC 9865 §3); "" omits it,
	// which on a cursor-paginated response means "last page".
	NextCursor string `json:"nextCursor,omitempty"`
	// PreviousCursor is the cursor of the previous page (RFC 9865 §3), or "".
	PreviousCursor string `json:"previousCursor,omitempty"`
}

// NewListResponse returns an index-paginated ListResponse (RFC 7644
// §3.4.2.4) holding resources, with ItemsPerPage = len(resources).
func NewListResponse(resources []any, totalResults, startIndex int) ListResponse {
	if resources == nil {
		resources = []any{}
	}
	return ListResponse{
		Schemas:      []string{ListResponseSchema},
		TotalResults: totalResults,
		StartIndex:   startIndex,
		ItemsPerPage: len(resources),
		Resources:    resources,
	}
}

// listResponseWire is the JSON shape of ListResponse.
type listResponseWire struct {
	Schemas        []string `json:"schemas"`
	TotalResults   int      `json:"totalResults"`
	StartIndex     int      `json:"startIndex,omitempty"`
	ItemsPerPage   int      `json:"itemsPerPage"`
	Resources      []any    `json:"Resources"`
	NextCursor     string   `json:"nextCursor,omitempty"`
	PreviousCursor string   `json:"previousCursor,omitempty"`
}

// MarshalJSON implements json.Marshaler.
func (r ListResponse) MarshalJSON() ([]byte, error) {
	w := listResponseWire(r)
	if len(w.Schemas) == 0 {
		w.Schemas = []string{ListResponseSchema}
	}
	if w.Resources == nil {
		w.Resources = []any{}
	}
	return json.Marshal(w)
}

// UnmarshalJSON implements json.Unmarshaler (for clients and tests).
func (r *ListResponse) UnmarshalJSON(b []byte) error {
	var w listResponseWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = ListResponse(w)
	return nil
}
