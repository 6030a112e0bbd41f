/**
 * IAM tightening (issue 7 item 9): the ingest role may PutItem only under the event log's and the
 * quarantine's partition keys, and the packaged template carries no unused default role. Reads files and
 * runs the local plugin on a template object: no network, no `sls` run (`npm run package` runs it for real).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServerlessYaml } from '../../../lab/eventbridge/serverless-rules.js';
import { REPO_ROOT } from '../../../scripts/build.js';

const config = parseServerlessYaml(readFileSync(join(REPO_ROOT, 'serverless.yml'), 'utf8')) as {
  plugins: string[];
  functions: Record<string, { iamRoleStatements: { Action: string[]; Condition?: unknown }[] }>;
};

type Plugin = new (serverless: unknown) => { hooks: Record<string, () => void> };
const DropUnusedDefaultRole = createRequire(import.meta.url)(
  join(REPO_ROOT, 'scripts', 'serverless-drop-unused-default-role.cjs'),
) as Plugin;

function packageWith(resources: Record<string, unknown>): Record<string, unknown> {
  const template = { Resources: resources };
  const plugin = new DropUnusedDefaultRole({
    service: { provider: { compiledCloudFormationTemplate: template } },
    cli: { log() {} },
  });
  plugin.hooks['before:package:finalize']?.();
  return template.Resources;
}

describe('ingest IAM', () => {
  it('limits PutItem to the LOG# and QUARANTINE# partition keys with dynamodb:LeadingKeys', () => {
    const put = config.functions.ingest?.iamRoleStatements.filter((s) => s.Action.includes('dynamodb:PutItem'));

    expect(put).toHaveLength(1);
    expect(put?.[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['LOG#*', 'QUARANTINE#*'] },
    });
  });

  it('loads the default-role plugin after serverless-iam-roles-per-function (its hook must run later)', () => {
    const plugins = config.plugins;
    expect(plugins.indexOf('./scripts/serverless-drop-unused-default-role.cjs')).toBeGreaterThan(
      plugins.indexOf('serverless-iam-roles-per-function'),
    );
  });

  it('drops the default role when no function uses it, keeps it when one does', () => {
    const role = { Type: 'AWS::IAM::Role', Properties: {} };
    const fn = (roleName: string) => ({
      Type: 'AWS::Lambda::Function',
      Properties: { Role: { 'Fn::GetAtt': [roleName, 'Arn'] } },
      DependsOn: [roleName],
    });

    expect(
      Object.keys(
        packageWith({
          IamRoleLambdaExecution: role,
          IngestIamRoleLambdaExecution: role,
          F: fn('IngestIamRoleLambdaExecution'),
        }),
      ),
    ).toEqual(['IngestIamRoleLambdaExecution', 'F']);
    expect(Object.keys(packageWith({ IamRoleLambdaExecution: role, F: fn('IamRoleLambdaExecution') }))).toEqual([
      'IamRoleLambdaExecution',
      'F',
    ]);
  });
});
