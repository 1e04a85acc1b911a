// Package profile owns the profile files: strict YAML decoding, ${VAR}
// substitution, defaults, validation and the frozen Config the router reads.
//
// Loading never logs and never exits: every problem in every file is
// collected with its file, YAML path and line, and returned at once, so an
// operator fixes a broken deployment in one pass. What the fields mean at run
// time (routing, breakers, subscriptions) belongs to the packages that use
// them; this package only guarantees they are present, typed and in range.
package profile
