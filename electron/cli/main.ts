/**
 * The `layerloom` command line: the same engine as the app, without a window.
 * Exit codes: 0 success, 1 invalid model or data (message on stderr), 2 usage.
 */
import { inspectCommand } from './inspect';
import { trainCommand, TRAIN_USAGE } from './train';
import { exportCommand, EXPORT_USAGE } from './export';
import { fairnessCommand, FAIRNESS_USAGE } from './fairness';
import { explainCommand, EXPLAIN_USAGE } from './explain';
import { compressCommand, COMPRESS_USAGE } from './compress';
import { generateCommand, GENERATE_USAGE } from './generate';
import { processIO, type CliIO } from './io';

type Command = (args: string[], io: CliIO) => Promise<number>;

/** Subcommands; train/export register here as they land (see README). */
export const COMMANDS: Record<string, { run: Command; usage: string }> = {
  inspect: { run: inspectCommand, usage: 'layerloom inspect model.loom [--json]          Keras-style summary: shapes, params, errors' },
  train: { run: trainCommand, usage: TRAIN_USAGE },
  export: { run: exportCommand, usage: EXPORT_USAGE },
  fairness: { run: fairnessCommand, usage: FAIRNESS_USAGE },
  explain: { run: explainCommand, usage: EXPLAIN_USAGE },
  compress: { run: compressCommand, usage: COMPRESS_USAGE },
  generate: { run: generateCommand, usage: GENERATE_USAGE },
};

export function usage(): string {
  return ['usage:', ...Object.values(COMMANDS).map((c) => `  ${c.usage}`)].join('\n');
}

export async function runCli(argv: string[], io: CliIO = processIO): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    (cmd ? io.out : io.err)(usage());
    return cmd ? 0 : 2;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    io.err(`layerloom: unknown command "${cmd}"\n${usage()}`);
    return 2;
  }
  try {
    return await c.run(rest, io);
  } catch (e) {
    io.err(`layerloom ${cmd}: ${(e as Error).message}`);
    return 1;
  }
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) runCli(process.argv.slice(2)).then((code) => process.exit(code));
