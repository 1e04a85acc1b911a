package redisstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lasso-serverless/lasso/shared/probe"
)

// Probes is the probe.Store of a fleet: the probe function writes each
// provider instance's record after a round, and every rpc-http container
// reads them (through a probe.Snapshot) to judge lag and health.
//
// One hash per chain, at `{chain:<chain id>}:probe`, the whole chain being
// its hash tag so that a cluster keeps its fields in one slot (not `{c:`,
// which client rate limits use). Field `chain` holds the JSON of the
// chain's probe.Chain, and field `i:<instance id>` the JSON of that
// instance's probe.Status. JSON rather than a field per value: a record is
// written and read whole, never updated in part on the server, and JSON
// keeps instants to the nanosecond (the contract asks for the millisecond).
//
// Save is one HSET of both fields and a PEXPIRE in a MULTI, one round trip,
// so a key never exists without its TTL. Load is one HGETALL per chain in
// one pipeline, one round trip (a cluster client splits it per node, in
// parallel). Saves of different instances never conflict: each writes its
// own field. The chain field is the last writer's: the estimate is the
// prober's to keep coherent (it serializes a chain's saves), not the store's.
//
// The key outlives its last write by probesTTL, so chains nobody probes any
// more vanish. An instance that leaves the configuration keeps its field
// while its chain is still probed; readers look records up by the
// instances they route to, so it is only dead weight.
type Probes struct {
	rdb redis.UniversalClient
	ttl time.Duration
}

var _ probe.Store = (*Probes)(nil)

// probesTTL must outlast the longest wait between two rounds of a chain,
// because the probe function resumes from these records on every
// invocation (failures in a row, next round, the block-time estimate): a
// profile allows probe_interval_ms up to an hour, so two hours keeps a
// record across one missed round of the slowest chain. Heights this old no
// longer vote (probe.Fresh), so a long TTL costs memory, not correctness.
const probesTTL = 2 * time.Hour

const (
	probesChainField  = "chain"
	probesFieldPrefix = "i:"
)

// NewProbes returns the store on rdb (a *redis.Client or a
// *redis.ClusterClient).
func NewProbes(rdb redis.UniversalClient) *Probes {
	return &Probes{rdb: rdb, ttl: probesTTL}
}

func probesKey(chain int64) string {
	return "{chain:" + strconv.FormatInt(chain, 10) + "}:probe"
}

// Save writes the instance's record and the chain's estimate in one round
// trip.
func (p *Probes) Save(ctx context.Context, chain int64, instance string, s probe.Status, c probe.Chain) error {
	status, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("redisstore: probe save chain %d: %w", chain, err)
	}
	est, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("redisstore: probe save chain %d: %w", chain, err)
	}
	key := probesKey(chain)
	pipe := p.rdb.TxPipeline()
	pipe.HSet(ctx, key, probesChainField, est, probesFieldPrefix+instance, status)
	pipe.PExpire(ctx, key, p.ttl)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("redisstore: probe save chain %d: %w", chain, err)
	}
	return nil
}

// Load reads the views of chains in one round trip; a chain without a key
// has no entry.
func (p *Probes) Load(ctx context.Context, chains []int64) (map[int64]*probe.View, error) {
	out := make(map[int64]*probe.View, len(chains))
	if len(chains) == 0 {
		return out, nil
	}
	pipe := p.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(chains))
	for i, c := range chains {
		cmds[i] = pipe.HGetAll(ctx, probesKey(c))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("redisstore: probe load: %w", err)
	}
	for i, c := range chains {
		if v := decodeProbes(cmds[i].Val()); v != nil {
			out[c] = v
		}
	}
	return out, nil
}

// decodeProbes reads a chain's hash; nil when it has no fields (no key). A
// field that does not decode (written by a broken or future version) is
// skipped, so one bad record costs that record, not every provider's on the
// chain: a skipped instance reads as never probed, a skipped chain field as
// no estimate yet. Fields of unknown names are ignored for the same reason.
func decodeProbes(fields map[string]string) *probe.View {
	if len(fields) == 0 {
		return nil
	}
	v := &probe.View{Providers: make(map[string]probe.Status, len(fields))}
	for name, raw := range fields {
		if name == probesChainField {
			var c probe.Chain
			if json.Unmarshal([]byte(raw), &c) == nil {
				v.Chain = c
			}
			continue
		}
		instance, ok := strings.CutPrefix(name, probesFieldPrefix)
		if !ok {
			continue
		}
		var s probe.Status
		if json.Unmarshal([]byte(raw), &s) == nil {
			v.Providers[instance] = s
		}
	}
	return v
}
