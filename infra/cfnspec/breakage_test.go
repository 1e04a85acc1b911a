package cfnspec

import (
	"strings"
	"testing"
)

// TestCatchesBreakage proves the checker catches real mistakes: each case
// makes one edit to template.yaml and expects a new problem at the path it
// names, with a message containing the given text. Problems the template
// already has are discounted, so a case fails only for its own edit.
func TestCatchesBreakage(t *testing.T) {
	spec := loadRealSpec(t)
	src := string(readTemplate(t))
	baseline := map[string]bool{}
	for _, p := range Check([]byte(src), spec) {
		baseline[p.Path+"|"+p.Msg] = true
	}
	cases := []struct {
		name      string
		old, new  string
		path, msg string
	}{
		{"unknown property", "      Engine: valkey\n", "      Engine: valkey\n      Engin: valkey\n",
			"Resources.RedisCache.Properties.Engin", `no property "Engin" (did you mean Engine?)`},
		{"misspelt resource type", "  RpcHttpFunctionLogGroup:\n    Type: AWS::Logs::LogGroup", "  RpcHttpFunctionLogGroup:\n    Type: AWS::Logs::LogGrup",
			"Resources.RpcHttpFunctionLogGroup.Type", "did you mean AWS::Logs::LogGroup?"},
		{"missing required property", "      Engine: valkey\n", "",
			"Resources.RedisCache.Properties.Engine", "missing required property"},
		{"wrong literal type", "${RpcHttpFunction}\"\n      RetentionInDays: !Ref LogRetentionDays", "${RpcHttpFunction}\"\n      RetentionInDays: thirty",
			"Resources.RpcHttpFunctionLogGroup.Properties.RetentionInDays", "want an integer"},
		{"value outside allowedValues", "${RpcHttpFunction}\"\n      RetentionInDays: !Ref LogRetentionDays", "${RpcHttpFunction}\"\n      RetentionInDays: 31",
			"Resources.RpcHttpFunctionLogGroup.Properties.RetentionInDays", `"31" is not an allowed value`},
		{"parameter allows what the property does not", "  LogRetentionDays:\n    Type: Number\n    Default: 30\n    AllowedValues: [1, ",
			"  LogRetentionDays:\n    Type: Number\n    Default: 30\n    AllowedValues: [2, 1, ",
			"Resources.RpcHttpFunctionLogGroup.Properties.RetentionInDays", `the parameter allows "2"`},
		{"GetAtt of a missing attribute", "${RedisCache.Endpoint.Address}", "${RedisCache.Endpoint.Host}",
			"Globals.Function.Environment.Variables.REDIS_URL.Fn::If[1].Fn::Sub", `has no attribute "Endpoint.Host"`},
		{"Ref to an unknown name", "LOG_LEVEL: !Ref LogLevel", "LOG_LEVEL: !Ref LogLevl",
			"Globals.Function.Environment.Variables.LOG_LEVEL.Ref", `Ref names "LogLevl"`},
		{"list parameter in a string slot", "LASSO_CONFIG_TTL: !Ref ConfigTtl", "LASSO_CONFIG_TTL: !Ref SubnetIds",
			"Globals.Function.Environment.Variables.LASSO_CONFIG_TTL", "Ref yields a list where string is wanted"},
		{"string parameter in a list slot", "      - SubnetIds: !Ref SubnetIds", "      - SubnetIds: !Ref NodeId",
			"Globals.Function.VpcConfig.Fn::If[1].SubnetIds", "Ref yields a single value where a list of string is wanted"},
		{"Fn::If branch with a bad value", `SubnetIds: !If [InVpc, !Ref SubnetIds, !Ref "AWS::NoValue"]`, `SubnetIds: !If [InVpc, !Ref SubnetIds, subnet-1]`,
			"Resources.RedisCache.Properties.SubnetIds.Fn::If[2]", "want a list of string"},
		{"AWS::NoValue for a required property", "      Engine: valkey\n", "      Engine: !If [InVpc, valkey, !Ref \"AWS::NoValue\"]\n",
			"Resources.RedisCache.Properties.Engine.Fn::If[2]", "would remove a required property"},
		{"Globals.Function key that is no Function property", "    Timeout: 30\n", "    Timeout: 30\n    Timout: 30\n",
			"Globals.Function.Timout", `AWS::Serverless::Function has no property "Timout"`},
		{"unknown Condition on a resource", "    Condition: CreateCache\n", "    Condition: CreateCash\n",
			"Resources.RedisCache.Condition", `no condition "CreateCash"`},
		{"unknown condition in Fn::If", "VpcConfig: !If\n      - InVpc\n", "VpcConfig: !If\n      - InVPC\n",
			"Globals.Function.VpcConfig.Fn::If[0]", `no condition "InVPC"`},
		{"unknown top-level section", "\nOutputs:\n", "\nOutput:\n  Extra:\n    Value: x\nOutputs:\n",
			"Output", "unknown top-level section"},
		{"SAM event property misspelt", "Path: /rpc/{proxy+}", "Pth: /rpc/{proxy+}",
			"Resources.RpcHttpFunction.Properties.Events.Rpc.Properties.Pth", `HttpApiEvent has no property "Pth"`},
		{"DependsOn an unknown resource", "  RpcHttpFunctionLogGroup:\n    Type: AWS::Logs::LogGroup\n",
			"  RpcHttpFunctionLogGroup:\n    Type: AWS::Logs::LogGroup\n    DependsOn: RpcFunction\n",
			"Resources.RpcHttpFunctionLogGroup.DependsOn", `"RpcFunction", which is not a resource`},
		{"condition function in a property", "      Engine: valkey\n", "      Engine: !Equals [a, b]\n",
			"Resources.RedisCache.Properties.Engine.Fn::Equals", "belongs in Conditions"},
		{"list parameter in Fn::Sub", "parameter${ProfilesSsmPath}", "parameter${SubnetIds}",
			"Resources.ConfigurationReadPolicy.Properties.PolicyDocument.Statement[0].Fn::If[1].Resource.Fn::Sub", "${SubnetIds} is a list"},
		{"Ref to a resource in Conditions", "HasNodeId: !Not [!Equals [!Ref NodeId, \"\"]]", "HasNodeId: !Not [!Equals [!Ref RedisCache, \"\"]]",
			"Conditions.HasNodeId.Fn::Not[0].Fn::Equals[0].Ref", "conditions may Ref only parameters"},
		{"null property value", "      Description: Lasso shared state (breakers, evidence, rate limits)\n", "      Description:\n",
			"Resources.RedisCache.Properties.Description", "null value"},
		{"list as an output value", "    Value: !Ref \"AWS::Region\"", "    Value: !Ref SubnetIds",
			"Outputs.Region.Value", "Ref yields a list"},
		{"parameter Default outside AllowedValues", "    Default: info\n", "    Default: verbose\n",
			"Parameters.LogLevel.Default", `"verbose" is not in AllowedValues`},
		{"parameter Default against AllowedPattern", "    Default: \"0\"\n    AllowedPattern: \"^[0-9]+$\"", "    Default: \"zero\"\n    AllowedPattern: \"^[0-9]+$\"",
			"Parameters.TrustedProxies.Default", "does not match AllowedPattern"},
		{"invalid parameter type", "  SubnetIds:\n    Type: CommaDelimitedList", "  SubnetIds:\n    Type: StringList",
			"Parameters.SubnetIds.Type", "not a CloudFormation parameter type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if n := strings.Count(src, tc.old); n != 1 {
				t.Fatalf("template.yaml has %q %d times, want once: update this case to the template", tc.old, n)
			}
			broken := strings.Replace(src, tc.old, tc.new, 1)
			var fresh []Problem
			for _, p := range Check([]byte(broken), spec) {
				if !baseline[p.Path+"|"+p.Msg] {
					fresh = append(fresh, p)
				}
			}
			for _, p := range fresh {
				if p.Path == tc.path && strings.Contains(p.Msg, tc.msg) {
					return
				}
			}
			t.Errorf("want a problem at %s containing %q; got %d new:", tc.path, tc.msg, len(fresh))
			for _, p := range fresh {
				t.Logf("  %s", p)
			}
		})
	}
}
