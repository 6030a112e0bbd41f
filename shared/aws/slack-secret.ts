/**
 * The Slack secret (bot token or webhook URL) from SSM Parameter Store (SecureString, decrypted) or, for a
 * name `secretsmanager:<id>`, from Secrets Manager — through Powertools parameters, cached for `maxAge`
 * seconds. The value is returned to the channel and never logged; errors name the parameter, not its value.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';

/** Returns a function that resolves the secret (cached by Powertools between calls and invocations). */
export function slackSecretResolver(name: string, maxAgeSeconds: number): () => Promise<string> {
  return async () => {
    const value = name.startsWith('secretsmanager:')
      ? await getSecret<string>(name.slice('secretsmanager:'.length), { maxAge: maxAgeSeconds })
      : await getParameter<string>(name, { decrypt: true, maxAge: maxAgeSeconds });
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(`the Slack secret ${name} is empty or not a string`);
    }
    return value.trim();
  };
}
