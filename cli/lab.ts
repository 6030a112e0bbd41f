/**
 * `egress-watch lab serve`: keeps the lab up on one edge port so any AWS SDK or the AWS CLI can use it
 * (AWS_ENDPOINT_URL + dummy credentials). The scenario's world and images are built; `--play` first plays
 * the whole scenario. Virtual time follows real time times `--speed`, so connectors and MicroVMs progress.
 */
import { accessKeyOf, playScenario } from '../lab/scenarios/runner.js';
import { loadScenarioFile } from '../lab/scenarios/scenario-file.js';
import { UsageError } from '../shared/domain/errors.js';
import { numberFlag, parseCommandArgs } from './args.js';
import { openLocalStore } from './local-store.js';
import { style } from './terminal-style.js';

const TICK_MS = 100;

export async function labCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'serve') throw new UsageError(sub ? `unknown lab command "${sub}"` : 'lab needs a command: serve');
  const { values } = parseCommandArgs({
    args: rest,
    options: {
      port: { type: 'string', default: '4566' },
      scenario: { type: 'string', default: 'article' },
      play: { type: 'boolean', default: false },
      speed: { type: 'string', default: '10' },
    },
  });
  const port = numberFlag('port', values.port, { min: 0, max: 65535, integer: true, meaning: 'a TCP port (0-65535)' });
  const speed = numberFlag('speed', values.speed, {
    min: 0,
    exclusiveMin: true,
    meaning: 'virtual seconds per real second (> 0)',
  });
  const scenario = loadScenarioFile(values.scenario ?? 'article');
  const local = await openLocalStore({ tableName: `lab-${scenario.name}` });
  const result = await playScenario({
    scenario,
    dynamodbEndpoint: local.endpoint,
    tableName: local.tableName,
    edgePort: port,
    keepOpen: true,
    stepLimit: values.play ? scenario.steps.length : 0,
  });
  const { lab } = result;

  // Virtual time follows the wall clock (times --speed); one advance at a time.
  let last = Date.now();
  let advancing = false;
  const ticker = setInterval(() => {
    if (advancing) return;
    advancing = true;
    const now = Date.now();
    const delta = (now - last) * speed;
    last = now;
    lab.clock.advanceBy(delta).finally(() => {
      advancing = false;
    });
  }, TICK_MS);

  const [firstActor] = Object.keys(scenario.actors);
  const print = (line: string) => process.stdout.write(`${line}\n`);
  print(style.bold(`egress-watch lab serving scenario "${scenario.name}" on ${lab.url}`));
  print('Use it from any AWS SDK or the AWS CLI:');
  print(`  export AWS_ENDPOINT_URL=${lab.url}`);
  print(`  export AWS_ACCESS_KEY_ID=${accessKeyOf(firstActor ?? 'admin')}`);
  print('  export AWS_SECRET_ACCESS_KEY=lab');
  print(`  export AWS_REGION=${scenario.region}`);
  print('Access keys act as the scenario people:');
  for (const [name, actor] of Object.entries(scenario.actors)) {
    print(
      `  ${accessKeyOf(name).padEnd(16)} ${actor.role ? `role/${actor.role}/${actor.session ?? name}` : `user/${actor.user ?? name}`}`,
    );
  }
  for (const image of scenario.images) {
    print(`MicroVM image: arn:aws:lambda:${scenario.region}:${scenario.account}:microvm-image:${image.name}`);
  }
  print(style.dim(`virtual time ${lab.clock.now().toISOString()} runs at ${speed}× · Ctrl-C stops`));
  print('ready');

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(ticker);
  await lab.close();
  await local.close();
  return 0;
}
