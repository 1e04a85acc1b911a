package samcheck

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"
	"go.yaml.in/yaml/v3"
)

// root is the repository root, where template.yaml, the Makefile and the
// code it deploys live.
const root = "../.."

var templatePath = filepath.Join(root, "template.yaml")

// localOnly are the variables shared/app/config.go reads that the template
// leaves unset on purpose, each with the reason.
var localOnly = map[string]string{
	"HOST": "the listen address of functions/local; Lambda functions take events, not connections",
	"PORT": "the listen port of functions/local; Lambda functions take events, not connections",
}

// allFeaturesOn resolves every Fn::If to its first branch, so the template
// is read with every optional feature (SSM profiles, a secret, a VPC, the
// created cache) switched on: what each condition can add is then visible.
// goformation does not split a CommaDelimitedList's default, so the lists
// get example values.
var allFeaturesOn = &intrinsics.ProcessorOptions{
	ParameterOverrides: map[string]any{
		"ProfilesSsmPath":     "/lasso/profiles",
		"SecretsId":           "lasso/secrets",
		"SubnetIds":           []any{"subnet-0123456789abcdef0"},
		"SecurityGroupIds":    []any{"sg-0123456789abcdef0"},
		"KmsKeyArn":           "arn:aws:kms:us-east-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
		"DomainName":          "rpc.example.com",
		"CertificateArn":      "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
		"HostedZoneId":        "Z0123456789ABCDEFGHIJ",
		"AlbSubnetIds":        []any{"subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"},
		"AlbSecurityGroupIds": []any{"sg-0aaaaaaaaaaaaaaaa"},
	},
	IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
		"Fn::If": func(_ string, input any, _ any) any {
			if arr, ok := input.([]any); ok && len(arr) == 3 {
				return arr[1]
			}
			return nil
		},
		// goformation resolves a Ref to a resource as nothing; keep its
		// name, so a function's policy list can point at the managed
		// policy it references.
		"Ref": func(name string, input any, tpl any) any {
			if v := intrinsics.Ref(name, input, tpl); v != nil || input == "AWS::NoValue" {
				return v
			}
			if s, ok := input.(string); ok {
				return refPrefix + s
			}
			return nil
		},
	},
}

// open parses template.yaml with goformation; with opts nil it reads the
// parameter defaults, as a deploy without overrides would.
func open(t *testing.T, opts *intrinsics.ProcessorOptions) *cloudformation.Template {
	t.Helper()
	if opts == nil {
		opts = &intrinsics.ProcessorOptions{ParameterOverrides: listDefaults(t)}
	}
	tpl, err := goformation.OpenWithOptions(templatePath, opts)
	if err != nil {
		t.Fatalf("%s: goformation cannot parse it: %v", templatePath, err)
	}
	return tpl
}

// refPrefix marks a Ref to a resource in allFeaturesOn's output.
const refPrefix = "Ref:"

// listDefaults are the defaults of the CommaDelimitedList parameters, split
// as CloudFormation splits them: goformation passes such a default on as
// one string, which no list-typed property accepts.
func listDefaults(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Parameters map[string]struct {
			Type    string `yaml:"Type"`
			Default string `yaml:"Default"`
		} `yaml:"Parameters"`
	}
	if err := yaml.Unmarshal(data, &tpl); err != nil {
		t.Fatalf("%s: %v", templatePath, err)
	}
	out := map[string]any{}
	for name, p := range tpl.Parameters {
		if p.Type != "CommaDelimitedList" {
			continue
		}
		list := []any{}
		if p.Default != "" {
			for _, v := range strings.Split(p.Default, ",") {
				list = append(list, strings.TrimSpace(v))
			}
		}
		out[name] = list
	}
	return out
}

