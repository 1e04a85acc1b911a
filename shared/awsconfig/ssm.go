package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// SSMAPI is the part of the SSM client that Profiles uses.
type SSMAPI interface {
	GetParametersByPath(ctx context.Context, in *ssm.GetParametersByPathInput, optFns ...func(*ssm.Options)) (*ssm.GetParametersByPathOutput, error)
}

var _ SSMAPI = (*ssm.Client)(nil)

// maxParametersPage is the most GetParametersByPath returns in one page.
const maxParametersPage = 10

// Profiles reads the profile files stored under an SSM Parameter Store path:
// every parameter directly under it (not recursively), decrypted, as one file
// per parameter. A file is named after its parameter with ".yml" added (not
// doubled when the name already ends so), so that the profile's slug must
// equal the parameter's last path segment and problems name the parameter:
// /lasso/profiles/mainnet holds the profile with slug mainnet, reported as
// /lasso/profiles/mainnet.yml.
//
// StringList parameters are refused: their value is a comma list, not YAML.
// An empty path is an error, as an empty profiles directory is.
func Profiles(ctx context.Context, client SSMAPI, path string) (map[string][]byte, error) {
	files := map[string][]byte{}
	pages := ssm.NewGetParametersByPathPaginator(client, &ssm.GetParametersByPathInput{
		Path:           aws.String(path),
		Recursive:      aws.Bool(false),
		WithDecryption: aws.Bool(true),
		MaxResults:     aws.Int32(maxParametersPage),
	})
	var errs []error
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ssm parameters under %s: %w", path, err)
		}
		for _, p := range page.Parameters {
			name := aws.ToString(p.Name)
			if p.Type == types.ParameterTypeStringList {
				errs = append(errs, fmt.Errorf("ssm parameter %s is a StringList: store a profile as String or SecureString", name))
				continue
			}
			file := name
			if !strings.HasSuffix(file, ".yml") {
				file += ".yml"
			}
			files[file] = []byte(aws.ToString(p.Value))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("ssm parameters under %s: none found, want one per profile", path)
	}
	return files, nil
}
