package awsconfig_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fakes below speak the AWS JSON 1.1 protocol that the real SDK clients
// use for SSM and Secrets Manager: a POST to "/" with X-Amz-Target naming
// the operation, a JSON body, a JSON answer, and errors as an HTTP status
// with {"__type": ..., "message": ...}. Each service has its own server, so
// that a test also proves the SDK sent each call to the endpoint its
// AWS_ENDPOINT_URL_<SERVICE> variable names.

const (
	testRegion    = "us-east-1"
	testAccessKey = "AKIDLASSOTEST"
	jsonType      = "application/x-amz-json-1.1"

	targetGetParametersByPath = "AmazonSSM.GetParametersByPath"
	targetGetSecretValue      = "secretsmanager.GetSecretValue"
)

// call is one request a fake received.
type call struct {
	Target      string
	ContentType string
	Auth        string
	Body        map[string]any
}

type param struct{ Name, Type, Value string }

// fakeAWS is one service's endpoint.
type fakeAWS struct {
	t       testing.TB
	service string // the SigV4 signing name: ssm or secretsmanager
	target  string // the one operation it serves
	URL     string

	mu       sync.Mutex
	calls    []call
	params   []param
	secrets  map[string]*string // SecretId -> SecretString; nil: a binary secret
	failWith int                // when not 0, every call answers this status
	pageSize int                // parameters per page (at most MaxResults)
	gate     chan struct{}      // when set, calls wait for it to close
	entered  chan struct{}      // receives once per call that reached the gate
}

func newFake(t testing.TB, service, target string) *fakeAWS {
	f := &fakeAWS{t: t, service: service, target: target, secrets: map[string]*string{}, pageSize: 10}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func newSSM(t testing.TB) *fakeAWS { return newFake(t, "ssm", targetGetParametersByPath) }
func newSecretsManager(t testing.TB) *fakeAWS {
	return newFake(t, "secretsmanager", targetGetSecretValue)
}

// setParam adds or replaces a parameter.
func (f *fakeAWS) setParam(name, typ, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, p := range f.params {
		if p.Name == name {
			f.params[i] = param{name, typ, value}
			return
		}
	}
	f.params = append(f.params, param{name, typ, value})
}

// setSecret stores a SecretString; values are marshalled to JSON unless
// already a string.
func (f *fakeAWS) setSecret(id string, value any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := value.(string)
	if !ok {
		b, err := json.Marshal(value)
		if err != nil {
			f.t.Fatal(err)
		}
		s = string(b)
	}
	f.secrets[id] = &s
}

func (f *fakeAWS) deleteSecret(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.secrets, id)
}

func (f *fakeAWS) setBinarySecret(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets[id] = nil
}

func (f *fakeAWS) fail(status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failWith = status
}

func (f *fakeAWS) setPageSize(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pageSize = n
}

// hold makes calls wait until the returned func is called.
func (f *fakeAWS) hold() (release func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gate = make(chan struct{})
	f.entered = make(chan struct{}, 100)
	gate := f.gate
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	f.t.Cleanup(release)
	return release
}

func (f *fakeAWS) Calls() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c := call{Target: r.Header.Get("X-Amz-Target"), ContentType: r.Header.Get("Content-Type"), Auth: r.Header.Get("Authorization")}
	if err := json.Unmarshal(body, &c.Body); err != nil {
		f.t.Errorf("%s: body %q is not a JSON object: %v", f.service, body, err)
	}
	f.mu.Lock()
	f.calls = append(f.calls, c)
	gate, entered, failWith := f.gate, f.entered, f.failWith
	f.mu.Unlock()

	// Anything but a well-formed, signed call of our one operation is a
	// test failure: the SDK sent the wrong thing or to the wrong place.
	if problem := f.reject(r, c); problem != "" {
		f.t.Errorf("%s: %s", f.service, problem)
		awsError(w, http.StatusBadRequest, "ValidationException", "bad request")
		return
	}
	if gate != nil {
		entered <- struct{}{}
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
	}
	if failWith != 0 {
		awsError(w, failWith, "InternalServerError", "the fake is failing on purpose")
		return
	}
	switch f.service {
	case "ssm":
		f.getParametersByPath(w, c.Body)
	default:
		f.getSecretValue(w, c.Body)
	}
}

func (f *fakeAWS) reject(r *http.Request, c call) string {
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		return "got " + r.Method + " " + r.URL.Path + ", want POST /"
	case c.Target != f.target:
		return "got X-Amz-Target " + strconv.Quote(c.Target) + ", want " + strconv.Quote(f.target)
	case c.ContentType != jsonType:
		return "got Content-Type " + strconv.Quote(c.ContentType) + ", want " + jsonType
	case !validSigV4(c.Auth, f.service):
		return "got Authorization " + strconv.Quote(c.Auth) + ", want SigV4 for " + f.service + " in " + testRegion
	}
	return ""
}

