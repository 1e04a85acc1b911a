package cfnspec

import "fmt"

// samTransform is the Transform every AWS::Serverless::* type needs.
const samTransform = "AWS::Serverless-2016-10-31"

// samPassThrough lists properties SAM accepts and copies unchanged onto the
// resource it generates, but which the spec's SAM part (built from the
// older SAM specification) does not have yet. Their type is taken from the
// generated resource's property of the same name, so it stays as exact as
// the rest of the spec. An entry is ignored once the spec has the property.
var samPassThrough = map[string][]string{
	"AWS::Serverless::Function": {"LoggingConfig", "RuntimeManagementConfig", "SnapStart", "RecursiveLoop"},
}

// samOnly lists SAM's own properties (no generated counterpart) that the
// spec lacks, with their documented types.
var samOnly = map[string]map[string]string{
	"AWS::Serverless::Function": {"PropagateTags": "boolean", "RolePath": "string", "AutoPublishAliasAllProperties": "boolean"},
	"AWS::Serverless::HttpApi":  {"Name": "string", "PropagateTags": "boolean"},
	"AWS::Serverless::Api":      {"PropagateTags": "boolean"},
}

// samGenerates maps a SAM type to the resource SAM generates under the same
// logical ID: Fn::GetAtt on the SAM resource resolves against that one (the
// spec gives the SAM types no attributes).
var samGenerates = map[string]string{
	"AWS::Serverless::Function":     "AWS::Lambda::Function",
	"AWS::Serverless::Api":          "AWS::ApiGateway::RestApi",
	"AWS::Serverless::HttpApi":      "AWS::ApiGatewayV2::Api",
	"AWS::Serverless::SimpleTable":  "AWS::DynamoDB::Table",
	"AWS::Serverless::LayerVersion": "AWS::Lambda::LayerVersion",
	"AWS::Serverless::StateMachine": "AWS::StepFunctions::StateMachine",
	"AWS::Serverless::Application":  "AWS::CloudFormation::Stack",
}

// samGlobals are the sections SAM accepts under Globals, each holding
// defaults for the AWS::Serverless::<section> resources.
var samGlobals = []string{"Function", "Api", "HttpApi", "SimpleTable", "StateMachine", "LayerVersion"}

// patchSAM adds the samPassThrough and samOnly properties to a spec that
// lacks them. A spec without the SAM or generated types (a hand-written
// test spec) is left alone.
func patchSAM(spec *Spec) error {
	for samType, names := range samPassThrough {
		sam, gen := spec.Resources[samType], spec.Resources[samGenerates[samType]]
		if sam == nil || gen == nil {
			continue
		}
		for _, name := range names {
			if _, ok := sam.Properties[name]; ok {
				continue
			}
			p := gen.Properties[name]
			if p == nil {
				return fmt.Errorf("spec: %s has no %s for SAM to pass through (update samPassThrough)", gen.Type, name)
			}
			sam.Properties[name] = &Property{Type: p.Type, Previous: p.Previous}
		}
	}
	for samType, props := range samOnly {
		sam := spec.Resources[samType]
		if sam == nil {
			continue
		}
		for name, kind := range props {
			if _, ok := sam.Properties[name]; !ok {
				sam.Properties[name] = &Property{Type: &Type{Kind: kind}}
			}
		}
	}
	return nil
}

// implicit is a resource SAM generates that a template may name in Ref,
// Fn::GetAtt, Fn::Sub or DependsOn although it is not under Resources.
type implicit struct {
	cfnType string
	from    string // the logical ID that makes SAM generate it
}

// samImplicit lists the generated resources that are referable by a fixed
// rule, following SAM's documented naming ("Referencing AWS SAM generated
// resources"): per function <Id>Role unless it has a Role, <Id>Alias<Name>
// with AutoPublishAlias, <Id>Url with FunctionUrlConfig; ServerlessHttpApi
// and its $default stage when a function has an HttpApi event without
// ApiId; ServerlessRestApi and its Prod stage for an Api event without
// RestApiId; <Id>ApiGatewayDefaultStage for an HttpApi without StageName.
// Resources whose names carry a hash (versions, deployments) are left out:
// no template can name them.
func samImplicit(t *template) map[string]implicit {
	out := map[string]implicit{}
	add := func(name, cfnType, from string) {
		if _, explicit := t.resources[name]; !explicit {
			out[name] = implicit{cfnType: cfnType, from: from}
		}
	}
	for _, id := range t.resourceOrder {
		r := t.resources[id]
		switch r.cfnType {
		case "AWS::Serverless::Function":
			if mapValue(r.props, "Role") == nil {
				add(id+"Role", "AWS::IAM::Role", id)
			}
			if alias := scalarValue(mapValue(r.props, "AutoPublishAlias"), mapValue(t.globals["Function"], "AutoPublishAlias")); alias != "" {
				add(id+"Alias"+alias, "AWS::Lambda::Alias", id)
			}
			if mapValue(r.props, "FunctionUrlConfig") != nil || mapValue(t.globals["Function"], "FunctionUrlConfig") != nil {
				add(id+"Url", "AWS::Lambda::Url", id)
			}
			events := mapValue(r.props, "Events")
			for _, ev := range mappingValues(events) {
				props := mapValue(ev, "Properties")
				switch scalarValue(mapValue(ev, "Type")) {
				case "HttpApi":
					if mapValue(props, "ApiId") == nil {
						add("ServerlessHttpApi", "AWS::ApiGatewayV2::Api", id)
						add("ServerlessHttpApiApiGatewayDefaultStage", "AWS::ApiGatewayV2::Stage", id)
					}
				case "Api":
					if mapValue(props, "RestApiId") == nil {
						add("ServerlessRestApi", "AWS::ApiGateway::RestApi", id)
						add("ServerlessRestApiProdStage", "AWS::ApiGateway::Stage", id)
					}
				}
			}
		case "AWS::Serverless::HttpApi":
			if mapValue(r.props, "StageName") == nil && mapValue(t.globals["HttpApi"], "StageName") == nil {
				add(id+"ApiGatewayDefaultStage", "AWS::ApiGatewayV2::Stage", id)
			}
		case "AWS::Serverless::Api":
			if stage := scalarValue(mapValue(r.props, "StageName"), mapValue(t.globals["Api"], "StageName")); stage != "" {
				add(id+stage+"Stage", "AWS::ApiGateway::Stage", id)
			}
		}
	}
	return out
}
