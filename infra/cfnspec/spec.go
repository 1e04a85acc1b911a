package cfnspec

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Spec is the part of the resource specification the checker needs.
type Spec struct {
	// Resources by CloudFormation type, e.g. "AWS::Logs::LogGroup".
	Resources map[string]*Resource
}

// Resource is one resource type.
type Resource struct {
	Type       string               `json:"cloudFormationType"`
	Properties map[string]*Property `json:"properties"`
	// Attributes are the names Fn::GetAtt accepts, with their types.
	Attributes map[string]*Attribute `json:"attributes"`
	// Transform names the template Transform the type needs
	// (AWS::Serverless-2016-10-31 for SAM's types), empty for native ones.
	Transform string `json:"cloudFormationTransform"`
}

// Attribute is one Fn::GetAtt attribute.
type Attribute struct {
	Type *Type `json:"type"`
}

// TypeDef is a named structure that properties refer to.
type TypeDef struct {
	ID         string               `json:"$id"`
	Name       string               `json:"name"`
	Properties map[string]*Property `json:"properties"`
}

// Property is one property of a resource or TypeDef.
type Property struct {
	Type     *Type `json:"type"`
	Required bool  `json:"required"`
	// Previous holds types the property had in older specs, which
	// CloudFormation still accepts.
	Previous []*Type `json:"previousTypes"`
}

// Type is a property's type: Kind is one of string, integer, number,
// boolean, date-time, json, null, tag, array, map, ref and union.
type Type struct {
	Kind    string   `json:"type"`
	Element *Type    `json:"element"`   // array and map
	Members []*Type  `json:"types"`     // union
	Ref     *typeRef `json:"reference"` // ref
	// AllowedValues as the spec gives them (strings, sometimes numbers).
	AllowedValues []any `json:"allowedValues"`

	// Resolved by Decode.
	Def     *TypeDef `json:"-"`
	Allowed []string `json:"-"`
}

// typeRef names a TypeDef by its $id.
type typeRef struct {
	ID string `json:"$ref"`
}

// Load reads a gzipped spec (db.json.gz).
func Load(path string) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: not gzip: %w", path, err)
	}
	spec, err := Decode(gz)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return spec, nil
}

// Decode reads the spec's JSON. Only the resource and typeDefinition
// entities are decoded; the rest (metrics, events, services) is skipped.
func Decode(r io.Reader) (*Spec, error) {
	var db struct {
		Schema struct {
			Resource struct {
				Entities []*Resource `json:"entities"`
			} `json:"resource"`
			TypeDefinition struct {
				Entities []*TypeDef `json:"entities"`
			} `json:"typeDefinition"`
		} `json:"schema"`
	}
	if err := json.NewDecoder(r).Decode(&db); err != nil {
		return nil, fmt.Errorf("decode spec: %w", err)
	}
	if len(db.Schema.Resource.Entities) == 0 {
		return nil, fmt.Errorf("spec has no schema.resource.entities: not an @aws-cdk/aws-service-spec db.json?")
	}
	defs := make(map[string]*TypeDef, len(db.Schema.TypeDefinition.Entities))
	for _, d := range db.Schema.TypeDefinition.Entities {
		defs[d.ID] = d
	}
	spec := &Spec{Resources: make(map[string]*Resource, len(db.Schema.Resource.Entities))}
	for _, res := range db.Schema.Resource.Entities {
		spec.Resources[res.Type] = res
	}
	// Resolve every type once, so the checker never meets a dangling ref.
	r2 := resolver{defs: defs, done: map[*TypeDef]bool{}}
	for _, res := range spec.Resources {
		if err := r2.props(res.Type, res.Properties); err != nil {
			return nil, err
		}
		for name, a := range res.Attributes {
			if err := r2.typ(res.Type+" attribute "+name, a.Type); err != nil {
				return nil, err
			}
		}
	}
	if err := patchSAM(spec); err != nil {
		return nil, err
	}
	return spec, nil
}

type resolver struct {
	defs map[string]*TypeDef
	done map[*TypeDef]bool // TypeDefs may refer to themselves
}

func (r resolver) props(owner string, props map[string]*Property) error {
	for name, p := range props {
		where := owner + "." + name
		if p.Type == nil {
			return fmt.Errorf("%s has no type", where)
		}
		if err := r.typ(where, p.Type); err != nil {
			return err
		}
		for _, t := range p.Previous {
			if err := r.typ(where, t); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r resolver) typ(where string, t *Type) error {
	if t == nil {
		return fmt.Errorf("%s: missing type", where)
	}
	for _, v := range t.AllowedValues {
		switch v := v.(type) {
		case string:
			t.Allowed = append(t.Allowed, v)
		case float64:
			t.Allowed = append(t.Allowed, strconv.FormatFloat(v, 'f', -1, 64))
		default:
			return fmt.Errorf("%s: allowed value %v is neither string nor number", where, v)
		}
	}
	t.AllowedValues = nil // resolved once, even when a TypeDef is shared
	switch t.Kind {
	case "string", "integer", "number", "boolean", "date-time", "json", "null", "tag":
	case "array", "map":
		return r.typ(where, t.Element)
	case "union":
		for _, m := range t.Members {
			if err := r.typ(where, m); err != nil {
				return err
			}
		}
	case "ref":
		if t.Ref == nil {
			return fmt.Errorf("%s: ref without a reference", where)
		}
		d := r.defs[t.Ref.ID]
		if d == nil {
			return fmt.Errorf("%s: ref to unknown type definition %s", where, t.Ref.ID)
		}
		t.Def = d
		if !r.done[d] {
			r.done[d] = true
			return r.props(d.Name, d.Properties)
		}
	default:
		return fmt.Errorf("%s: unknown type kind %q", where, t.Kind)
	}
	return nil
}
