package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

const module = "github.com/lasso-serverless/lasso"

// layer of each shared package. A new package must be added here, so that
// nobody adds one without deciding where it sits.
var layers = map[string]string{
	"shared/jsonrpc":      "core",
	"shared/profile":      "core",
	"shared/method":       "core",
	"shared/routing":      "core",
	"shared/breaker":      "core",
	"shared/ratelimit":    "core",
	"shared/proxy":        "core",
	"shared/subscription": "core",
	"shared/probe":        "core",
	"shared/classify":     "core",
	"shared/rpcclient":    "adapter",
	"shared/redisstore":   "adapter",
	"shared/httpapi":      "adapter",
	"shared/lambdaws":     "adapter",
	"shared/wsserver":     "adapter",
	"shared/awsconfig":    "adapter",
	"shared/telemetry":    "adapter",
	"shared/lambdahttp":   "app", // Lambda entry glue: functions import it beside app
	"shared/app":          "app",
}

// pureLibraries may be imported by core packages.
var pureLibraries = []string{"go.yaml.in/yaml/v3"}

type pkg struct {
	ImportPath string
	Imports    []string
}

func main() {
	out, err := exec.Command("go", "list", "-json", "./...").Output()
	if err != nil {
		fmt.Fprintln(os.Stderr, "depcheck: go list:", err)
		os.Exit(2)
	}
	var problems []string
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			fmt.Fprintln(os.Stderr, "depcheck:", err)
			os.Exit(2)
		}
		problems = append(problems, check(p)...)
	}
	for _, p := range problems {
		fmt.Println(p)
	}
	if len(problems) > 0 {
		fmt.Printf("depcheck: %d import(s) break the design's direction\n", len(problems))
		os.Exit(1)
	}
	fmt.Println("depcheck: ok")
}

// layerOf names the layer of an import path: std, third-party, or one of ours.
func layerOf(path string) string {
	rel, ours := strings.CutPrefix(path, module+"/")
	switch {
	case !ours && path != module:
		if !strings.Contains(strings.Split(path, "/")[0], ".") {
			return "std"
		}
		return "third-party"
	case strings.HasPrefix(rel, "functions/"):
		return "function"
	case strings.HasPrefix(rel, "infra/"), rel == "e2e", strings.HasPrefix(rel, "e2e/"):
		return "tool" // helpers and black-box tests: they may use anything

	}
	if l, ok := layers[shared(rel)]; ok {
		return l
	}
	return "unknown"
}

// shared trims sub-packages (shared/proxy/proxytest -> shared/proxy): test
// helpers sit in the layer of what they help test.
func shared(rel string) string {
	parts := strings.Split(rel, "/")
	if len(parts) > 2 {
		parts = parts[:2]
	}
	return strings.Join(parts, "/")
}

func check(p pkg) []string {
	from := layerOf(p.ImportPath)
	var problems []string
	bad := func(imp, why string) {
		problems = append(problems, fmt.Sprintf("%s imports %s: %s", p.ImportPath, imp, why))
	}
	if from == "unknown" {
		return []string{p.ImportPath + ": not in depcheck's layer table; add it"}
	}
	for _, imp := range p.Imports {
		to := layerOf(imp)
		switch from {
		case "core":
			switch {
			case to == "std" && (imp == "net/http" || strings.HasPrefix(imp, "net/http/")):
				bad(imp, "core packages stay free of HTTP")
			case to == "third-party" && !isPure(imp):
				bad(imp, "core packages import only small pure libraries ("+strings.Join(pureLibraries, ", ")+")")
			case to == "adapter", to == "app", to == "function":
				bad(imp, "core must not depend on "+to)
			}
		case "adapter":
			if to == "app" || to == "function" {
				bad(imp, "adapters must not depend on "+to)
			}
			if to == "adapter" && shared(strings.TrimPrefix(imp, module+"/")) != shared(strings.TrimPrefix(p.ImportPath, module+"/")) {
				bad(imp, "adapters are one technology each and must not import each other; wire them in shared/app")
			}
		case "app":
			if to == "function" {
				bad(imp, "app must not depend on functions")
			}
		case "function":
			if to == "core" || to == "adapter" {
				bad(imp, "functions are composition roots: go through shared/app")
			}
		}
	}
	return problems
}

func isPure(imp string) bool {
	for _, lib := range pureLibraries {
		if imp == lib || strings.HasPrefix(imp, lib+"/") {
			return true
		}
	}
	return false
}
