package sqlstore

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDocRoundTrip(t *testing.T) {
	for _, doc := range []map[string]any{
		nil,
		{},
		{
			"s": "tab\t \"quote\" \\ <x> & 日本語 😀", "b": true, "f": false, "n": nil,
			"i": int64(42), "neg": int64(-7), "max": int64(math.MaxInt64), "min": int64(math.MinInt64),
			"big": int64(1<<53 + 1), "half": 0.5, "two": float64(2), "zero": float64(0),
			"tiny": -1.25e-7, "huge": 1e300, "e18": 1e18,
			"list":  []any{int64(1), float64(1), "1", true, nil, []any{}, map[string]any{}},
			"map":   map[string]any{"deeper": map[string]any{"n": int64(3), "f": 3.5}},
			"empty": map[string]any{},
		},
	} {
		text, err := EncodeDoc(doc)
		if err != nil {
			t.Fatalf("EncodeDoc: %v", err)
		}
		got, err := DecodeDoc([]byte(text))
		if err != nil {
			t.Fatalf("DecodeDoc(%s): %v", text, err)
		}
		if d := cmp.Diff(doc, got); d != "" {
			t.Errorf("round trip of %s (-want +got):\n%s", text, d)
		}
	}
}

func TestEncodeDocRefuses(t *testing.T) {
	for name, doc := range map[string]map[string]any{
		"NaN":  {"x": math.NaN()},
		"Inf":  {"x": math.Inf(1)},
		"NUL":  {"x": "a\x00b"},
		"NULk": {"a\x00": "x"},
	} {
		if _, err := EncodeDoc(doc); err == nil {
			t.Errorf("EncodeDoc(%s) succeeded", name)
		}
	}
}

func TestTimeKeyOrder(t *testing.T) {
	times := []string{
		"0000-01-01T00:00:00+23:59",
		"0000-01-01T00:00:00Z",
		"0001-01-01T00:00:00Z",
		"1969-12-31T23:59:59.999999999Z",
		"1970-01-01T00:00:00Z",
		"2011-05-13T04:42:34Z",
		"2011-05-13T06:42:34.000000001+02:00",
		"9999-12-31T23:59:59.999999999-23:59",
	}
	var prev string
	for i, s := range times {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		k := TimeKey(tm)
		if i > 0 && k <= prev {
			t.Errorf("TimeKey(%s) = %s, not after %s", s, k, prev)
		}
		prev = k
	}
	a, _ := time.Parse(time.RFC3339, "2011-05-13T04:42:34Z")
	b, _ := time.Parse(time.RFC3339, "2011-05-13T06:42:34+02:00")
	if TimeKey(a) != TimeKey(b) {
		t.Errorf("one instant, two keys: %s %s", TimeKey(a), TimeKey(b))
	}
}
