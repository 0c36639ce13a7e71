package provision

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/scim"
)

// bulkIDPrefix starts a reference to a resource created earlier in the
// same Bulk request (RFC 7644 §3.7.2).
const bulkIDPrefix = "bulkId:"

// BulkResult is the outcome of a Bulk request: one entry per operation
// processed, in request order. Operations not processed because
// failOnErrors was reached are absent (RFC 7644 §3.7.3).
type BulkResult struct {
	Ops []BulkOpResult
}

// BulkOpResult is the outcome of one Bulk operation.
type BulkOpResult struct {
	// Method and BulkID echo the request.
	Method string
	BulkID string
	// ID is the target resource's id, "" when there is none (a failed
	// POST, or a path that names no resource).
	ID string
	// Version is the resource's ETag after a successful write, or "".
	Version string
	// Status is the HTTP status of a successful operation (201, 200, 204).
	Status int
	// Err is the operation's error, or nil; the transport renders it as a
	// SCIM error in the operation's "response".
	Err error

	rt *scim.ResourceType
}

// Location returns the absolute URI of the operation's resource under
// base, or "" when there is none.
func (o BulkOpResult) Location(base string) string {
	if o.rt == nil || o.ID == "" {
		return ""
	}
	return location(base, o.rt, o.ID)
}

// Bulk runs a Bulk request (POST /Bulk, RFC 7644 §3.7): each operation as
// the corresponding single request, in order, each in its own transaction
// (a bulk request is not atomic). "bulkId:<id>" in a path or anywhere in
// data refers to the resource a POST of the request created; an
// operation that refers to a POST placed later in the request waits for
// it (RFC 7644 §3.7.1). A reference that cannot be resolved — an unknown
// bulkId, one whose POST failed, or a cycle — fails that operation with
// 409 invalidValue. After failOnErrors errors the remaining operations are
// not processed.
//
// A body over MaxBulkPayload or with more than MaxBulkOperations
// operations is a 413 error for the whole request (RFC 7644 §3.7.4).
func (s *Service) Bulk(ctx context.Context, c Caller, body []byte) (*BulkResult, error) {
	if int64(len(body)) > s.cfg.MaxBulkPayload {
		return nil, tooLargeBulk(s.cfg.MaxBulkPayload)
	}
	req, err := scim.DecodeBulkRequest(body, s.cfg.MaxBulkOperations)
	if err != nil {
		return nil, err
	}
	posts := map[string]int{} // bulkId → index of its POST
	for i, op := range req.Operations {
		if op.Method != "POST" {
			continue
		}
		if _, dup := posts[op.BulkID]; dup {
			return nil, invalid("bulkId %q is used by more than one POST operation; bulkIds must be unique in a request", clip(op.BulkID))
		}
		posts[op.BulkID] = i
	}
	failLimit := 0
	if req.FailOnErrors != nil && *req.FailOnErrors > 0 {
		failLimit = *req.FailOnErrors
	}
	b := &bulkRun{s: s, c: c, ops: req.Operations, posts: posts, failLimit: failLimit,
		results:  make([]*BulkOpResult, len(req.Operations)),
		resolved: map[string]string{},
		done:     make([]bool, len(req.Operations)),
	}
	b.run(ctx)
	out := &BulkResult{}
	for _, r := range b.results {
		if r != nil {
			out.Ops = append(out.Ops, *r)
		}
	}
	return out, nil
}

// tooLargeBulk is the 413 of a Bulk body over maxPayloadSize.
func tooLargeBulk(max int64) error {
	return scim.Errorf(413, "", "the bulk request is larger than maxPayloadSize (%d bytes); split it into smaller requests", max)
}

// bulkRun is the state of one Bulk request.
type bulkRun struct {
	s         *Service
	c         Caller
	ops       []scim.BulkOperation
	posts     map[string]int
	failLimit int
	errors    int
	results   []*BulkOpResult
	resolved  map[string]string // bulkId → created id
	done      []bool
}

// run processes the operations in passes: each pass runs every pending
// operation whose references are resolved and defers those waiting for a
// later POST; a pass that makes no progress ends the cycle.
func (b *bulkRun) run(ctx context.Context) {
	pending := make([]int, len(b.ops))
	for i := range pending {
		pending[i] = i
	}
	for len(pending) > 0 {
		var next []int
		progress := false
		for _, i := range pending {
			if b.stopped() {
				return
			}
			op := b.ops[i]
			wait, bad := b.references(op)
			switch {
			case bad != "":
				b.fail(i, core.Errorf(core.KindConflict, scim.ErrInvalidValue,
					"bulkId %q cannot be resolved: no successful POST in this request has it", clip(bad)))
				progress = true
			case wait:
				next = append(next, i)
			default:
				b.exec(ctx, i)
				progress = true
			}
		}
		if !progress {
			for _, i := range next {
				if b.stopped() {
					return
				}
				b.fail(i, core.Errorf(core.KindConflict, scim.ErrInvalidValue,
					"the operation's bulkId references form a cycle and cannot be resolved"))
			}
			return
		}
		pending = next
	}
}

func (b *bulkRun) stopped() bool { return b.failLimit > 0 && b.errors >= b.failLimit }

// references reports whether op refers to a POST that has not run yet
// (wait), or names a bulkId that cannot be resolved (bad).
func (b *bulkRun) references(op scim.BulkOperation) (wait bool, bad string) {
	for _, ref := range bulkRefs(op) {
		if _, ok := b.resolved[ref]; ok {
			continue
		}
		i, ok := b.posts[ref]
		if !ok || b.done[i] {
			return false, ref
		}
		wait = true
	}
	return wait, ""
}

