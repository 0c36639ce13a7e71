//go:build !race

package httpapi_test

// raceEnabled is true under the race detector.
const raceEnabled = false
