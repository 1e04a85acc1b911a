// Command local is the embedded default: the whole router in one process,
// no AWS and no Redis. `make run` starts it on 127.0.0.1:4000.
package main
