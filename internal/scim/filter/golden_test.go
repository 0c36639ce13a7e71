package filter

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/rosterhq/roster/internal/scim"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current results")

// goldenCase is one case of a golden txtar file. Each file of the archive
// is a case: its first line is the input (written as `q:"..."`, a Go
// quoted string, when it has control characters or leading or trailing
// spaces) and the remaining lines are the expected output.
type goldenCase struct {
	name  string
	input string
	want  string
}

// readGolden reads testdata/<file>.
func readGolden(t testing.TB, file string) (*txtar.Archive, []goldenCase) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	ar := txtar.Parse(data)
	cases := make([]goldenCase, 0, len(ar.Files))
	seen := map[string]bool{}
	for _, f := range ar.Files {
		if seen[f.Name] {
			t.Fatalf("%s: duplicate case %q", file, f.Name)
		}
		seen[f.Name] = true
		first, rest, _ := strings.Cut(string(f.Data), "\n")
		in, err := decodeInput(first)
		if err != nil {
			t.Fatalf("%s: case %s: %v", file, f.Name, err)
		}
		cases = append(cases, goldenCase{name: f.Name, input: in, want: strings.TrimSuffix(rest, "\n")})
	}
	return ar, cases
}

// checkGolden compares got (one output per case) with the archive, or
// rewrites the archive with -update.
func checkGolden(t *testing.T, file string, ar *txtar.Archive, cases []goldenCase, got []string) {
	t.Helper()
	if *update {
		for i := range ar.Files {
			first, _, _ := strings.Cut(string(ar.Files[i].Data), "\n")
			ar.Files[i].Data = []byte(first + "\n" + got[i] + "\n")
		}
		if err := os.WriteFile("testdata/"+file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for i, c := range cases {
		if got[i] != c.want {
			t.Errorf("%s: case %s: input %q\n got: %s\nwant: %s", file, c.name, c.input, got[i], c.want)
		}
	}
}

func decodeInput(line string) (string, error) {
	if q, ok := strings.CutPrefix(line, "q:"); ok {
		return strconv.Unquote(q)
	}
	return line, nil
}

// dump prints the tree shape of e as an S-expression, to show precedence
// and the parts of attribute paths that the canonical string leaves
// implicit.
func dump(e Expr) string {
	var b bytes.Buffer
	dumpTo(&b, e)
	return b.String()
}

func dumpTo(b *bytes.Buffer, e Expr) {
	switch n := e.(type) {
	case *And:
		b.WriteString("(and ")
		dumpTo(b, n.Left)
		b.WriteByte(' ')
		dumpTo(b, n.Right)
		b.WriteByte(')')
	case *Or:
		b.WriteString("(or ")
		dumpTo(b, n.Left)
		b.WriteByte(' ')
		dumpTo(b, n.Right)
		b.WriteByte(')')
	case *Not:
		b.WriteString("(not ")
		dumpTo(b, n.X)
		b.WriteByte(')')
	case *Compare:
		fmt.Fprintf(b, "(%s %s %s)", n.Op, dumpPath(n.Path), dumpValue(n.Value))
	case *Present:
		fmt.Fprintf(b, "(pr %s)", dumpPath(n.Path))
	case *ValuePath:
		fmt.Fprintf(b, "(%s[] ", dumpPath(n.Attr))
		dumpTo(b, n.Filter)
		b.WriteByte(')')
	default:
		fmt.Fprintf(b, "%#v", e)
	}
}

func dumpPath(p scim.AttrPath) string {
	s := p.Name
	if p.Sub != "" {
		s += "." + p.Sub
	}
	if p.URN != "" {
		s = "<" + p.URN + ">" + s
	}
	return s
}

func dumpValue(v Value) string {
	switch v.Kind {
	case KindString:
		return "str:" + strconv.QuoteToASCII(v.Str)
	case KindNumber:
		return fmt.Sprintf("num:%s=%v", v.Str, v.Num)
	case KindBool:
		return fmt.Sprintf("bool:%v", v.Bool)
	case KindNull:
		return "null"
	}
	return fmt.Sprintf("kind%d", v.Kind)
}

func dumpPathValue(p Path) string {
	s := "attr=" + dumpPath(p.Attr)
	if p.Filter != nil {
		s += " filter=" + dump(p.Filter)
	}
	if p.Sub != "" {
		s += " sub=" + p.Sub
	}
	return s
}
