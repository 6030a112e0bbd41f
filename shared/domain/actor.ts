/**
 * Actors: who made a CloudTrail call (`userIdentity`, see the CloudTrail userIdentity element reference,
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html),
 * reduced to an `Actor`, and how an actor is written for people. All actor code lives here.
 */
import type { Actor } from './model.js';

/** The `userIdentity` fields egress-watch reads; every one is optional in CloudTrail. */
export interface UserIdentity {
  type?: string | undefined;
  arn?: string | undefined;
  principalId?: string | undefined;
  accountId?: string | undefined;
  invokedBy?: string | undefined;
  userName?: string | undefined;
  sessionContext?:
    | {
        sessionIssuer?:
          | { arn?: string | undefined; userName?: string | undefined; type?: string | undefined }
          | undefined;
      }
    | undefined;
}

/**
 * `userIdentity` → `Actor`. For assumed roles the role name comes from `sessionContext.sessionIssuer.userName`
 * or, failing that, from the `assumed-role/<role>/<session>` ARN, which also gives the session name.
 */
export function actorOf(identity: UserIdentity): Actor {
  const arn = identity.arn ?? null;
  const issuer = identity.sessionContext?.sessionIssuer;
  let name = issuer?.userName ?? identity.userName ?? null;
  let sessionName: string | null = null;
  const assumed = arn?.match(/:assumed-role\/([^/]+)\/(.+)$/);
  if (assumed) {
    name = name ?? assumed[1] ?? null;
    sessionName = assumed[2] ?? null;
  }
  return {
    type: identity.type ?? 'Unknown',
    arn,
    name,
    sessionName,
    invokedBy: identity.invokedBy ?? null,
    accountId: identity.accountId ?? null,
  };
}

/**
 * One line for people: "role/NetworkTeam/bob", "user/alice",
 * "role/NetworkConnectorOperatorRole/123 via network-connectors.lambda.amazonaws.com".
 */
export function describeActor(actor: Actor): string {
  let who: string;
  if (actor.type === 'AssumedRole') who = `role/${actor.name ?? '?'}/${actor.sessionName ?? '?'}`;
  else if (actor.type === 'IAMUser') who = `user/${actor.name ?? '?'}`;
  else if (actor.type === 'AWSService') who = actor.invokedBy ?? 'aws-service';
  else who = actor.arn ?? actor.name ?? actor.type;
  return actor.invokedBy && actor.type !== 'AWSService' ? `${who} via ${actor.invokedBy}` : who;
}

/**
 * Whether `describeActor` text names the Lambda service acting on a connector's ENIs: its service-linked role
 * `AWSServiceRoleForLambda`, or a call made on its behalf (`invokedBy` lambda.amazonaws.com or
 * network-connectors.lambda.amazonaws.com, e.g. through the connector's operator role). Source: the connector
 * ENI record fixtures (events/README.md; the service role as deleter is unverified there).
 */
export function isLambdaServiceText(described: string): boolean {
  return (
    described.startsWith('role/AWSServiceRoleForLambda/') ||
    described === 'lambda.amazonaws.com' ||
    described.endsWith(' via lambda.amazonaws.com') ||
    described.endsWith(' via network-connectors.lambda.amazonaws.com')
  );
}
