/**
 * deploy/member-account.yml against serverless.yml (docs/organizations.md): the check that `npm run package`
 * runs passes on the real files and catches each kind of drift. Reads files only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../scripts/build.js';
import { checkMemberTemplate, templateAsJson } from '../../../scripts/check-member-template.js';

const template = readFileSync(join(REPO_ROOT, 'deploy', 'member-account.yml'), 'utf8');
const serverless = readFileSync(join(REPO_ROOT, 'serverless.yml'), 'utf8');

describe('member-account template', () => {
  it('is valid and forwards exactly the central ingest patterns', () => {
    expect(checkMemberTemplate(template, serverless)).toEqual([]);
    const json = JSON.parse(templateAsJson(template)) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(json.Resources).map((r) => r.Type)).toEqual(
      expect.arrayContaining(['AWS::Events::Rule', 'AWS::IAM::Role']),
    );
  });

  it.each([
    ['a pattern that drifted', (t: string) => t.replace('            - DeleteNatGateway\n', ''), /patterns differ/],
    [
      'a wildcard action',
      (t: string) => t.replace('lambda:GetMicrovm\n', 'lambda:Get*\n'),
      /wildcard action lambda:Get\*/,
    ],
    [
      'a write action in the read-only role',
      (t: string) => t.replace('lambda:GetMicrovm\n', 'lambda:RunMicrovm\n'),
      /not a read-only action/,
    ],
    [
      'a canary role that may delete connectors',
      (t: string) =>
        t.replace(
          'lambda:TerminateMicrovm, lambda:CreateMicrovmAuthToken]',
          'lambda:TerminateMicrovm, lambda:DeleteNetworkConnector]',
        ),
      /CanaryRole: lambda:DeleteNetworkConnector is neither a read nor a canary action/,
    ],
    [
      'a canary role anyone in the central account may assume without conditions',
      (t: string) => {
        const at = t.indexOf('  CanaryRole:');
        return (
          t.slice(0, at) +
          t
            .slice(at)
            .replace(/\n {12}Condition:\n {14}StringEquals:\n {16}aws:PrincipalOrgID.*\n.*sts:ExternalId.*\n/, '\n')
        );
      },
      /role CanaryRole: trust policy must be conditioned/,
    ],
    [
      'a trust policy without conditions',
      (t: string) =>
        t.replace(/\n {12}Condition:\n {14}StringEquals:\n {16}aws:PrincipalOrgID.*\n.*sts:ExternalId.*\n/, '\n'),
      /aws:PrincipalOrgID/,
    ],
    [
      'a dangling reference',
      (t: string) => t.replace('RoleArn: !GetAtt ForwardToCentralBusRole.Arn', 'RoleArn: !GetAtt NoSuchRole.Arn'),
      /GetAtt NoSuchRole names no resource/,
    ],
    [
      'a target outside the central account',
      (t: string) => t.replaceAll(/:\${CentralAccountId}:event-bus/g, ':111122223333:event-bus'),
      /central account's default bus/,
    ],
  ])('rejects %s', (_name, mutate, problem) => {
    const mutated = mutate(template);
    expect(mutated).not.toBe(template);
    expect(checkMemberTemplate(mutated, serverless).join('\n')).toMatch(problem);
  });
});
