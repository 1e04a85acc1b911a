package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// probeID is the id of the probe's own eth_chainId; the pipeline gives
// eth_blockNumber a private id of its own.
const probeID = "lasso-probe"

// round probes one target: eth_chainId straight to the provider, which
// judges health and catches a provider on the wrong chain without touching
// its breaker; then eth_blockNumber through the pipeline with the provider
// as override, which reads the head and goes through the breaker (reference
// 4): an open one due for recovery takes it as its half-open trial, and a
// provider that stopped answering has its failures counted, so its breaker
// opens without a client paying for it. A provider on the wrong chain or
// asking us to back off gets no second request. Reasons name what failed
// in words and codes only: a provider's message or a transport error can
// carry its URL, and with it a key.
func (p *Prober) round(ctx context.Context, t Target) Result {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	r := p.chainID(ctx, t)
	if r.Kind == Misconfig || r.Kind == Limited {
		return r
	}
	head := p.blockNumber(ctx, t)
	if r.Kind == OK {
		head.Latency = r.Latency
		return head
	}
	// eth_chainId failed: its verdict stands. eth_blockNumber went out for
	// the breaker's sake; its head, from a provider whose chain could not
	// be checked, is not trusted.
	return r
}

// chainID asks the provider its chain id, straight through the transport.
func (p *Prober) chainID(ctx context.Context, t Target) Result {
	start := time.Now()
	reply, err := p.opts.Transport.Send(ctx, t.Provider, jsonrpc.AppendUpstream(nil, probeID, "eth_chainId", nil))
	latency := time.Since(start)
	if err != nil {
		return Result{Kind: Failed, Reason: "eth_chainId: " + describe(err)}
	}
	if r, bad := httpStatus(reply); bad {
		return r
	}
	up, err := jsonrpc.ParseUpstream(reply.Body, probeID)
	if err != nil {
		return Result{Kind: Failed, Reason: "eth_chainId: invalid JSON-RPC answer"}
	}
	if up.Error != nil {
		return rpcError("eth_chainId", up.Error)
	}
	id, ok := hexNumber(up.Result)
	if !ok {
		return Result{Kind: Failed, Reason: "eth_chainId: the result is not a hex number"}
	}
	if int64(id) != t.Chain.ID {
		return Result{Kind: Misconfig, Reason: fmt.Sprintf("serves chain %d, not %d", id, t.Chain.ID)}
	}
	return Result{Kind: OK, Latency: latency}
}

// blockNumber reads the provider's head through the pipeline.
func (p *Prober) blockNumber(ctx context.Context, t Target) Result {
	call := &proxy.Call{
		Request: jsonrpc.Request{ID: []byte(`1`), Method: "eth_blockNumber", Params: []byte(`[]`)},
		Profile: t.Profile, Chain: t.Chain, Override: t.Provider, Transport: "http",
		RequestID: probeID, System: true,
	}
	resp, err := p.opts.Pipeline.Serve(ctx, call)
	var open *proxy.AllOpenError
	switch {
	case errors.As(err, &open):
		// The breaker is open and not yet due for a trial: the head stays
		// unknown, and eth_chainId alone judges the round.
		return Result{Kind: OK}
	case err != nil:
		return pipelineError(err)
	case resp.Error != nil:
		return rpcError("eth_blockNumber", resp.Error)
	}
	h, ok := hexNumber(resp.Result)
	if !ok {
		return Result{Kind: Failed, Reason: "eth_blockNumber: the result is not a hex number"}
	}
	return Result{Kind: OK, Height: h, HasHeight: true}
}

// httpStatus judges a non-2xx answer (reference 8): 401 and 402 are a
// configuration problem (key, plan), 403 and 429 a rate limit.
func httpStatus(r proxy.Reply) (Result, bool) {
	switch {
	case r.Status >= 200 && r.Status < 300:
		return Result{}, false
	case r.Status == 401 || r.Status == 402:
		return Result{Kind: Misconfig, Reason: "HTTP " + strconv.Itoa(r.Status) + ": the provider refused the credentials or plan"}, true
	case r.Status == 403 || r.Status == 429:
		return Result{Kind: Limited, Reason: "HTTP " + strconv.Itoa(r.Status) + ": rate limited", RetryAfter: r.RetryAfter}, true
	}
	return Result{Kind: Failed, Reason: "HTTP " + strconv.Itoa(r.Status)}, true
}

// pipelineError judges eth_blockNumber's failure as the forwarder reports it.
func pipelineError(err error) Result {
	var status *proxy.StatusError
	var limited *proxy.RateLimitError
	var rpc *jsonrpc.Error
	switch {
	case errors.As(err, &limited):
		return Result{Kind: Limited, Reason: "eth_blockNumber: rate limited", RetryAfter: limited.RetryAfter}
	case errors.Is(err, proxy.ErrRateLimited):
		return Result{Kind: Limited, Reason: "eth_blockNumber: rate limited"}
	case errors.As(err, &status):
		r, _ := httpStatus(proxy.Reply{Status: status.Status})
		r.Reason = "eth_blockNumber: " + r.Reason
		return r
	case errors.As(err, &rpc):
		return rpcError("eth_blockNumber", rpc)
	}
	return Result{Kind: Failed, Reason: "eth_blockNumber: " + describe(err)}
}

// rpcError judges a JSON-RPC error answer by its code: the message may
// quote the request, and the request's URL may hold a key. Providers that
// put an HTTP status in the code are judged as that status is.
func rpcError(method string, e *jsonrpc.Error) Result {
	reason := fmt.Sprintf("%s: JSON-RPC error %d", method, e.Code)
	switch e.Code {
	case jsonrpc.CodeRateLimited:
		return Result{Kind: Limited, Reason: reason}
	case 4100: // EIP-1193 unauthorized
		return Result{Kind: Misconfig, Reason: reason}
	case 401, 402, 403, 429:
		r, _ := httpStatus(proxy.Reply{Status: e.Code})
		r.Reason = reason
		return r
	}
	return Result{Kind: Failed, Reason: reason}
}

// describe names a transport failure without its text, which for Go's
// HTTP client includes the URL.
func describe(err error) string {
	var nerr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	case errors.As(err, new(*net.OpError)), errors.As(err, new(*net.DNSError)):
		return "connection failed"
	}
	return "request failed"
}

// hexNumber reads a JSON string "0x..." as a number.
func hexNumber(raw []byte) (uint64, bool) {
	s := strings.TrimSpace(string(raw))
	s, ok := strings.CutPrefix(s, `"0x`)
	if !ok || !strings.HasSuffix(s, `"`) {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSuffix(s, `"`), 16, 64)
	return n, err == nil
}
