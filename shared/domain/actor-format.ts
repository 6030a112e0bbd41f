import type { Actor } from './model.js';

/** "role/NetworkTeam/bob", "user/alice", "role/NetworkConnectorOperatorRole/123 via network-connectors.lambda.amazonaws.com" */
export function describeActor(actor: Actor): string {
  let who: string;
  if (actor.type === 'AssumedRole') who = `role/${actor.name ?? '?'}/${actor.sessionName ?? '?'}`;
  else if (actor.type === 'IAMUser') who = `user/${actor.name ?? '?'}`;
  else if (actor.type === 'AWSService') who = actor.invokedBy ?? 'aws-service';
  else who = actor.arn ?? actor.name ?? actor.type;
  return actor.invokedBy && actor.type !== 'AWSService' ? `${who} via ${actor.invokedBy}` : who;
}
