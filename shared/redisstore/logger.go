package redisstore

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// slogPrinter carries go-redis's own messages (failed dials while Redis is
// down) into the router's JSON log, scrubbed like every other line, instead
// of plain text on stderr.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(ctx context.Context, format string, v ...any) {
	p.log.WarnContext(ctx, "redis client", "detail", fmt.Sprintf(format, v...))
}

// SetLogger sends go-redis's messages to log. go-redis keeps one logger per
// process, so this is for the composition root to call once.
func SetLogger(log *slog.Logger) { redis.SetLogger(slogPrinter{log: log}) }
