package httpapi

import (
	"context"
	"net/http"

	"github.com/rosterhq/roster/internal/provision"
	"github.com/rosterhq/roster/internal/scim"
)

// Handlers of /Users and /Groups (RFC 7644 §3.3–3.6). Each decodes the
// request, calls one use case and encodes its result.

// kind binds the handlers of one resource type to its use cases.
type kind struct {
	create  func(context.Context, provision.Caller, []byte, provision.Options) (*provision.Resource, error)
	get     func(context.Context, provision.Caller, string, provision.Options) (*provision.Resource, error)
	replace func(context.Context, provision.Caller, string, []byte, provision.Options) (*provision.Resource, error)
	patch   func(context.Context, provision.Caller, string, []byte, provision.Options) (*provision.Resource, error)
	del     func(context.Context, provision.Caller, string, provision.Conditions) error
	list    func(context.Context, provision.Caller, scim.SearchRequest) (*provision.List, error)
	// patchBody says whether a PATCH answers 200 with the resource even
	// when no attributes were asked for (Users); else 204 (Groups).
	patchBody bool
}

func (a *api) users() kind {
	p := a.prov
	return kind{p.CreateUser, p.GetUser, p.ReplaceUser, p.PatchUser, p.DeleteUser, p.ListUsers, true}
}

func (a *api) groups() kind {
	p := a.prov
	return kind{p.CreateGroup, p.GetGroup, p.ReplaceGroup, p.PatchGroup, p.DeleteGroup, p.ListGroups, false}
}

func (a *api) listUsers(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doList(w, r, c, a.users())
}
func (a *api) listGroups(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doList(w, r, c, a.groups())
}
func (a *api) searchUsers(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doSearch(w, r, c, a.prov.ListUsers)
}
func (a *api) searchGroups(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doSearch(w, r, c, a.prov.ListGroups)
}
func (a *api) searchAll(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doSearch(w, r, c, a.prov.Search)
}
func (a *api) createUser(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doCreate(w, r, c, a.users())
}
func (a *api) createGroup(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doCreate(w, r, c, a.groups())
}
func (a *api) getUser(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doGet(w, r, c, a.users())
}
func (a *api) getGroup(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doGet(w, r, c, a.groups())
}
func (a *api) replaceUser(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doReplace(w, r, c, a.users())
}
func (a *api) replaceGroup(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doReplace(w, r, c, a.groups())
}
func (a *api) patchUser(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doPatch(w, r, c, a.users())
}
func (a *api) patchGroup(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doPatch(w, r, c, a.groups())
}
func (a *api) deleteUser(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doDelete(w, r, c, a.users())
}
func (a *api) deleteGroup(w http.ResponseWriter, r *http.Request, c provision.Caller) error {
	return a.doDelete(w, r, c, a.groups())
}

// doList answers GET on a resource type endpoint (RFC 7644 §3.4.2).
func (a *api) doList(w http.ResponseWriter, r *http.Request, c provision.Caller, k kind) error {
	sr, err := scim.SearchRequestFromQuery(r.URL.Query())
	if err != nil {
		return err
	}
	l, err := k.list(r.Context(), c, sr)
	if err != nil {
		return err
	}
	a.writeList(w, r, l)
	return nil
}

// doSearch answers POST .search (RFC 7644 §3.4.3).
func (a *api) doSearch(w http.ResponseWriter, r *http.Request, c provision.Caller, search func(context.Context, provision.Caller, scim.SearchRequest) (*provision.List, error)) error {
	body, err := a.readBody(w, r, a.maxBody)
	if err != nil {
		return err
	}
	sr, err := scim.DecodeSearchRequest(body)
	if err != nil {
		return err
	}
	l, err := search(r.Context(), c, sr)
	if err != nil {
		return err
	}
	a.writeList(w, r, l)
	return nil
}

// doCreate answers POST on a resource type endpoint (RFC 7644 §3.3): 201
// with Location, ETag and the resource.
func (a *api) doCreate(w http.ResponseWriter, r *http.Request, c provision.Caller, k kind) error {
	opt, _, err := options(r)
	if err != nil {
		return err
	}
	body, err := a.readBody(w, r, a.maxBody)
	if err != nil {
		return err
	}
	res, err := k.create(r.Context(), c, body, opt)
	if err != nil {
		return err
	}
	a.writeResource(w, r, http.StatusCreated, res)
	return nil
}

// doGet answers GET on a resource (RFC 7644 §3.4.1): 304 when
// If-None-Match matches its version (RFC 7644 §3.14), 412 when If-Match
// does not, else 200.
func (a *api) doGet(w http.ResponseWriter, r *http.Request, c provision.Caller, k kind) error {
	opt, _, err := options(r)
	if err != nil {
		return err
	}
	res, err := k.get(r.Context(), c, r.PathValue("id"), opt)
	if err != nil {
		return err
	}
	if len(opt.IfMatch) > 0 && !res.MatchesAny(opt.IfMatch) {
		return errPrecondition(res)
	}
	if len(opt.IfNoneMatch) > 0 && res.MatchesAny(opt.IfNoneMatch) {
		w.Header().Set("ETag", res.ETag())
		writeEmpty(w, http.StatusNotModified)
		return nil
	}
	a.writeResource(w, r, http.StatusOK, res)
	return nil
}

// doReplace answers PUT (RFC 7644 §3.5.1): 200 with the resource.
func (a *api) doReplace(w http.ResponseWriter, r *http.Request, c provision.Caller, k kind) error {
	opt, _, err := options(r)
	if err != nil {
		return err
	}
	body, err := a.readBody(w, r, a.maxBody)
	if err != nil {
		return err
	}
	res, err := k.replace(r.Context(), c, r.PathValue("id"), body, opt)
	if err != nil {
		return err
	}
	a.writeResource(w, r, http.StatusOK, res)
	return nil
}

// doPatch answers PATCH (RFC 7644 §3.5.2): 200 with the resource for
// Users or when attributes were asked for; 204 with the ETag otherwise.
func (a *api) doPatch(w http.ResponseWriter, r *http.Request, c provision.Caller, k kind) error {
	opt, asked, err := options(r)
	if err != nil {
		return err
	}
	body, err := a.readBody(w, r, a.maxBody)
	if err != nil {
		return err
	}
	res, err := k.patch(r.Context(), c, r.PathValue("id"), body, opt)
	if err != nil {
		return err
	}
	if k.patchBody || asked {
		a.writeResource(w, r, http.StatusOK, res)
		return nil
	}
	w.Header().Set("ETag", res.ETag())
	writeEmpty(w, http.StatusNoContent)
	return nil
}

// doDelete answers DELETE (RFC 7644 §3.6): 204.
func (a *api) doDelete(w http.ResponseWriter, r *http.Request, c provision.Caller, k kind) error {
	if err := k.del(r.Context(), c, r.PathValue("id"), conditions(r)); err != nil {
		return err
	}
	writeEmpty(w, http.StatusNoContent)
	return nil
}

// errPrecondition is the 412 of a GET whose If-Match does not match.
func errPrecondition(res *provision.Resource) error {
	return scim.Errorf(http.StatusPreconditionFailed, "", "%s %q has version %s, which does not match If-Match", res.ResourceType(), res.ID(), res.ETag())
}
