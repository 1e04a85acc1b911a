package profile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lasso-serverless/lasso/shared/classify"
	"github.com/lasso-serverless/lasso/shared/method"
)

func (c *compiler) capabilities(path string, y *capabilitiesYAML) Capabilities {
	caps := Capabilities{UnsupportedCategories: []string{string(method.LocalOnly)}, MaxBlockRange: -1, MaxBlockAge: -1}
	if y.UnsupportedCategories != nil {
		caps.UnsupportedCategories = *y.UnsupportedCategories
		for i, cat := range caps.UnsupportedCategories {
			if !method.Category(cat).Valid() {
				c.fail(fmt.Sprintf("%s.unsupported_categories[%d]", path, i), "unknown category %q (known: %s)", cat, categoryNames())
			}
		}
	}
	for i, m := range y.UnsupportedMethods {
		if m == "" {
			c.fail(fmt.Sprintf("%s.unsupported_methods[%d]", path, i), "must not be empty")
		}
	}
	caps.UnsupportedMethods = y.UnsupportedMethods
	if l := y.Limits; l != nil {
		if l.MaxBlockRange != nil {
			c.nonNegative(path+".limits.max_block_range", *l.MaxBlockRange)
			caps.MaxBlockRange = *l.MaxBlockRange
		}
		if l.MaxBlockAge != nil {
			c.nonNegative(path+".limits.max_block_age", *l.MaxBlockAge)
			caps.MaxBlockAge = *l.MaxBlockAge
		}
		if len(l.BlockAgeMethods) > 0 && l.MaxBlockAge == nil {
			c.fail(path+".limits.block_age_methods", "needs limits.max_block_age")
		}
		caps.BlockAgeMethods = l.BlockAgeMethods
	}
	for i, r := range y.ErrorRules {
		rpath := fmt.Sprintf("%s.error_rules[%d]", path, i)
		if r.Code == nil && len(r.MessageContains) == 0 {
			c.fail(rpath, "needs code, message_contains or both")
		}
		if !slices.Contains(classify.RuleCategories(), classify.Category(r.Category)) {
			c.fail(rpath+".category", "unknown category %q (known: %s)", r.Category, ruleCategoryNames())
		}
		rule := classify.Rule{Code: r.Code, Category: classify.Category(r.Category)}
		for j, s := range r.MessageContains {
			if s == "" {
				c.fail(fmt.Sprintf("%s.message_contains[%d]", rpath, j), "must not be empty")
			}
			rule.MessageContains = append(rule.MessageContains, strings.ToLower(s))
		}
		caps.ErrorRules = append(caps.ErrorRules, rule)
	}
	return caps
}

func ruleCategoryNames() string {
	var names []string
	for _, c := range classify.RuleCategories() {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}

func categoryNames() string {
	var names []string
	for _, c := range method.Categories() {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}
