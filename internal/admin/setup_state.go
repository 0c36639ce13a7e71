package admin

import (
	"context"

	"github.com/rosterhq/roster/internal/core"
	"github.com/rosterhq/roster/internal/store"
)

// SetupOpen reports whether first-run setup (Setup) is still possible: no
// team has a member yet. The admin web page uses it to send the first
// visitor to its setup form.
func (s *Service) SetupOpen(ctx context.Context) (bool, error) {
	open, _, err := setupOpen(ctx, s.store)
	return open, err
}

// setupOpen is SetupOpen read through r (the store, or Setup's
// transaction); it also returns the teams it read.
func setupOpen(ctx context.Context, r store.Reader) (bool, []core.Team, error) {
	teams, err := r.Teams(ctx)
	if err != nil {
		return false, nil, err
	}
	for _, t := range teams {
		p, err := r.Members(ctx, t.ID, store.Query{})
		if err != nil {
			return false, nil, err
		}
		if p.Total > 0 {
			return false, teams, nil
		}
	}
	return true, teams, nil
}
