package httpapi

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
	"github.com/lasso-serverless/lasso/shared/profile"
	"github.com/lasso-serverless/lasso/shared/proxy"
)

// target is a resolved RPC route.
type target struct {
	profile   *profile.Profile
	chain     *profile.Chain
	strategy  string
	override  *profile.Provider
	transport string
}

func (h *Handler) rpc(w http.ResponseWriter, r *http.Request, reqID string) {
	start := h.opts.Now()
	body, charge, err := h.readBody(w, r)
	if charge > 0 {
		defer h.budget.give(charge)
	}
	var items []jsonrpc.Item
	var batch bool
	if err == nil {
		items, batch, err = jsonrpc.Decode(body, h.opts.MaxBatch)
	}
	var t target
	if err == nil {
		t, err = h.resolve(r)
	}
	if err != nil {
		status, e := toWire(err, "")
		writeBody(w, status, jsonrpc.NewErrorResponse(nil, e).AppendJSON(nil))
		h.logFailure(r.Context(), reqID, r, status, e, err, start)
		return
	}
	if !h.limit(w, r, reqID, t.profile, items, batch, start) {
		return
	}

	calls := make([]*proxy.Call, 0, len(items))
	for _, it := range items {
		if it.Err == nil {
			calls = append(calls, &proxy.Call{
				Request: it.Req, Profile: t.profile, Chain: t.chain, Strategy: t.strategy,
				Override: t.override, Transport: t.transport, RequestID: reqID, Path: r.URL.Path,
			})
		}
	}
	results := proxy.ServeAll(r.Context(), h.opts.Pipeline, calls, h.opts.BatchConcurrency)

	// Answer in request order: invalid members in place, notifications left out.
	resps := make([]*jsonrpc.Response, 0, len(items))
	wireErrs := make([]*jsonrpc.Error, len(calls))
	next := 0
	for _, it := range items {
		if it.Err != nil {
			resps = append(resps, jsonrpc.NewErrorResponse(it.Req.ID, it.Err))
			continue
		}
		c, res := calls[next], &results[next]
		if res.Err == nil && res.Resp == nil {
			res.Err = errNoAnswer
		}
		resp := res.Resp
		if res.Err != nil {
			_, wireErrs[next] = toWire(res.Err, c.Request.Method)
			resp = jsonrpc.NewErrorResponse(c.Request.ID, wireErrs[next])
		} else if resp.Error != nil {
			wireErrs[next] = resp.Error
		}
		next++
		if !c.Request.IsNotification() {
			resps = append(resps, resp)
		}
	}
	switch mode := metaMode(r); {
	case mode == metaHeaders && len(calls) > 0:
		setMetaHeaders(w, calls[0], h.opts.Now().Sub(start))
	case mode == metaBody && !batch && len(resps) == 1 && len(calls) == 1:
		resps[0].Meta = buildMeta(calls[0], h.opts.Now().Sub(start))
	}
	status := http.StatusOK
	switch {
	case len(resps) == 0:
		status = http.StatusNoContent
		w.WriteHeader(status)
	case batch:
		writeBody(w, status, jsonrpc.AppendBatch(make([]byte, 0, 256*len(resps)), resps))
	default:
		writeBody(w, status, resps[0].AppendJSON(make([]byte, 0, 256)))
	}
	for i, c := range calls {
		h.logCall(r.Context(), c, batch, status, wireErrs[i], results[i].Err, start)
	}
}

// readBody enforces method, content type and size, and reserves the body's
// bytes in the in-flight budget (the returned charge must be given back).
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int64, error) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST, OPTIONS")
		return nil, 0, errMethod
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		return nil, 0, errContentType
	}
	if r.ContentLength > h.opts.MaxBodyBytes {
		return nil, 0, errBodyTooLarge
	}
	// A declared length is charged before reading, so bodies still arriving
	// count against the budget too; a chunked one is charged once read.
	var charge int64
	if r.ContentLength >= 0 {
		if charge = h.budget.take(int(r.ContentLength)); charge == 0 {
			return nil, 0, errCapacity
		}
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes), r.ContentLength)
	if err == nil && charge == 0 {
		if charge = h.budget.take(len(body)); charge == 0 {
			err = errCapacity
		}
	}
	if err != nil {
		if charge > 0 {
			h.budget.give(charge)
		}
		var tooLarge *http.MaxBytesError
		switch {
		case errors.As(err, &tooLarge):
			return nil, 0, errBodyTooLarge
		case errors.Is(err, errCapacity):
			return nil, 0, err
		}
		return nil, 0, jsonrpc.ErrParse
	}
	return body, charge, nil
}

