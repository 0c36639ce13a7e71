package filter

import (
	"testing"

	"github.com/rosterhq/roster/internal/scim"
)

const (
	benchOkta    = `userName eq "john.doe@example.com"`
	benchComplex = `userType eq "Employee" and (emails co "example.com" or emails.value co "example.org") and ` +
		`not (emails[type eq "work" and value co "@example.com"]) or ` +
		`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d" or ` +
		`meta.lastModified gt "2011-05-13T04:42:34Z"`
)

// BenchmarkParseOktaFilter parses Okta's pre-create lookup.
func BenchmarkParseOktaFilter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchOkta); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseComplex parses a filter with every construct.
func BenchmarkParseComplex(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchComplex); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParsePath parses Entra's filtered PATCH path.
func BenchmarkParsePath(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePath(`emails[type eq "work"].value`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkString prints the complex filter.
func BenchmarkString(b *testing.B) {
	e, err := Parse(benchComplex)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = e.String()
	}
}

// BenchmarkMatch evaluates Okta's lookup (case-insensitive userName) and
// the complex filter against a full User.
func BenchmarkMatch(b *testing.B) {
	user, doc := scim.UserType(), bjensen()
	for _, bc := range []struct{ name, filter string }{
		{"okta", `userName eq "BJENSEN@example.com"`},
		{"entra", `emails[type eq "work"].value eq "bjensen@example.com"`},
		{"complex", benchComplex},
	} {
		e, err := Parse(bc.filter)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !Match(user, e, doc) {
					b.Fatal("no match")
				}
			}
		})
	}
}
