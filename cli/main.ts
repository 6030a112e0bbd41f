/**
 * The `egress-watch` command (a composition root):
 *   egress-watch start [--scenario <name>] [--speed <x>]   play a scenario on the embedded lab
 *   egress-watch replay <file|dir> [--json] [--allow-account <id>]…
 *   egress-watch lab serve [--port 4566] [--scenario <name>]
 *   egress-watch report --since 7d [--until <ISO>] [--out report.html] [--json] [--table <name>]
 */
import { parseArgs } from 'node:util';
import { replayCommand } from './replay.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `usage:
  egress-watch start [--scenario article|bad-day|hyperplane] [--speed <factor>] [--out <dir>]
  egress-watch replay <file|dir> [--json] [--allow-account <12-digit id>]...
  egress-watch lab serve [--port 4566] [--scenario <name>]
  egress-watch report --since 7d [--until <ISO-8601>] [--out report.html] [--json] [--table <name>]`;

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
    case 'report': {
      const { reportCommand } = await import('./report.js');
      return reportCommand(rest);
    }
    case 'lab': {
      const { labCommand } = await import('./lab.js');
      return labCommand(rest);
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
