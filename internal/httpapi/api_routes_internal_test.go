package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The routes registered on the admin API's mux are exactly the operations
// of its OpenAPI document, and nothing registers a route any other way.
func TestAPIRoutesMatchOpenAPI(t *testing.T) {
	h := newAdminAPI(nil, nil, "", DefaultMaxBodyBytes, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(h.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	var documented []string
	for p, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+APIPrefix+p)
		}
	}
	registered := slices.Clone(h.patterns)
	slices.Sort(documented)
	slices.Sort(registered)
	if !slices.Equal(documented, registered) {
		t.Fatalf("documented:\n%s\nregistered:\n%s", strings.Join(documented, "\n"), strings.Join(registered, "\n"))
	}
	if len(registered) < 40 {
		t.Fatalf("only %d routes", len(registered))
	}

	// The only registration on the admin mux is register's (so every
	// route passes through the table that documents it).
	files, err := filepath.Glob("api*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`h\.mux\.Handle(Func)?\(`)
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n += len(re.FindAll(b, -1))
	}
	if n != 1 {
		t.Fatalf("%d registrations on the admin mux outside the route table, want exactly the one in register", n)
	}
}

// Every path parameter of every route is documented, and every operation
// has an id, a summary, a success and a default (error) response.
func TestAPIOpenAPIOperationsComplete(t *testing.T) {
	h := newAdminAPI(nil, nil, "", DefaultMaxBodyBytes, slog.New(slog.NewTextHandler(io.Discard, nil)))
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string           `json:"operationId"`
			Summary     string           `json:"summary"`
			Parameters  []map[string]any `json:"parameters"`
			Responses   map[string]any   `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(h.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	refs := regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(string(h.openapi), -1)
	for _, r := range refs {
		if doc.Components.Schemas[r[1]] == nil {
			t.Errorf("dangling $ref %s", r[1])
		}
	}
	for p, ops := range doc.Paths {
		for m, op := range ops {
			if op.OperationID == "" || op.Summary == "" || op.Responses["default"] == nil || len(op.Responses) < 2 {
				t.Errorf("%s %s: incomplete operation", m, p)
			}
			for _, want := range pathParamRE.FindAllStringSubmatch(p, -1) {
				found := false
				for _, prm := range op.Parameters {
					if prm["name"] == want[1] && prm["in"] == "path" && prm["required"] == true {
						found = true
					}
				}
				if !found {
					t.Errorf("%s %s: path parameter %s undocumented", m, p, want[1])
				}
			}
		}
	}
}
