/**
 * The `egress-watch` command (a composition root):
 *   egress-watch start [--scenario <name>] [--speed <x>]   play a scenario on the embedded lab
 *   egress-watch replay <file|dir> [--json] [--allow-account <id>]…
 *   egress-watch lab serve [--port 4566] [--scenario <name>]
 *   egress-watch report --since 7d [--until <ISO>] [--out report.html] [--json] [--table <name>]
 *   egress-watch expectations check <file>
 *   egress-watch explain --connector <name|id> --to <host|ip>[:port] [--protocol tcp|udp] [--json]
 *   egress-watch silence add|list|remove …          silences (docs/alerts.md)
 *   egress-watch notifications redrive [--max N]     resend dead-lettered notifications
 *   egress-watch reconcile [--json] [--scenario <name>] [--account <id>] [--region <r>]
 *   egress-watch enis [--json] [--function <name> [--detach]] [--scenario <name>] [--account <id>] [--region <r>]
 */
import { loadCliConfig } from '../shared/config.js';
import { EgressWatchError, exitCodeOf, UsageError } from '../shared/domain/errors.js';
import { parseCommandArgs } from './args.js';
import { replayCommand } from './replay.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const USAGE = `usage:
  egress-watch start [--scenario <name>] [--speed <factor>] [--out <dir>] [--clean-delivery] [--quiet]
  egress-watch replay <file|dir> [--json] [--allow-account <12-digit id>]...
  egress-watch lab serve [--port 4566] [--scenario <name>] [--play] [--speed <factor>]
  egress-watch report --since 7d [--until <ISO-8601>] [--out report.html] [--json] [--table <name>]
  egress-watch expectations check <file>
  egress-watch explain --connector <name|id> --to <host|ip>[:port] [--protocol tcp|udp] [--json] [--region <r>]
  egress-watch reconcile [--json] [--scenario <name>] [--account <12-digit id>] [--region <region>]
  egress-watch enis [--json] [--function <name> [--detach]] [--scenario <name>] [--account <12-digit id>] [--region <region>]
  egress-watch help
  egress-watch silence add (--connector <id|name> | --rule <id> | --severity <s> | --tag <t>)... (--for 2h | --until <ISO>) --reason <text> [--starts <ISO>] [--by <name>]
  egress-watch silence list [--json] | silence remove <silence-id>
  egress-watch notifications redrive [--max 100]`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'replay': {
      const { values, positionals } = parseCommandArgs({
        args: rest,
        allowPositionals: true,
        options: { json: { type: 'boolean', default: false }, 'allow-account': { type: 'string', multiple: true } },
      });
      const target = positionals[0];
      if (!target) throw new UsageError('replay needs a file or directory of EventBridge events');
      if (positionals.length > 1) throw new UsageError(`replay takes one file or directory, got ${positionals.length}`);
      return replayCommand({
        target,
        json: values.json ?? false,
        allowAccounts: values['allow-account'] ?? [],
        config: loadCliConfig(),
      });
    }
    case 'start': {
      const { startCommand } = await import('./start.js');
      return startCommand(rest);
    }
    case 'report': {
      const { reportCommand } = await import('./report.js');
      return reportCommand(rest);
    }
    case 'explain': {
      const { explainCommand } = await import('./explain.js');
      return explainCommand(rest);
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
    case 'expectations': {
      const { expectationsCommand } = await import('./expectations.js');
      return expectationsCommand(rest);
    }
    case 'enis': {
      const { enisCommand } = await import('./enis.js');
      return enisCommand(rest);
    }
    case 'reconcile': {
      const { reconcileCommand } = await import('./reconcile.js');
      return reconcileCommand(rest);
    }
    case undefined:
      throw new UsageError('a command is needed');
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/**
 * How a failed run ends: a usage mistake prints the usage text, an egress-watch error its message (and its
 * cause's), anything else the stack, which is a bug to report. Exit codes: docs/architecture.md#errors.
 */
function report(error: unknown): number {
  if (error instanceof UsageError) process.stderr.write(`egress-watch: ${error.message}\n${USAGE}\n`);
  else if (error instanceof EgressWatchError) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    process.stderr.write(`egress-watch: ${error.message}${cause}\n`);
  } else
    process.stderr.write(`egress-watch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return exitCodeOf(error);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = report(error);
  },
);
