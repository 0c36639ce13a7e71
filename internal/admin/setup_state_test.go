package admin_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/rosterhq/roster/internal/admin"
	"github.com/rosterhq/roster/internal/provision/provisiontest"
)

// SetupOpen is true on an empty database, false once Setup has made the
// first member, and agrees with what Setup itself decides.
func TestSetupOpen(t *testing.T) {
	for _, b := range provisiontest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			svc := admin.New(b.Open(t), admin.WithPasswordCost(1, 1024), admin.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
			if open, err := svc.SetupOpen(ctx); err != nil || !open {
				t.Fatalf("empty database: SetupOpen %v, %v; want true", open, err)
			}
			in := admin.SetupInput{SignUpInput: admin.SignUpInput{Email: "first@example.com", Password: password}}
			if _, err := svc.Setup(ctx, in); err != nil {
				t.Fatalf("Setup: %v", err)
			}
			if open, err := svc.SetupOpen(ctx); err != nil || open {
				t.Errorf("after Setup: SetupOpen %v, %v; want false", open, err)
			}
			in.Email = "second@example.com"
			if _, err := svc.Setup(ctx, in); code(err) != "forbidden/setupDone" {
				t.Errorf("second Setup: %s, want forbidden/setupDone", code(err))
			}
		})
	}
}
