package scim

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// jsonSeeds are inputs for the differential tests of the fast JSON reader
// and writer against encoding/json.
var jsonSeeds = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `1.5`, `-12e3`, `1E+2`, `1e-7`, `123456789012345678901234567890`,
	`9223372036854775807`, `9223372036854775808`, `-9223372036854775809`, `1e400`, `0.000001`, `1e21`, `1e20`,
	`"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u2028\u2029<>&"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ude00x"`, `"\ud83d\u0041"`,
	"\"caf\xc3\xa9\"", "\"bad\xff\xfeutf8\"", "\"\xed\xa0\x80\"", `"\u0000"`, "\"\x7f\"",
	`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bjensen@example.com","name":{"givenName":"Barbara","familyName":"Jensen"},"emails":[{"value":"bjensen@example.com","type":"work","primary":true}],"active":true,"x":null}`,
	`{"a":1,"A":2,"a":3}`, ` { "k" : [ 1 , 2 , { "z" : [ ] } ] } `, `[[[[[[[[[1]]]]]]]]]`, `[[[[[[[[[[1]]]]]]]]]]`,
	`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
	// invalid
	``, ` `, `{`, `}`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{a:1}`, `01`, `1.`, `.5`, `-`, `1e`, `tru`, `nul`, `"abc`, "\"a\x01b\"", `"\x"`, `"\u12"`, `{} {}`, `[1] x`,
}

// decodeSlow is encoding/json's reading of one value with UseNumber.
func decodeSlow(t testing.TB, data []byte) (any, bool) {
	t.Helper()
	if !json.Valid(data) { // exactly one value
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

func checkParse(t *testing.T, data []byte) {
	// Request bodies: the fast path must agree with readJSON exactly,
	// member order and duplicates included.
	slow, slowErr := readJSONSlow(data)
	fast, fastOK := parseRequestJSON(data)
	if fastOK != (slowErr == nil) {
		t.Fatalf("%q: fast ok=%v, readJSON err=%v", data, fastOK, slowErr)
	}
	if fastOK && !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%q: fast %#v, slow %#v", data, fast, slow)
	}
	// Stored documents: ParseJSON must agree with encoding/json's Decode
	// plus the canonical number conversion.
	want, ok := decodeSlow(t, data)
	got, gotOK := ParseJSON(data)
	if ok != gotOK {
		// encoding/json's limit is 10,000 levels, as ParseJSON's; nothing
		// else may differ.
		t.Fatalf("%q: ParseJSON ok=%v, encoding/json ok=%v", data, gotOK, ok)
	}
	if ok && !reflect.DeepEqual(got, CanonicalNumbers(want)) {
		t.Fatalf("%q: ParseJSON %#v, want %#v", data, got, CanonicalNumbers(want))
	}
}

func checkWrite(t *testing.T, v any) {
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	wantErr := enc.Encode(v)
	got, err := AppendJSON(nil, v)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%#v: AppendJSON err=%v, encoding/json err=%v", v, err, wantErr)
	}
	if err == nil && string(got) != strings.TrimSuffix(want.String(), "\n") {
		t.Fatalf("%#v:\n AppendJSON %s\n encoding/json %s", v, got, want.String())
	}
}

func checkString(t *testing.T, s string) {
	for _, html := range []bool{false, true} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(html)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if got := AppendJSONString(nil, s, html); string(got) != strings.TrimSuffix(want.String(), "\n") {
			t.Fatalf("%q html=%v: got %s, want %s", s, html, got, want.String())
		}
	}
}

func TestFastJSONSeeds(t *testing.T) {
	for _, s := range jsonSeeds {
		checkParse(t, []byte(s))
		checkString(t, s)
		if v, ok := decodeSlow(t, []byte(s)); ok {
			checkWrite(t, v)
			checkWrite(t, CanonicalNumbers(v))
		}
		var f any
		if json.Unmarshal([]byte(s), &f) == nil {
			checkWrite(t, f) // float64 numbers
		}
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99e-7, 1e20, 1e21, 123456789.125, math.MaxFloat64, math.SmallestNonzeroFloat64, 1.5e-10} {
		checkWrite(t, f)
	}
	checkWrite(t, map[string]any(nil))
	checkWrite(t, []any(nil))
	checkWrite(t, []string{"a", "<b>"})
	checkWrite(t, math.NaN())
	checkWrite(t, json.Number("1x"))
	checkWrite(t, map[string]any{"b": int64(1), "a": []any{int(2), "x", nil, true}, "é": map[string]any{}})
	checkWrite(t, struct{ A int }{1}) // encoding/json's fallback
}

func TestFastJSONLimits(t *testing.T) {
	deep := strings.Repeat("[", MaxDecodeDepth+1) + strings.Repeat("]", MaxDecodeDepth+1)
	if _, ok := parseRequestJSON([]byte(deep)); ok {
		t.Fatal("the fast path accepted nesting beyond MaxDecodeDepth")
	}
	many := "[" + strings.Repeat("1,", MaxDecodeValues) + "1]"
	if _, ok := parseRequestJSON([]byte(many)); ok {
		t.Fatal("the fast path accepted more than MaxDecodeValues values")
	}
	checkParse(t, []byte(deep))
	checkParse(t, []byte(many))
}

func FuzzFastJSONParse(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data)
		if v, ok := decodeSlow(t, data); ok {
			checkWrite(t, v)
			checkWrite(t, CanonicalNumbers(v))
		}
	})
}

func FuzzFastJSONString(f *testing.F) {
	for _, s := range jsonSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkString(t, s)
	})
}
