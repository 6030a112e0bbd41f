/** `egress-watch start`: until the lab plays scenarios live, replays the article's event stream. */
import { fileURLToPath } from 'node:url';
import { replayCommand } from './replay.js';

export async function startCommand(_args: string[]): Promise<number> {
  const scenario = fileURLToPath(new URL('../events/scenarios/article-connector-lifecycle.json', import.meta.url));
  await replayCommand({ target: scenario, json: false, allowAccounts: ['111122223333'] });
  return 0;
}