// raw is template.yaml after goformation's intrinsic processing, as plain
// maps: for the parts goformation's typed structs do not model well
// (Policies mixing managed names and statements).
func raw(t *testing.T, opts *intrinsics.ProcessorOptions) map[string]any {
	t.Helper()
	data, err := os.ReadFile(templatePath)
	if err != nil {
		t.Fatal(err)
	}
	out, err := intrinsics.ProcessYAML(data, opts)
	if err != nil {
		t.Fatalf("%s: %v", templatePath, err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTemplateParses(t *testing.T) {
	tpl := open(t, nil)
	if len(tpl.GetAllServerlessFunctionResources()) == 0 {
		t.Fatal("template.yaml declares no AWS::Serverless::Function")
	}
	open(t, allFeaturesOn)
}

func TestFunctionsBuild(t *testing.T) {
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for id, fn := range open(t, nil).GetAllServerlessFunctionResources() {
		if fn.CodeUri == nil || fn.CodeUri.String == nil {
			t.Errorf("%s: want CodeUri, a folder of this repository", id)
		} else if st, err := os.Stat(filepath.Join(root, *fn.CodeUri.String)); err != nil || !st.IsDir() {
			t.Errorf("%s: CodeUri %q is not a folder beside template.yaml", id, *fn.CodeUri.String)
		}
		if m := fn.AWSCloudFormationMetadata["BuildMethod"]; m != "makefile" {
			t.Errorf("%s: Metadata BuildMethod is %v, want makefile (sam build runs make build-%s)", id, m, id)
		}
		target := regexp.MustCompile(`(?m)^build-` + regexp.QuoteMeta(id) + `:`)
		if !target.Match(makefile) {
			t.Errorf("%s: the Makefile has no build-%s target, which `sam build` runs", id, id)
		}
		if fn.Handler == nil || *fn.Handler != "bootstrap" {
			t.Errorf("%s: Handler %v, want bootstrap", id, fn.Handler)
		}
	}
}

func TestRuntimeArm64(t *testing.T) {
	tpl := open(t, nil)
	global, _ := tpl.GetServerlessGlobalFunction()
	for id, fn := range tpl.GetAllServerlessFunctionResources() {
		runtime, arch := fn.Runtime, fn.Architectures
		if runtime == nil && global != nil {
			runtime = global.Runtime
		}
		if arch == nil && global != nil && global.Architectures != nil {
			arch = *global.Architectures
		}
		if runtime == nil || *runtime != "provided.al2023" {
			t.Errorf("%s: Runtime %v, want provided.al2023 (the Makefile builds a static bootstrap)", id, deref(runtime))
		}
		if !slices.Equal(arch, []string{"arm64"}) {
			t.Errorf("%s: Architectures %v, want [arm64] (the Makefile builds GOARCH=arm64)", id, arch)
		}
	}
}

func TestEnvironmentCoversConfig(t *testing.T) {
	read := envVarsRead(t, filepath.Join(root, "shared/app/config.go"))
	if len(read) == 0 {
		t.Fatal("found no getenv(\"...\") in shared/app/config.go: has the parser gone stale?")
	}
	for v := range localOnly {
		if !read[v] {
			t.Errorf("localOnly lists %s, which shared/app/config.go no longer reads: drop it", v)
		}
	}
	tpl := open(t, allFeaturesOn)
	global, _ := tpl.GetServerlessGlobalFunction()
	for id, fn := range tpl.GetAllServerlessFunctionResources() {
		// SAM merges Globals.Function's variables under the function's own.
		set := map[string]string{}
		if global != nil && global.Environment != nil {
			maps.Copy(set, global.Environment.Variables)
		}
		if fn.Environment != nil {
			maps.Copy(set, fn.Environment.Variables)
		}
		for _, v := range sorted(read) {
			_, ok := set[v]
			if reason, local := localOnly[v]; local {
				if ok {
					t.Errorf("%s: sets %s, which is local only (%s)", id, v, reason)
				}
				continue
			}
			if !ok {
				t.Errorf("%s: Environment.Variables lacks %s, which shared/app/config.go reads", id, v)
			}
		}
		for v := range set {
			if !read[v] {
				t.Errorf("%s: sets %s, which shared/app/config.go never reads (a typo?)", id, v)
			}
		}
	}
}

// implied are IAM actions the code needs without naming them: AWS makes
// the call on the function's behalf.
var implied = map[string]string{
	"kms:Decrypt": "SSM and Secrets Manager decrypt SecureString parameters and secrets encrypted with a customer-managed key (KmsKeyArn)",
}

func TestPoliciesCoverAWSCalls(t *testing.T) {
	calls := awsCalls(t, filepath.Join(root, "shared/awsconfig"))
	if len(calls) == 0 {
		t.Fatal("found no SDK operation in shared/awsconfig: has the scan gone stale?")
	}
	tpl := raw(t, allFeaturesOn)
	resources := tpl["Resources"].(map[string]any)
	globalVpc := tpl["Globals"].(map[string]any)["Function"].(map[string]any)["VpcConfig"]
	for id, r := range resources {
		r := r.(map[string]any)
		if r["Type"] != "AWS::Serverless::Function" {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		actions, managed := policies(t, id, props["Policies"], resources)
		for _, c := range calls {
			if !actions[c] {
				t.Errorf("%s: no policy statement allows %s, which shared/awsconfig calls", id, c)
			}
		}
		for a := range actions {
			if _, ok := implied[a]; !ok && !slices.Contains(calls, a) {
				t.Errorf("%s: a policy allows %s, which the code never calls (least privilege)", id, a)
			}
		}
		if (props["VpcConfig"] != nil || globalVpc != nil) && !managed["AWSLambdaVPCAccessExecutionRole"] {
			t.Errorf("%s: has a VpcConfig but not the AWSLambdaVPCAccessExecutionRole policy", id)
		}
	}
}

func TestHttpApiRoutes(t *testing.T) {
	want := []string{"GET /api/{proxy+}", "OPTIONS /{proxy+}", "POST /rpc/{proxy+}"}
	r, ok := raw(t, nil)["Resources"].(map[string]any)["RpcHttpFunction"].(map[string]any)
	if !ok {
		t.Fatal("template.yaml has no RpcHttpFunction resource (functions/rpc-http)")
	}
	props, _ := r["Properties"].(map[string]any)
	events, _ := props["Events"].(map[string]any)
	var got []string
	for _, e := range events {
		e, _ := e.(map[string]any)
		if e["Type"] != "HttpApi" {
			continue
		}
		p, _ := e["Properties"].(map[string]any)
		got = append(got, fmt.Sprint(p["Method"], " ", p["Path"]))
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("RpcHttpFunction HttpApi routes %v, want %v", got, want)
	}
}

// policies returns the actions a function's policy statements allow and
// the managed policies it names; a statement on Resource "*" is an error.
func policies(t *testing.T, id string, v any, resources map[string]any) (actions, managed map[string]bool) {
	actions = map[string]bool{}
	stmts, managed := statements(t, id, v, resources)
	for _, s := range stmts {
		if s["Effect"] != "Allow" {
			continue
		}
		if s["Resource"] == "*" {
			t.Errorf("%s: statement %v allows Resource \"*\"; name the parameter path or secret", id, s["Sid"])
		}
		for _, a := range strs(s["Action"]) {
			actions[a] = true
		}
	}
	return actions, managed
}

// statements resolves a function's Policies: the AWS managed policies it
// names, and the statements of its inline documents and of the template's
// own managed policies it references.
func statements(t *testing.T, id string, v any, resources map[string]any) (stmts []map[string]any, managed map[string]bool) {
	managed = map[string]bool{}
	list, _ := v.([]any)
	for _, p := range list {
		doc, _ := p.(map[string]any)
		if name, ok := p.(string); ok {
			ref, isRef := strings.CutPrefix(name, refPrefix)
			if !isRef {
				managed[name] = true
				continue
			}
			r, _ := resources[ref].(map[string]any)
			if r["Type"] != "AWS::IAM::ManagedPolicy" {
				t.Errorf("%s: Policies references %s, which is not an AWS::IAM::ManagedPolicy of this template", id, ref)
				continue
			}
			props, _ := r["Properties"].(map[string]any)
			doc, _ = props["PolicyDocument"].(map[string]any)
		}
		list, _ := doc["Statement"].([]any)
		for _, s := range list {
			if s, ok := s.(map[string]any); ok {
				stmts = append(stmts, s)
			}
		}
	}
	return stmts, managed
}

// envVarsRead is every string literal passed to getenv, os.Getenv or
// os.LookupEnv in file.
func envVarsRead(t *testing.T, file string) map[string]bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return true
		}
		var name string
		switch fun := call.Fun.(type) {
		case *ast.Ident:
			name = fun.Name
		case *ast.SelectorExpr:
			if x, ok := fun.X.(*ast.Ident); ok {
				name = x.Name + "." + fun.Sel.Name
			}
		}
		if name != "getenv" && name != "os.Getenv" && name != "os.LookupEnv" {
			return true
		}
		if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				read[s] = true
			}
		}
		return true
	})
	return read
}

