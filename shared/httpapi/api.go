package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lasso-serverless/lasso/shared/jsonrpc"
)

// health answers liveness without touching providers: a load balancer must
// not take the router out because an upstream is down.
func (h *Handler) health(w http.ResponseWriter) {
	now := h.opts.Now()
	regions := []string{}
	if prefix, _, ok := strings.Cut(h.opts.NodeID, "-"); ok && len(prefix) >= 2 && len(prefix) <= 4 {
		regions = append(regions, prefix)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"status":         "healthy",
		"timestamp":      now.UTC().Format(time.RFC3339Nano),
		"uptime_seconds": int64(now.Sub(h.started).Seconds()),
		"version":        h.opts.Version,
		"node_id":        h.opts.NodeID,
		"cluster": map[string]any{
			"enabled":          false,
			"nodes_connected":  0,
			"nodes_responding": 0,
			"nodes_total":      1,
			"regions":          regions,
			"status":           "standalone",
		},
	})
}

// chains lists the chains of the default profile.
func (h *Handler) chains(w http.ResponseWriter) {
	type chain struct {
		ChainID   string `json:"chain_id"`
		Name      string `json:"name"`
		ChainName string `json:"chain_name"`
		Supported bool   `json:"supported"`
	}
	list := []chain{}
	if p, ok := h.opts.Config().Profile("public"); ok {
		for _, c := range p.Chains {
			list = append(list, chain{strconv.FormatInt(c.ID, 10), c.Name, c.Key, true})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"chains": list})
}

// writeError answers a non-RPC route's failure as the RPC routes answer
// the same failure, from the one wire table.
func writeError(w http.ResponseWriter, err error) {
	status, e := toWire(err, "")
	writeBody(w, status, jsonrpc.NewErrorResponse(nil, e).AppendJSON(nil))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	writeBody(w, status, b)
}

var jsonContentType = []string{"application/json; charset=utf-8"}

func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header()["Content-Type"] = jsonContentType
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
