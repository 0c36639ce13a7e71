package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestTransportLimits checks the limits the real server's http.Server
// enforces, through `roster serve` on SQLite:
//
//   - a request whose headers exceed MaxHeaderBytes (64 KiB) gets 431, and
//     one just under it is served;
//   - a client that dribbles its headers is cut off by
//     --read-header-timeout (1 s here, 10 s by default);
//   - a client that dribbles its body is cut off by --read-timeout (2 s
//     here, 60 s by default): it never gets a 2xx or a 5xx, and the user
//     it was creating does not exist;
//   - meanwhile other clients are served.
func TestTransportLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real server; skipped with -short")
	}
	const headerTO, readTO = time.Second, 2 * time.Second
	bin := buildRoster(t)
	p, addr := startRoster(t, bin, filepath.Join(t.TempDir(), "limits.db"), "127.0.0.1:0",
		"--read-header-timeout", headerTO.String(), "--read-timeout", readTO.String())
	key := firstRunKey.FindStringSubmatch(p.stdout.String())[1]
	c := &idp{base: "http://" + addr, key: key, client: &http.Client{Timeout: 10 * time.Second}}

	t.Run("header size", func(t *testing.T) {
		for _, tc := range []struct {
			size int
			want int
		}{{60 << 10, 200}, {96 << 10, 431}, {128 << 10, 431}, {1 << 20, 431}} {
			r, _ := http.NewRequest("GET", c.base+"/scim/v2/Users?count=1", nil)
			r.Header.Set("Authorization", "Bearer "+key)
			r.Header.Set("X-Padding", strings.Repeat("a", tc.size))
			res, err := c.client.Do(r)
			if err != nil {
				// The server may close before reading a 1 MiB header; the
				// answer must still have been 431 when one is read.
				t.Logf("%d-byte header: %v", tc.size, err)
				if tc.want != 431 {
					t.Errorf("%d-byte header: %v", tc.size, err)
				}
				continue
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("%d-byte header: status %d, want %d", tc.size, res.StatusCode, tc.want)
			}
		}
	})

	t.Run("header size threshold", func(t *testing.T) {
		// net/http refuses headers past MaxHeaderBytes plus its read-buffer
		// slack; find where, for the record.
		first := 0
		for kib := 60; kib <= 96; kib += 2 {
			r, _ := http.NewRequest("GET", c.base+"/scim/v2/Users?count=1", nil)
			r.Header.Set("Authorization", "Bearer "+key)
			r.Header.Set("X-Padding", strings.Repeat("a", kib<<10))
			res, err := c.client.Do(r)
			if err != nil {
				continue
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == 431 && first == 0 {
				first = kib
			}
			if res.StatusCode != 431 && first != 0 {
				t.Errorf("%d KiB of header accepted (%d) after %d KiB was refused", kib, res.StatusCode, first)
			}
		}
		if first == 0 {
			t.Fatal("no header up to 96 KiB was refused")
		}
		t.Logf("first refused header size: %d KiB (MaxHeaderBytes 64 KiB)", first)
	})

	t.Run("slow headers", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		began := time.Now()
		if _, err := io.WriteString(conn, "GET /scim/v2/Users HTTP/1.1\r\nHost: "+addr+"\r\n"); err != nil {
			t.Fatal(err)
		}
		// One header byte every 100 ms: the headers would take minutes.
		cut := false
		for time.Since(began) < headerTO+5*time.Second {
			if _, err := io.WriteString(conn, "X"); err != nil {
				cut = true
				break
			}
			_ = conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
			var b [512]byte
			n, err := conn.Read(b[:])
			if n > 0 || (err != nil && !isTimeout(err)) {
				cut = true // a 408/400 or a closed connection
				break
			}
		}
		took := time.Since(began)
		if !cut {
			t.Fatalf("a client dribbling headers was still connected after %v", took)
		}
		if took < headerTO-100*time.Millisecond || took > headerTO+3*time.Second {
			t.Errorf("cut off after %v, want about %v", took, headerTO)
		}
		t.Logf("dribbled headers cut off after %v (read-header-timeout %v)", took.Round(time.Millisecond), headerTO)
		if _, st := c.lookup("nobody@limits.example"); st != 200 {
			t.Errorf("another client during the slow one: %d", st)
		}
	})

	t.Run("slow body", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		body := `{"userName":"slow@limits.example","name":{"givenName":"Slow","familyName":"Body"},"displayName":"` + strings.Repeat("s", 200) + `"}`
		head := "POST /scim/v2/Users HTTP/1.1\r\nHost: " + addr + "\r\nAuthorization: Bearer " + key +
			"\r\nContent-Type: application/scim+json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
		began := time.Now()
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		status := 0
		done := make(chan struct{})
		go func() {
			defer close(done)
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err == nil {
				status = res.StatusCode
				var m map[string]any
				if json.NewDecoder(res.Body).Decode(&m) != nil || m["status"] != strconv.Itoa(status) {
					t.Errorf("slow body: status %d without a SCIM error body", status)
				}
				res.Body.Close()
			}
		}()
		// One byte every 100 ms: the body would take 30 s.
	dribble:
		for i := 0; i < len(body)-1; i++ {
			select {
			case <-done:
				break dribble
			case <-time.After(100 * time.Millisecond):
			}
			if _, err := io.WriteString(conn, body[i:i+1]); err != nil {
				break
			}
		}
		select {
		case <-done:
		case <-time.After(readTO + 5*time.Second):
			t.Fatal("a client dribbling its body was not cut off")
		}
		took := time.Since(began)
		if status >= 200 && status < 300 || status >= 500 {
			t.Errorf("slow body: status %d, want a 4xx or a closed connection", status)
		}
		if took > readTO+3*time.Second {
			t.Errorf("cut off after %v, want about %v", took, readTO)
		}
		t.Logf("dribbled body cut off after %v with status %d (0: connection closed; read-timeout %v)", took.Round(time.Millisecond), status, readTO)
		if id, st := c.lookup("slow@limits.example"); st != 200 || id != "" {
			t.Errorf("the slow client's user: look-up %d id %q, want absent", st, id)
		}
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
