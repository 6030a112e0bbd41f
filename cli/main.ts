/**
 * The `egress-watch` command (a composition root):
 *   egress-watch start [--scenario <name>] [--speed <x>]   play a scenario on the embedded lab
 *   egress-watch replay <file|dir> [--json] [--allow-account <id>]…
 *   egress-watch lab serve [--port 4566] [--scenario <name>]
 *   egress-watch silence add|list|remove …          silences (docs/alerts.md)
 *   egress-watch notifications redrive [--max N]     resend dead-lettered notifications
 */
import { parseArgs } from 'node:util';
import { replayCommand } from './replay.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `usage:
  egress-watch start [--scenario article|bad-day|hyperplane] [--speed <factor>] [--out <dir>]
  egress-watch replay <file|dir> [--json] [--allow-account <12-digit id>]...
  egress-watch lab serve [--port 4566] [--scenario <name>]
  egress-watch silence add (--connector <id|name> | --rule <id> | --severity <s> | --tag <t>)... (--for 2h | --until <ISO>) --reason <text> [--starts <ISO>] [--by <name>]
  egress-watch silence list [--json] | silence remove <silence-id>
  egress-watch notifications redrive [--max 100]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'replay': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { json: { type: 'boolean', default: false }, 'allow-account': { type: 'string', multiple: true } },
      });
      const target = positionals[0];
      if (!target) throw new UsageError('replay needs a file or directory of EventBridge events');
      await replayCommand({ target, json: values.json ?? false, allowAccounts: values['allow-account'] ?? [] });
      return 0;
    }
    case 'start': {
      const { startCommand } = await import('./start.js');
      return startCommand(rest);
    }
    case 'lab': {
      const { labCommand } = await import('./lab.js');
      return labCommand(rest);
    }
    case 'silence':
    case 'notifications': {
      const alerts = await import('./alerts.js');
      try {
        return command === 'silence' ? await alerts.silenceCommand(rest) : await alerts.notificationsCommand(rest);
      } catch (error) {
        if (error instanceof alerts.AlertsUsageError) throw new UsageError(error.message);
        throw error;
      }
    }
    case undefined:
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`egress-watch: ${error.message}\n${USAGE}\n`);
    else
      process.stderr.write(
        `egress-watch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    process.exitCode = error instanceof UsageError ? 2 : 1;
  },
);