// sdkInput matches an SDK operation's input type, such as
// ssm.GetParametersByPathInput: the package is the IAM service prefix.
var sdkInput = regexp.MustCompile(`\b(ssm|secretsmanager)\.(\w+)Input\b`)

// awsCalls is every SDK operation the non-test Go files in dir name, as IAM
// actions (ssm:GetParametersByPath).
func awsCalls(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range sdkInput.FindAllStringSubmatch(string(src), -1) {
			seen[m[1]+":"+m[2]] = true
		}
	}
	return sorted(seen)
}

func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, s := range v {
			if s, ok := s.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func sorted(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func deref(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}

// TestKmsDecryptOnlyThroughServices: the customer-managed key may decrypt
// only through the services the code calls (kms:ViaService), so the grant
// cannot decrypt anything else the key protects.
func TestKmsDecryptOnlyThroughServices(t *testing.T) {
	var services []string
	for _, c := range awsCalls(t, filepath.Join(root, "shared/awsconfig")) {
		svc, _, _ := strings.Cut(c, ":")
		if !slices.Contains(services, svc) {
			services = append(services, svc)
		}
	}
	resources := raw(t, allFeaturesOn)["Resources"].(map[string]any)
	props := resources["RpcHttpFunction"].(map[string]any)["Properties"].(map[string]any)
	found := false
	stmts, _ := statements(t, "RpcHttpFunction", props["Policies"], resources)
	slices.Sort(services)
	for _, s := range stmts {
		if !slices.Contains(strs(s["Action"]), "kms:Decrypt") {
			continue
		}
		found = true
		cond, _ := s["Condition"].(map[string]any)
		eq, _ := cond["StringEquals"].(map[string]any)
		var via []string
		for _, v := range strs(eq["kms:ViaService"]) {
			svc, _, _ := strings.Cut(v, ".")
			via = append(via, svc)
		}
		slices.Sort(via)
		if !slices.Equal(via, services) {
			t.Errorf("kms:Decrypt is allowed via %v, want exactly the services the code calls: %v", via, services)
		}
	}
	if !found {
		t.Error("with KmsKeyArn set, no statement allows kms:Decrypt: SecureString profiles and secrets under a customer-managed key could not be read")
	}
}