// readAll reads a body in one allocation when its length is declared.
func readAll(r io.Reader, length int64) ([]byte, error) {
	if length < 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, length)
	_, err := io.ReadFull(r, b)
	return b, err
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// resolve finds profile, chain, strategy and provider override. A provider
// named in the path or query wins over the X-Lasso-Provider header.
func (h *Handler) resolve(r *http.Request) (target, error) {
	segs, _ := splitPath(r.URL.Path, "/rpc/")
	rt, ok := parseRoute(segs, h.opts.DefaultStrategy)
	if !ok {
		return target{}, errBadPath
	}
	if strings.TrimSpace(rt.profile) == "" {
		return target{}, errEmptyProfile
	}
	p, ok := h.opts.Config().Profile(rt.profile)
	if !ok {
		return target{}, &unknownProfileError{profile: rt.profile}
	}
	c, ok := p.Chain(rt.chain)
	if !ok {
		return target{}, &unknownChainError{chain: rt.chain, profile: p.Slug}
	}
	t := target{profile: p, chain: c, strategy: rt.strategy}
	id := rt.provider
	q := r.URL.Query()
	// Upstream transport: the query wins over the header; other values are
	// ignored, as Lasso does.
	for _, v := range []string{q.Get("transport"), r.Header.Get("X-Lasso-Transport")} {
		if t.transport == "" && (v == proxy.HTTP || v == proxy.WS) {
			t.transport = v
		}
	}
	for _, v := range []string{q.Get("provider_override"), q.Get("provider_id"), r.Header.Get("X-Lasso-Provider")} {
		if id == "" {
			id = v
		}
	}
	if id != "" {
		if t.override, ok = c.Provider(id); !ok {
			return target{}, &unknownProviderError{provider: id}
		}
	}
	return t, nil
}

// logCall writes the one line a call gets. Provider URLs never appear here;
// the logger's handler scrubs secrets from anything else as a second guard.
// The metrics recorder is fed here too, before the level check: the
// figures must not depend on the log level.
func (h *Handler) logCall(ctx context.Context, c *proxy.Call, batch bool, status int, wireErr *jsonrpc.Error, cause error, start time.Time) {
	now := h.opts.Now()
	h.recordCall(c, cause, now)
	level := slog.LevelInfo
	if cause != nil {
		level = slog.LevelWarn
	}
	if !h.opts.Log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 14)
	attrs = append(attrs,
		slog.String("request_id", c.RequestID),
		slog.String("profile", c.Profile.Slug),
		slog.String("chain", c.Chain.Key),
		slog.String("method", c.Request.Method),
		slog.String("provider", c.Meta.Provider),
		slog.Int("status", status),
		slog.Float64("latency_ms", ms(now.Sub(start))),
		slog.Float64("upstream_ms", ms(c.Meta.Upstream)),
		slog.Int("attempts", c.Meta.Attempts),
		slog.Int("retries", c.Meta.Retries),
	)
	if c.Meta.Local {
		attrs = append(attrs, slog.Bool("local", true))
	}
	if batch {
		attrs = append(attrs, slog.Bool("batch", true))
	}
	if wireErr != nil {
		attrs = append(attrs, slog.Int("code", wireErr.Code))
	}
	if cause != nil {
		attrs = append(attrs, slog.String("error", cause.Error()))
	}
	h.opts.Log.LogAttrs(ctx, level, "rpc", attrs...)
}

func (h *Handler) logFailure(ctx context.Context, reqID string, r *http.Request, status int, e *jsonrpc.Error, cause error, start time.Time) {
	h.opts.Log.LogAttrs(ctx, slog.LevelWarn, "rpc rejected",
		slog.String("request_id", reqID),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int("code", e.Code),
		slog.String("error", cause.Error()),
		slog.Float64("latency_ms", ms(h.opts.Now().Sub(start))),
	)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
