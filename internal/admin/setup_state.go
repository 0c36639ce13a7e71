package admin

import (
	"context"

	"github.com/rosterhq/roster/internal/store"
)

// SetupOpen reports whether first-run setup (Setup) is still possible: no
// team has a member yet. The admin web page uses it to send the first
// visitor to its setup form.
func (s *Service) SetupOpen(ctx context.Context) (bool, error) {
	teams, err := s.store.Teams(ctx)
	if err != nil {
		return false, err
	}
	for _, t := range teams {
		p, err := s.store.Members(ctx, t.ID, store.Query{})
		if err != nil {
			return false, err
		}
		if p.Total > 0 {
			return false, nil
		}
	}
	return true, nil
}
