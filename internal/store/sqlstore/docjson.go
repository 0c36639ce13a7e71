package sqlstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
)

// EncodeDoc encodes a canonical document (package scim) as JSON text that
// DecodeDoc turns back into an identical document, Go types included: an
// int64 is written as an integer and a float64 always with a fraction
// ("1.0", never an exponent), so a float64 stays a float64 even when it
// is integral and an int64 stays exact above 2^53, in SQLite's JSON text
// and in PostgreSQL's jsonb (whose numeric keeps the written scale).
// Object keys are written in sorted order; a nil document is written as
// null and decodes to a nil map. Other Go values are written as
// encoding/json writes them.
func EncodeDoc(doc map[string]any) (string, error) {
	if doc == nil {
		return "null", nil // DecodeDoc gives back a nil map
	}
	var buf bytes.Buffer
	if err := encodeValue(&buf, doc, 0); err != nil {
		return "", &core.Error{Kind: core.KindInvalid, Code: "invalidValue", Message: "the document cannot be stored", Err: err}
	}
	return buf.String(), nil
}

// maxDocDepth bounds the nesting of stored documents.
const maxDocDepth = 64

var errDocDepth = errors.New("document nested too deeply")

func encodeValue(buf *bytes.Buffer, v any, depth int) error {
	if depth > maxDocDepth {
		return errDocDepth
	}
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case string:
		return encodeString(buf, x)
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case int:
		buf.WriteString(strconv.Itoa(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("number %v has no JSON form", x)
		}
		s := strconv.FormatFloat(x, 'f', -1, 64)
		if !strings.ContainsRune(s, '.') {
			s += ".0"
		}
		buf.WriteString(s)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeString(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := encodeValue(buf, x[k], depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, el := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeValue(buf, el, depth+1); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}

// encodeString writes s as a JSON string. PostgreSQL's jsonb cannot hold
// U+0000, so neither backend accepts it.
func encodeString(buf *bytes.Buffer, s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("string contains U+0000")
	}
	buf.Write(scim.AppendJSONString(buf.AvailableBuffer(), s, true)) // as json.Marshal escapes it
	return nil
}

// DecodeDoc decodes JSON text written by EncodeDoc into a canonical
// document: numbers without a fraction or exponent become int64 (float64
// when they do not fit), other numbers float64.
func DecodeDoc(text []byte) (map[string]any, error) {
	if v, ok := scim.ParseJSON(text); ok {
		if v == nil {
			return nil, nil
		}
		if m, ok := v.(map[string]any); ok {
			return m, nil
		}
	}
	// Not one JSON object: encoding/json decides, and words the error.
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode stored document: %w", err)
	}
	if v == nil {
		return nil, nil
	}
	m, ok := scim.CanonicalNumbers(v).(map[string]any)
	if !ok {
		return nil, errors.New("decode stored document: not a JSON object")
	}
	return m, nil
}
