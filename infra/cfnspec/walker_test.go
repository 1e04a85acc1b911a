package cfnspec

import (
	"strings"
	"testing"
)

// tinySpec is a hand-written spec in the package's JSON shape, so the type
// walker is tested without npm.
const tinySpec = `{"schema": {
 "resource": {"entities": [
  {"cloudFormationType": "Test::Thing",
   "attributes": {"Arn": {"type": {"type": "string"}}, "Ips": {"type": {"type": "array", "element": {"type": "string"}}}},
   "properties": {
    "Name": {"type": {"type": "string"}, "required": true},
    "Count": {"type": {"type": "integer", "allowedValues": [1, 2]}},
    "Size": {"type": {"type": "integer"}, "previousTypes": [{"type": "string"}]},
    "Flag": {"type": {"type": "boolean"}},
    "Items": {"type": {"type": "array", "element": {"type": "string"}}},
    "Labels": {"type": {"type": "map", "element": {"type": "string"}}},
    "Conf": {"type": {"type": "ref", "reference": {"$ref": "1"}}},
    "Either": {"type": {"type": "union", "types": [{"type": "string"}, {"type": "ref", "reference": {"$ref": "1"}}]}},
    "Tags": {"type": {"type": "array", "element": {"type": "tag"}}},
    "Doc": {"type": {"type": "json"}}
   }}]},
 "typeDefinition": {"entities": [
  {"$id": "1", "name": "Conf", "properties": {
    "Mode": {"type": {"type": "string", "allowedValues": ["on", "off"]}, "required": true},
    "Next": {"type": {"type": "ref", "reference": {"$ref": "1"}}}}}]}
}}`

func TestTypeWalker(t *testing.T) {
	spec, err := Decode(strings.NewReader(tinySpec))
	if err != nil {
		t.Fatal(err)
	}
	head := "Parameters:\n  Ips: {Type: CommaDelimitedList}\n  One: {Type: String, AllowedValues: [on, maybe]}\n" +
		"Conditions:\n  C: !Equals [a, b]\nResources:\n  Other: {Type: Test::Thing, Properties: {Name: x}}\n  R:\n    Type: Test::Thing\n    Properties:\n      Name: x\n"
	cases := []struct {
		props string // lines under R's Properties, indented by 6
		path  string // "" for no problem
		msg   string
	}{
		{"Count: 2", "", ""},
		{`Count: "2"`, "", ""}, // CloudFormation converts quoted numbers
		{"Count: 3", "Resources.R.Properties.Count", "not an allowed value"},
		{"Size: big", "", ""}, // a previous type (string) still fits
		{`Flag: "true"`, "", ""},
		{"Flag: yes", "Resources.R.Properties.Flag", "want a boolean"},
		{"Items: [a, !Ref One, !GetAtt Other.Arn]", "", ""},
		{"Items: !GetAtt Other.Ips", "", ""},
		{"Items: [a, !Ref Ips]", "Resources.R.Properties.Items[1]", "Ref yields a list"},
		{"Items: !Split [',', !Ref One]", "", ""},
		{"Items: !GetAtt Other.Nope", "Resources.R.Properties.Items.Fn::GetAtt", `has no attribute "Nope"`},
		{"Labels: {a: b, c: [d]}", "Resources.R.Properties.Labels.c", "want string"},
		{"Conf: {Mode: on, Next: {Mode: sideways}}", "Resources.R.Properties.Conf.Next.Mode", "not an allowed value"},
		{"Conf: {Next: {Mode: on}}", "Resources.R.Properties.Conf.Mode", "missing required property of Conf"},
		{"Conf: !Ref One", "Resources.R.Properties.Conf", "Ref yields a single value where Conf is wanted"},
		{"Conf: {Mode: !Ref One}", "Resources.R.Properties.Conf.Mode", `the parameter allows "maybe"`},
		{"Either: {Mode: off}", "", ""},
		{"Either: {Mood: off}", "Resources.R.Properties.Either.Mood", `Conf has no property "Mood"`},
		{"Tags: [{Key: k, Value: v}]", "", ""},
		{"Tags: [{Key: k}]", "Resources.R.Properties.Tags[0].Value", "missing required property of Tag"},
		{"Doc: {anything: [1, {Ref: Other}]}", "", ""},
		{"Doc: {anything: {Ref: Nobody}}", "Resources.R.Properties.Doc.anything.Ref", `Ref names "Nobody"`},
		{"Count: !If [C, 1, 5]", "Resources.R.Properties.Count.Fn::If[2]", "not an allowed value"},
		{"Count: !If [D, 1, 2]", "Resources.R.Properties.Count.Fn::If[0]", `no condition "D"`},
		{"Count: !Reff One", "Resources.R.Properties.Count.!Reff", "unknown intrinsic function"},
		{"Name: {Fn::Join: ['-', [a, !Ref Ips]]}", "Resources.R.Properties.Name.Fn::Join[1][1]", "Ref yields a list"},
	}
	for _, tc := range cases {
		t.Run(tc.props, func(t *testing.T) {
			problems := Check([]byte(head+"      "+tc.props+"\n"), spec)
			if tc.path == "" {
				for _, p := range problems {
					t.Errorf("unexpected: %s", p)
				}
				return
			}
			for _, p := range problems {
				if p.Path == tc.path && strings.Contains(p.Msg, tc.msg) {
					return
				}
			}
			t.Errorf("want a problem at %s containing %q, got %v", tc.path, tc.msg, problems)
		})
	}
}
