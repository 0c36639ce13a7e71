package filter

// Default limits applied by Parse and ParsePath.
const (
	// DefaultMaxLength is the default maximum filter length in bytes.
	DefaultMaxLength = 4096
	// DefaultMaxDepth is the default maximum nesting depth.
	DefaultMaxDepth = 16
	// DefaultMaxTerms is the default maximum number of comparisons.
	DefaultMaxTerms = 64
)

// Limits bounds the work a filter can demand of the parser and of the
// stores that evaluate it. RFC 7644 §3.4.2.2 sets no limits; a service
// provider may reject any filter it is unwilling to process with
// invalidFilter (RFC 7644 §3.12), and Roster does so for filters that
// exceed these bounds. A zero or negative field means the default.
type Limits struct {
	// MaxLength is the maximum length in bytes of the input, and also of
	// its canonical form (String), so that the canonical form of an
	// accepted filter is always accepted too.
	MaxLength int
	// MaxDepth is the maximum nesting depth. Each pair of parentheses,
	// each "not (...)" and each value filter "attr[...]" adds one level.
	// The depth is checked before the parser recurses, and again on the
	// canonical form (which may differ: redundant parentheses are dropped,
	// and "attr[a or b].sub eq x" becomes "attr[(a or b) and sub eq x]").
	MaxDepth int
	// MaxTerms is the maximum number of comparisons ("attr op value" and
	// "attr pr"), counting the comparisons inside value filters.
	MaxTerms int
}

// DefaultLimits returns the limits Parse and ParsePath use: 4096 bytes,
// depth 16 and 64 comparisons.
func DefaultLimits() Limits {
	return Limits{MaxLength: DefaultMaxLength, MaxDepth: DefaultMaxDepth, MaxTerms: DefaultMaxTerms}
}

// withDefaults replaces zero or negative fields with the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxLength <= 0 {
		l.MaxLength = DefaultMaxLength
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxTerms <= 0 {
		l.MaxTerms = DefaultMaxTerms
	}
	return l
}
