package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
)

// Discovery endpoints (RFC 7644 §4) and /Me. They need a key like every
// SCIM endpoint; their documents are rendered by package scim.

// serviceProviderConfig answers GET /ServiceProviderConfig (RFC 7643 §5).
func (a *api) serviceProviderConfig(w http.ResponseWriter, r *http.Request, _ provision.Caller) error {
	if err := noFilter(r); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, scim.RenderServiceProviderConfig(a.prov.ServiceProviderConfig(), a.scimBase(r)))
	return nil
}

// resourceTypes answers GET /ResourceTypes with a ListResponse.
func (a *api) resourceTypes(w http.ResponseWriter, r *http.Request, _ provision.Caller) error {
	return writeDiscoveryList(a, w, r, scim.ResourceTypes(), scim.RenderResourceType)
}

// resourceType answers GET /ResourceTypes/{name}.
func (a *api) resourceType(w http.ResponseWriter, r *http.Request, _ provision.Caller) error {
	name := r.PathValue("name")
	rt := scim.ResourceTypeByID(name)
	if rt == nil {
		return core.NotFound("resource type %q not found; Roster serves User and Group", clipped(name))
	}
	writeJSON(w, http.StatusOK, scim.RenderResourceType(rt, a.scimBase(r)))
	return nil
}

// schemas answers GET /Schemas with a ListResponse.
func (a *api) schemas(w http.ResponseWriter, r *http.Request, _ provision.Caller) error {
	return writeDiscoveryList(a, w, r, scim.Schemas(), scim.RenderSchema)
}

// writeDiscoveryList answers GET on a discovery collection (/ResourceTypes,
// /Schemas): 403 for a filter (see noFilter), else a ListResponse of every
// item rendered against this server's SCIM base URL.
func writeDiscoveryList[T any](a *api, w http.ResponseWriter, r *http.Request, items []T, render func(T, string) map[string]any) error {
	if err := noFilter(r); err != nil {
		return err
	}
	base := a.scimBase(r)
	var out []any
	for _, it := range items {
		out = append(out, render(it, base))
	}
	writeJSON(w, http.StatusOK, scim.NewListResponse(out, len(out), 1))
	return nil
}

// schema answers GET /Schemas/{urn}.
func (a *api) schema(w http.ResponseWriter, r *http.Request, _ provision.Caller) error {
	urn := r.PathValue("urn")
	s := scim.SchemaByID(urn)
	if s == nil {
		return core.NotFound("schema %q not found", clipped(urn))
	}
	writeJSON(w, http.StatusOK, scim.RenderSchema(s, a.scimBase(r)))
	return nil
}

// me answers /Me (RFC 7644 §3.11) with 501: Roster's clients are identity
// providers, not the users themselves.
func (a *api) me(http.ResponseWriter, *http.Request, provision.Caller) error {
	return scim.Errorf(http.StatusNotImplemented, "", "the /Me endpoint is not supported: SCIM clients of Roster authenticate as a team, not as a user")
}

// noFilter refuses a filter on a discovery endpoint: RFC 7644 §4 says the
// service provider SHOULD answer 403 so that clients do not assume it was
// applied.
func noFilter(r *http.Request) error {
	for k := range r.URL.Query() {
		if strings.EqualFold(k, "filter") {
			return core.Errorf(core.KindForbidden, "", "filters are not supported on discovery endpoints (RFC 7644 §4)")
		}
	}
	return nil
}

// bulk answers POST /Bulk (RFC 7644 §3.7) with a BulkResponse. The body
// may be as large as the advertised maxPayloadSize (413 beyond it).
func (a *api) bulk(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	body, err := a.readBody(w, r, a.maxBulk)
	if err != nil {
		if isTooLarge(err) {
			return scim.Errorf(http.StatusRequestEntityTooLarge, "", "the bulk request is larger than maxPayloadSize (%d bytes); split it into smaller requests", a.maxBulk)
		}
		return err
	}
	res, err := a.prov.Bulk(r.Context(), c, body)
	if err != nil {
		return err
	}
	base := a.scimBase(r)
	ops := make([]scim.BulkOperation, 0, len(res.Ops))
	for _, o := range res.Ops {
		op := scim.BulkOperation{
			Method:   o.Method,
			BulkID:   o.BulkID,
			Version:  o.Version,
			Location: o.Location(base),
			Status:   strconv.Itoa(o.Status),
		}
		if o.Err != nil {
			op.Status, op.Response = a.bulkErrorResponse(r, o.Err)
		}
		ops = append(ops, op)
	}
	writeJSON(w, http.StatusOK, scim.NewBulkResponse(ops))
	return nil
}
