/**
 * Validates deploy/member-account.yml offline (part of `npm run package`) and writes it, as JSON, next to
 * the central stack's template: `.serverless/member-account-template.json`. Checks (docs/organizations.md):
 *   - it parses as CloudFormation (short-form intrinsics included) and every Ref / GetAtt / Condition /
 *     !If names a parameter, resource, condition or pseudo parameter that exists;
 *   - its EventBridge rules forward exactly the event patterns serverless.yml gives the ingest function;
 *   - every rule targets the central account's bus with a role;
 *   - no IAM action has a wildcard, the read-only role's actions are reads, the optional canary role's are
 *     reads or the canary's own MicroVM calls, and both trust policies are conditioned on the organization
 *     id (aws:PrincipalOrgID) and/or an external id (sts:ExternalId).
 * Exit code 1 with one line per problem.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServerlessYaml, rulesFromServerlessConfig } from '../lab/eventbridge/serverless-rules.js';

type Node = Record<string, unknown>;

const READ_ONLY_ACTION =
  /^(ec2:(Describe|Get)[A-Za-z]+|lambda:(Get|List)[A-Za-z]+|cloudtrail:(LookupEvents|DescribeTrails|GetTrailStatus|GetEventSelectors)|events:DescribeRule)$/;

/** What the canary role may do besides reads: run, suspend, stop and reach canary MicroVMs (docs/canaries.md). */
const CANARY_WRITES: ReadonlySet<string> = new Set([
  'lambda:RunMicrovm',
  'lambda:PassNetworkConnector',
  'lambda:SuspendMicrovm',
  'lambda:TerminateMicrovm',
  'lambda:CreateMicrovmAuthToken',
]);

const isNode = (value: unknown): value is Node => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Stable JSON (sorted keys) so patterns compare by meaning, not by key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isNode(value))
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

function walk(value: unknown, visit: (node: Node) => void): void {
  if (Array.isArray(value)) for (const item of value) walk(item, visit);
  else if (isNode(value)) {
    visit(value);
    for (const child of Object.values(value)) walk(child, visit);
  }
}

function actionsOf(policy: unknown): string[] {
  const statements = isNode(policy) ? [policy.Statement].flat() : [];
  return statements.flatMap((s) =>
    isNode(s) ? [s.Action].flat().filter((a): a is string => typeof a === 'string') : [],
  );
}

/**
 * The problems of a member-account template, given the central serverless.yml (both as text); [] when valid.
 */
