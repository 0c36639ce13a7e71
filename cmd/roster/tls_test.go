package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeCert writes a self-signed ECDSA certificate for 127.0.0.1.
func writeCert(t *testing.T) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "roster-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: []string{"localhost"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// TestServerTLS: the --tls-cert/--tls-key configuration accepts TLS 1.3
// and TLS 1.2 with an AEAD suite, and refuses TLS 1.1 and TLS 1.2 with
// CBC or non-forward-secret suites.
func TestServerTLS(t *testing.T) {
	certFile, keyFile := writeCert(t)
	conf, err := serverTLS(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	ts.TLS = conf
	ts.StartTLS()
	defer ts.Close()
	try := func(min, max uint16, suites []uint16) error {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
			InsecureSkipVerify: true, MinVersion: min, MaxVersion: max, CipherSuites: suites, //nolint:gosec // self-signed test certificate
		}}}
		res, err := c.Get(ts.URL)
		if err == nil {
			res.Body.Close()
		}
		return err
	}
	if err := try(tls.VersionTLS13, tls.VersionTLS13, nil); err != nil {
		t.Errorf("TLS 1.3 refused: %v", err)
	}
	if err := try(tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}); err != nil {
		t.Errorf("TLS 1.2 with ECDHE-ECDSA-AES128-GCM refused: %v", err)
	}
	if err := try(tls.VersionTLS12, tls.VersionTLS12, []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}); err == nil {
		t.Error("TLS 1.2 with a CBC suite accepted")
	}
	if err := try(tls.VersionTLS10, tls.VersionTLS11, nil); err == nil {
		t.Error("TLS 1.1 accepted")
	}
	if _, err := serverTLS(certFile, ""); err == nil {
		t.Error("--tls-cert without --tls-key accepted")
	}
	if c, err := serverTLS("", ""); c != nil || err != nil {
		t.Errorf("no TLS flags: %v %v", c, err)
	}
}

func TestParseProxies(t *testing.T) {
	got, err := parseProxies(" 10.0.0.0/8, 192.168.1.7 ,::1,2001:db8::/32 ")
	if err != nil {
		t.Fatal(err)
	}
	want := "[10.0.0.0/8 192.168.1.7/32 ::1/128 2001:db8::/32]"
	if s := fmt.Sprint(got); s != want {
		t.Errorf("parseProxies: %s, want %s", s, want)
	}
	if _, err := parseProxies("10.0.0.0/8,nonsense"); err == nil {
		t.Error("a bad entry accepted")
	}
}

// TestServeFlagErrors: bad reliability flags stop `serve` with a usage
// error before it opens anything.
func TestServeFlagErrors(t *testing.T) {
	db := "sqlite:" + filepath.Join(t.TempDir(), "flags.db")
	for _, args := range [][]string{
		{"serve", "--db", db, "--secret", "too-short"},
		{"serve", "--db", db, "--tls-cert", "x.pem"},
		{"serve", "--db", db, "--trusted-proxies", "10.0.0.0/8,bogus"},
	} {
		_, _, err := runCLI(t, args...)
		if exitCode(err) != 2 {
			t.Errorf("roster %v: %v, want a usage error", args, err)
		}
	}
}
