package postgres

// withRuntimeParam sets a session parameter on every connection (tests).
func withRuntimeParam(name, value string) Option {
	return func(c *config) {
		if c.params == nil {
			c.params = map[string]string{}
		}
		c.params[name] = value
	}
}