// validSigV4 checks the shape of a SigV4 Authorization header and its scope.
func validSigV4(auth, service string) bool {
	scope := "/" + testRegion + "/" + service + "/aws4_request"
	return strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential="+testAccessKey+"/") &&
		strings.Contains(auth, scope+",") &&
		strings.Contains(auth, "SignedHeaders=") &&
		strings.Contains(auth, "x-amz-target") &&
		strings.Contains(auth, "Signature=")
}

func (f *fakeAWS) getParametersByPath(w http.ResponseWriter, in map[string]any) {
	path, _ := in["Path"].(string)
	prefix := strings.TrimSuffix(path, "/") + "/"
	recursive, _ := in["Recursive"].(bool)
	f.mu.Lock()
	var match []param
	for _, p := range f.params {
		rest, under := strings.CutPrefix(p.Name, prefix)
		if under && (recursive || !strings.Contains(rest, "/")) {
			match = append(match, p)
		}
	}
	size := f.pageSize
	f.mu.Unlock()
	slices.SortFunc(match, func(a, b param) int { return strings.Compare(a.Name, b.Name) })
	if m, ok := in["MaxResults"].(float64); ok && int(m) < size {
		size = int(m)
	}
	start := 0
	if tok, ok := in["NextToken"].(string); ok {
		start, _ = strconv.Atoi(strings.TrimPrefix(tok, "page-"))
	}
	end := min(start+size, len(match))
	out := map[string]any{"Parameters": []any{}}
	var ps []any
	for _, p := range match[start:end] {
		ps = append(ps, map[string]any{
			"Name":             p.Name,
			"Type":             p.Type,
			"Value":            p.Value,
			"Version":          1,
			"ARN":              "arn:aws:ssm:" + testRegion + ":123456789012:parameter" + p.Name,
			"LastModifiedDate": float64(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Unix()),
			"DataType":         "text",
		})
	}
	if ps != nil {
		out["Parameters"] = ps
	}
	if end < len(match) {
		out["NextToken"] = "page-" + strconv.Itoa(end)
	}
	awsJSON(w, out)
}

func (f *fakeAWS) getSecretValue(w http.ResponseWriter, in map[string]any) {
	id, _ := in["SecretId"].(string)
	f.mu.Lock()
	v, ok := f.secrets[id]
	f.mu.Unlock()
	if !ok {
		awsError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	out := map[string]any{
		"ARN":           "arn:aws:secretsmanager:" + testRegion + ":123456789012:secret:" + id + "-AbCdEf",
		"Name":          id,
		"VersionId":     "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE",
		"VersionStages": []string{"AWSCURRENT"},
		"CreatedDate":   float64(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Unix()),
	}
	if v == nil {
		out["SecretBinary"] = "AAEC" // base64 of 0x00 0x01 0x02
	} else {
		out["SecretString"] = *v
	}
	awsJSON(w, out)
}

func awsJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("X-Amzn-RequestId", "00000000-0000-0000-0000-000000000000")
	_ = json.NewEncoder(w).Encode(v)
}

func awsError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", jsonType)
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}

// awsEnv points the SDK's default configuration at the fakes the way a
// deployment would point it at AWS: only through the environment. The shared
// config files and IMDS are switched off so that the machine running the
// tests cannot leak in, and one attempt per call keeps failure tests fast
// (the SDK's retry backoff is seconds).
func awsEnv(t *testing.T, ssm, sm *fakeAWS) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_REGION":                          testRegion,
		"AWS_ACCESS_KEY_ID":                   testAccessKey,
		"AWS_SECRET_ACCESS_KEY":               "test-secret-access-key",
		"AWS_SESSION_TOKEN":                   "",
		"AWS_PROFILE":                         "",
		"AWS_CONFIG_FILE":                     none,
		"AWS_SHARED_CREDENTIALS_FILE":         none,
		"AWS_EC2_METADATA_DISABLED":           "true",
		"AWS_ENDPOINT_URL":                    "",
		"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "",
		"AWS_MAX_ATTEMPTS":                    "1",
		"AWS_ENDPOINT_URL_SSM":                "http://127.0.0.1:1", // nothing listens: a call there fails
		"AWS_ENDPOINT_URL_SECRETS_MANAGER":    "http://127.0.0.1:1",
	} {
		t.Setenv(k, v)
	}
	if ssm != nil {
		t.Setenv("AWS_ENDPOINT_URL_SSM", ssm.URL)
	}
	if sm != nil {
		t.Setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", sm.URL)
	}
}

// readTestdata returns a file of testdata.
func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// logBuffer collects JSON log lines from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the log lines at level (e.g. "WARN").
func (b *logBuffer) lines(level string) []string {
	var out []string
	for l := range strings.SplitSeq(strings.TrimSpace(b.String()), "\n") {
		if strings.Contains(l, `"level":"`+level+`"`) {
			out = append(out, l)
		}
	}
	return out
}

func newLog() (*slog.Logger, *logBuffer) {
	b := &logBuffer{}
	return slog.New(slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})), b
}

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
