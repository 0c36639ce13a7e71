package provision_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
)

func TestBulk(t *testing.T) {
	run(t, func(f *fixture) {
		t := f.t
		body := fmt.Sprintf(`{"schemas":[%q],"Operations":[
			{"method":"POST","path":"/Groups","bulkId":"g","data":{"displayName":"Tour Guides","members":[{"value":"bulkId:u1"},{"value":"bulkId:u2"}]}},
			{"method":"POST","path":"/Users","bulkId":"u1","data":{"userName":"bulk1"}},
			{"method":"POST","path":"/Users","bulkId":"u2","data":{"userName":"bulk2"}},
			{"method":"PATCH","path":"/Users/bulkId:u1","data":{"Operations":[{"op":"replace","path":"active","value":false}]}},
			{"method":"POST","path":"/Users","bulkId":"dup","data":{"userName":"BULK1"}},
			{"method":"DELETE","path":"/Users/bulkId:dup"},
			{"method":"POST","path":"/Groups","bulkId":"c1","data":{"displayName":"c1","members":[{"value":"bulkId:c2","type":"Group"}]}},
			{"method":"POST","path":"/Groups","bulkId":"c2","data":{"displayName":"c2","members":[{"value":"bulkId:c1","type":"Group"}]}}
		]}`, scim.BulkRequestSchema)
		res, err := f.svc.Bulk(f.ctx, f.c, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range res.Ops {
			s := fmt.Sprint(o.Status)
			if o.Err != nil {
				s = kindOf(o.Err)
			}
			got = append(got, o.Method+" "+o.BulkID+" "+s)
		}
		want := []string{
			"POST g 201", "POST u1 201", "POST u2 201", "PATCH  200",
			fmt.Sprintf("POST dup kind%d uniqueness", core.KindConflict),
			fmt.Sprintf("DELETE  kind%d invalidValue", core.KindConflict),
			fmt.Sprintf("POST c1 kind%d invalidValue", core.KindConflict),
			fmt.Sprintf("POST c2 kind%d invalidValue", core.KindConflict),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("bulk results:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		g := f.doc(mustGroup(f, res.Ops[0].ID))
		if len(memberIDs(g)) != 2 || res.Ops[0].Location(base) != base+"/Groups/"+res.Ops[0].ID {
			t.Errorf("bulk group = %v", g)
		}
		// failOnErrors stops processing.
		body = `{"failOnErrors":1,"Operations":[
			{"method":"DELETE","path":"/Users/nope"},
			{"method":"POST","path":"/Users","bulkId":"x","data":{"userName":"never"}}]}`
		res, err = f.svc.Bulk(f.ctx, f.c, []byte(body))
		if err != nil || len(res.Ops) != 1 || !core.IsKind(res.Ops[0].Err, core.KindNotFound) {
			t.Errorf("failOnErrors: %v %+v", err, res)
		}
		// maxOperations.
		ops := make([]string, provision.DefaultMaxBulkOperations+1)
		for i := range ops {
			ops[i] = `{"method":"DELETE","path":"/Users/x"}`
		}
		if _, err := f.svc.Bulk(f.ctx, f.c, []byte(`{"Operations":[`+strings.Join(ops, ",")+`]}`)); kindOf(err) != "413 " {
			t.Errorf("too many operations: %v", err)
		}
	})
}
