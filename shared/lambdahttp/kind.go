package lambdahttp

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNotHTTP means an invocation's payload is not an HTTP event this
// package knows: not JSON, or missing the method or path every shape has.
var ErrNotHTTP = errors.New("lambdahttp: not an API Gateway or ALB HTTP event")

// kind is an event shape.
type kind int

const (
	kindREST kind = iota // API Gateway REST API, or HTTP API with payload 1.0
	kindHTTP             // API Gateway HTTP API, payload 2.0
	kindALB              // Application Load Balancer target group
)

func (k kind) String() string {
	switch k {
	case kindHTTP:
		return "API Gateway HTTP API (payload 2.0)"
	case kindALB:
		return "ALB"
	}
	return "API Gateway REST API (payload 1.0)"
}

// probe holds the few members that tell the shapes apart and that every
// request of its shape has.
type probe struct {
	Version        string `json:"version"`
	HTTPMethod     string `json:"httpMethod"`
	Path           string `json:"path"`
	RawPath        string `json:"rawPath"`
	RequestContext struct {
		ELB  json.RawMessage `json:"elb"`
		HTTP struct {
			Method string `json:"method"`
			Path   string `json:"path"`
		} `json:"http"`
	} `json:"requestContext"`
}

// kindOf tells the shape from the payload: payload 2.0 says so in
// "version"; an ALB event names its target group in requestContext.elb;
// anything else is read as payload 1.0, which REST APIs send without a
// version. The shape's method and path must be there: without them the
// proxy would make up a GET of "/", and a misrouted event (a WebSocket or
// scheduled one) would get an answer instead of an error.
func kindOf(payload []byte) (kind, error) {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return 0, fmt.Errorf("%w: %v", ErrNotHTTP, err)
	}
	var k kind
	method, path := p.HTTPMethod, p.Path
	switch {
	case p.Version == "2.0":
		k, method, path = kindHTTP, p.RequestContext.HTTP.Method, p.RawPath
		if path == "" {
			path = p.RequestContext.HTTP.Path
		}
	case len(p.RequestContext.ELB) > 0 && string(p.RequestContext.ELB) != "null":
		k = kindALB
	}
	switch {
	case method == "":
		return 0, fmt.Errorf("%w: %s event without an HTTP method", ErrNotHTTP, k)
	case path == "":
		return 0, fmt.Errorf("%w: %s event without a path", ErrNotHTTP, k)
	}
	return k, nil
}
