// Package method holds the facts the router needs about an Ethereum JSON-RPC
// method before it picks a provider: which capability category the method
// belongs to, whether sending it twice is harmless (its safety class), and how
// long one attempt may take.
//
// The facts follow Lasso's method registry, execution envelope and method
// policy so that a Go router makes the same choices the Elixir one does. They
// are fixed data, built once and only read afterwards, because every request
// consults them.
//
// This package decides nothing. Choosing and failing over between providers
// belongs to the routing code, dropping providers whose profile declares a
// category unsupported belongs to capability filtering, and reading upstream
// errors belongs to error classification; each of those asks this package and
// applies its own policy.
package method
