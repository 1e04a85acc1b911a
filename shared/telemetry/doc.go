// Package telemetry owns the router's output for operators: JSON log lines
// (log/slog) with secrets scrubbed from every attribute. Metrics (CloudWatch
// Embedded Metric Format) and traces join it as they are built.
//
// Scrubbing here is the second guard: code paths already log provider ids,
// not URLs, and the HTTP client strips URLs from its errors; this handler
// makes sure a key that slips through anyway never reaches the log.
package telemetry
