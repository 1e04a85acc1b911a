package providertest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Received is one request a provider got.
type Received struct {
	ID     json.RawMessage
	Method string
	Params json.RawMessage
	Header http.Header
	Body   []byte
}

// Behaviour answers one request. Returning status 0 means 200.
type Behaviour func(r Received) (status int, body []byte)

// Provider is a scripted upstream.
type Provider struct {
	srv *httptest.Server

	mu       sync.Mutex
	received []Received
	behave   Behaviour
}

// New starts a provider on a free loopback port; it stops when t ends.
func New(t testing.TB, b Behaviour) *Provider {
	t.Helper()
	p := &Provider{behave: b}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

// URL is the provider's endpoint.
func (p *Provider) URL() string { return p.srv.URL }

// Close stops the provider, cutting any hanging request.
func (p *Provider) Close() {
	p.srv.CloseClientConnections()
	p.srv.Close()
}

// SetBehaviour changes how the provider answers from now on.
func (p *Provider) SetBehaviour(b Behaviour) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.behave = b
}

// Received returns a copy of the requests so far.
func (p *Provider) Received() []Received {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Received(nil), p.received...)
}

// Count is how many requests arrived.
func (p *Provider) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.received)
}

// Methods lists the methods received, in order.
func (p *Provider) Methods() []string {
	var out []string
	for _, r := range p.Received() {
		out = append(out, r.Method)
	}
	return out
}

func (p *Provider) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	_ = json.Unmarshal(body, &req)
	rec := Received{ID: req.ID, Method: req.Method, Params: req.Params, Header: r.Header.Clone(), Body: body}
	p.mu.Lock()
	p.received = append(p.received, rec)
	b := p.behave
	p.mu.Unlock()

	status, out := b(rec)
	if status == 0 {
		status = http.StatusOK
	}
	if status < 0 { // Hang: hold the request until the client gives up
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// Result answers every call with result (raw JSON) and the request's id.
func Result(result string) Behaviour {
	return func(r Received) (int, []byte) {
		return 200, envelope(r.ID, `"result":`+result)
	}
}

// ByMethod answers by method, falling back to fallback.
func ByMethod(m map[string]Behaviour, fallback Behaviour) Behaviour {
	return func(r Received) (int, []byte) {
		if b, ok := m[r.Method]; ok {
			return b(r)
		}
		return fallback(r)
	}
}

// RPCError answers with a JSON-RPC error object (data raw JSON, or "").
func RPCError(code int, message, data string) Behaviour {
	return func(r Received) (int, []byte) {
		e := map[string]any{"code": code, "message": message}
		if data != "" {
			e["data"] = json.RawMessage(data)
		}
		b, _ := json.Marshal(e)
		return 200, envelope(r.ID, `"error":`+string(b))
	}
}

// Status answers with an HTTP status and body.
func Status(status int, body string) Behaviour {
	return func(Received) (int, []byte) { return status, []byte(body) }
}

// Hang never answers.
func Hang() Behaviour { return func(Received) (int, []byte) { return -1, nil } }

// Raw answers with body as given, whatever the request.
func Raw(body string) Behaviour {
	return func(Received) (int, []byte) { return 200, []byte(body) }
}

func envelope(id json.RawMessage, member string) []byte {
	if id == nil {
		id = json.RawMessage("null")
	}
	return []byte(`{"jsonrpc":"2.0","id":` + string(id) + `,` + member + `}`)
}
