package admin_test

import (
	"errors"

	"github.com/rosterhq/roster/internal/core"
)

func asCore(err error, e **core.Error) bool { return errors.As(err, e) }
