/**
 * The Slack secret (bot token or webhook URL) from SSM Parameter Store (SecureString, decrypted) or, for a
 * name `secretsmanager:<id>`, from Secrets Manager — through Powertools parameters providers (cached for
 * `maxAge` seconds), built on official SDK clients with the function's client settings. The value is
 * returned to the channel and never logged; errors name the parameter, not its value.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsClientSettings } from '../runtime.js';

/** Returns a function that resolves the secret (cached by the provider between calls and invocations). */
export function slackSecretResolver(
  name: string,
  maxAgeSeconds: number,
  aws: AwsClientSettings = {},
): () => Promise<string> {
  const fromSecretsManager = name.startsWith('secretsmanager:');
  const ssm = fromSecretsManager ? undefined : new SSMProvider({ awsSdkV3Client: new SSMClient(aws) });
  const secrets = fromSecretsManager
    ? new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient(aws) })
    : undefined;
  return async () => {
    const value = secrets
      ? await secrets.get(name.slice('secretsmanager:'.length), { maxAge: maxAgeSeconds })
      : await ssm?.get(name, { decrypt: true, maxAge: maxAgeSeconds });
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(`the Slack secret ${name} is empty or not a string`);
    }
    return value.trim();
  };
}