export function checkMemberTemplate(templateText: string, serverlessText: string): string[] {
  const problems: string[] = [];
  let template: Node;
  try {
    const parsed = parseServerlessYaml(templateText);
    if (!isNode(parsed)) return ['the template is not a YAML mapping'];
    template = parsed;
  } catch (error) {
    return [`the template does not parse: ${(error as Error).message}`];
  }
  if (template.AWSTemplateFormatVersion !== '2010-09-09') problems.push('AWSTemplateFormatVersion must be 2010-09-09');
  const parameters = isNode(template.Parameters) ? template.Parameters : {};
  const conditions = isNode(template.Conditions) ? template.Conditions : {};
  const resources = isNode(template.Resources) ? template.Resources : {};
  if (Object.keys(resources).length === 0) problems.push('the template has no Resources');

  for (const [name, resource] of Object.entries(resources)) {
    if (!isNode(resource) || typeof resource.Type !== 'string' || !resource.Type.startsWith('AWS::'))
      problems.push(`resource ${name} has no AWS:: Type`);
  }

  // References resolve.
  const known = new Set([...Object.keys(parameters), ...Object.keys(resources)]);
  walk(template, (node) => {
    const ref = node.Ref;
    if (typeof ref === 'string' && !ref.startsWith('AWS::') && !known.has(ref))
      problems.push(`Ref ${ref} names nothing`);
    const getAtt = node['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && !(getAtt[0] in resources))
      problems.push(`GetAtt ${getAtt[0]} names no resource`);
    const condition = node['Fn::If'];
    if (Array.isArray(condition) && typeof condition[0] === 'string' && !(condition[0] in conditions))
      problems.push(`If ${condition[0]} names no condition`);
  });

  // Same patterns as the central ingest.
  const central = rulesFromServerlessConfig(parseServerlessYaml(serverlessText)).find(
    (f) => f.functionName === 'ingest',
  );
  const expected = (central?.patterns ?? []).map(canonical).sort();
  const rules = Object.entries(resources).filter(([, r]) => isNode(r) && r.Type === 'AWS::Events::Rule');
  const forwarded = rules.map(([, r]) => canonical((r as { Properties: Node }).Properties.EventPattern)).sort();
  if (expected.length === 0) problems.push('serverless.yml gives the ingest function no EventBridge patterns');
  if (canonical(forwarded) !== canonical(expected))
    problems.push(
      `the forwarding rules' patterns differ from serverless.yml's ingest patterns:\n  member:  ${forwarded.join('\n           ')}\n  central: ${expected.join('\n           ')}`,
    );
  for (const [name, rule] of rules) {
    const targets = [((rule as { Properties: Node }).Properties.Targets as unknown[]) ?? []].flat();
    if (targets.length === 0) problems.push(`rule ${name} has no target`);
    for (const target of targets) {
      const text = JSON.stringify(target);
      if (!text.includes('CentralAccountId') || !text.includes('event-bus/default'))
        problems.push(`rule ${name} does not target the central account's default bus`);
      if (!isNode(target) || target.RoleArn === undefined) problems.push(`rule ${name}'s target has no RoleArn`);
    }
  }

  // IAM.
  const roles = Object.entries(resources).filter(([, r]) => isNode(r) && r.Type === 'AWS::IAM::Role');
  for (const [name, role] of roles) {
    const properties = (role as { Properties: Node }).Properties;
    const policies = [(properties.Policies as unknown[]) ?? []].flat();
    const actions = policies.flatMap((p) => (isNode(p) ? actionsOf(p.PolicyDocument) : []));
    for (const action of actions) if (action.includes('*')) problems.push(`role ${name}: wildcard action ${action}`);
    if (name === 'ReadOnlyRole') {
      for (const action of actions)
        if (!READ_ONLY_ACTION.test(action)) problems.push(`role ${name}: ${action} is not a read-only action`);
    }
    if (name === 'CanaryRole') {
      for (const action of actions)
        if (!READ_ONLY_ACTION.test(action) && !CANARY_WRITES.has(action))
          problems.push(`role ${name}: ${action} is neither a read nor a canary action`);
    }
    if (name === 'ReadOnlyRole' || name === 'CanaryRole') {
      const trust = JSON.stringify(properties.AssumeRolePolicyDocument);
      if (!trust.includes('aws:PrincipalOrgID') || !trust.includes('sts:ExternalId'))
        problems.push(`role ${name}: trust policy must be conditioned on aws:PrincipalOrgID and/or sts:ExternalId`);
      if (!trust.includes('CentralAccountId'))
        problems.push(`role ${name}: trust policy must name the central account`);
    }
  }
  if (!roles.some(([name]) => name === 'ReadOnlyRole')) problems.push('the template has no ReadOnlyRole');
  return problems;
}

/** The parsed template as JSON (what CloudFormation would receive, short-form intrinsics in long form). */
export function templateAsJson(templateText: string): string {
  return `${JSON.stringify(parseServerlessYaml(templateText), null, 2)}\n`;
}

function main(): number {
  const root = fileURLToPath(new URL('../', import.meta.url));
  const templatePath = join(root, 'deploy', 'member-account.yml');
  const templateText = readFileSync(templatePath, 'utf8');
  const problems = checkMemberTemplate(templateText, readFileSync(join(root, 'serverless.yml'), 'utf8'));
  if (problems.length > 0) {
    for (const problem of problems) console.error(`deploy/member-account.yml: ${problem}`);
    return 1;
  }
  const out = join(root, '.serverless');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'member-account-template.json'), templateAsJson(templateText));
  console.log('member-account template: valid; written to .serverless/member-account-template.json');
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