// fail records an error result for operation i.
func (b *bulkRun) fail(i int, err error) {
	op := b.ops[i]
	b.results[i] = &BulkOpResult{Method: op.Method, BulkID: op.BulkID, Err: err}
	b.done[i] = true
	b.errors++
}

// exec runs operation i with its references resolved.
func (b *bulkRun) exec(ctx context.Context, i int) {
	op := b.ops[i]
	b.done[i] = true
	res := b.s.bulkOne(ctx, b.c, op, b.resolved)
	b.results[i] = &res
	if res.Err != nil {
		b.errors++
		return
	}
	if op.Method == "POST" {
		b.resolved[op.BulkID] = res.ID
	}
}

// bulkOne runs one operation as its single-request counterpart.
func (s *Service) bulkOne(ctx context.Context, c Caller, op scim.BulkOperation, resolved map[string]string) BulkOpResult {
	res := BulkOpResult{Method: op.Method, BulkID: op.BulkID}
	rt, id, err := bulkPath(substitute(op.Path, resolved))
	if err != nil {
		res.Err = err
		return res
	}
	res.rt, res.ID = rt, id
	if (op.Method == "POST") != (id == "") {
		if op.Method == "POST" {
			res.Err = invalid("POST takes a resource type path such as \"/Users\", not %q", clip(op.Path))
		} else {
			res.Err = invalid("%s takes a resource path such as \"/Users/{id}\", not %q", op.Method, clip(op.Path))
		}
		return res
	}
	data, err := substituteJSON(op.Data, resolved)
	if err != nil {
		res.Err = err
		return res
	}
	opt := Options{}
	if op.Version != "" {
		opt.IfMatch = []string{op.Version}
	}
	isGroup := rt == scim.GroupType()
	var r *Resource
	switch op.Method {
	case "POST":
		res.Status = 201
		if isGroup {
			r, err = s.CreateGroup(ctx, c, data, opt)
		} else {
			r, err = s.CreateUser(ctx, c, data, opt)
		}
	case "PUT":
		res.Status = 200
		if isGroup {
			r, err = s.ReplaceGroup(ctx, c, id, data, opt)
		} else {
			r, err = s.ReplaceUser(ctx, c, id, data, opt)
		}
	case "PATCH":
		res.Status = 200
		if isGroup {
			r, err = s.PatchGroup(ctx, c, id, data, opt)
		} else {
			r, err = s.PatchUser(ctx, c, id, data, opt)
		}
	case "DELETE":
		res.Status = 204
		if isGroup {
			err = s.DeleteGroup(ctx, c, id, opt.Conditions)
		} else {
			err = s.DeleteUser(ctx, c, id, opt.Conditions)
		}
	}
	if err != nil {
		res.Status = 0
		res.Err = err
		if op.Method == "POST" {
			res.ID = ""
		}
		return res
	}
	if r != nil {
		res.ID = r.ID()
		res.Version = r.ETag()
	}
	return res
}

// bulkPath parses an operation path: "/Users", "/Users/{id}", "/Groups"
// or "/Groups/{id}" (the endpoint in any letter case; a leading slash
// optional).
func bulkPath(p string) (*scim.ResourceType, string, error) {
	p = strings.TrimPrefix(strings.TrimSpace(p), "/")
	endpoint, id, _ := strings.Cut(p, "/")
	for _, rt := range scim.ResourceTypes() {
		if strings.EqualFold("/"+endpoint, rt.Endpoint) {
			if strings.Contains(id, "/") {
				break
			}
			return rt, id, nil
		}
	}
	return nil, "", core.NotFound("bulk operation path %q names no resource endpoint (use /Users or /Groups)", clip(p))
}

// bulkRefs returns the bulkIds an operation refers to in its path and
// data.
func bulkRefs(op scim.BulkOperation) []string {
	var refs []string
	if i := strings.Index(op.Path, bulkIDPrefix); i >= 0 {
		refs = append(refs, op.Path[i+len(bulkIDPrefix):])
	}
	if len(op.Data) == 0 || !bytes.Contains(op.Data, []byte(bulkIDPrefix)) {
		return refs
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(op.Data))
	dec.UseNumber()
	if dec.Decode(&v) != nil {
		return refs
	}
	walkStrings(v, func(s string) string {
		if strings.HasPrefix(s, bulkIDPrefix) {
			refs = append(refs, s[len(bulkIDPrefix):])
		}
		return s
	})
	return refs
}

// substitute replaces a "bulkId:<id>" reference in a path.
func substitute(p string, resolved map[string]string) string {
	i := strings.Index(p, bulkIDPrefix)
	if i < 0 {
		return p
	}
	if id, ok := resolved[p[i+len(bulkIDPrefix):]]; ok {
		return p[:i] + id
	}
	return p
}

// substituteJSON replaces every JSON string "bulkId:<id>" in data with
// the created resource's id.
func substituteJSON(data json.RawMessage, resolved map[string]string) ([]byte, error) {
	if len(data) == 0 || !bytes.Contains(data, []byte(bulkIDPrefix)) {
		return data, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, scim.BadRequest(scim.ErrInvalidSyntax, "bulk operation data is not valid JSON")
	}
	v = walkStrings(v, func(s string) string {
		if strings.HasPrefix(s, bulkIDPrefix) {
			if id, ok := resolved[s[len(bulkIDPrefix):]]; ok {
				return id
			}
		}
		return s
	})
	return json.Marshal(v)
}

// walkStrings calls fn on every string value (not key) of v and returns v
// with the strings fn returns.
func walkStrings(v any, fn func(string) string) any {
	switch t := v.(type) {
	case string:
		return fn(t)
	case []any:
		for i, e := range t {
			t[i] = walkStrings(e, fn)
		}
		return t
	case map[string]any:
		for k, e := range t {
			t[k] = walkStrings(e, fn)
		}
		return t
	}
	return v
}
