import { analyze, blockingErrors, formatSummary, inspectReport } from '../../shared/analysis';
import type { CliIO } from './io';
import { readModel } from './io';

/** `layerloom inspect model.loom [--json]`: exit 0 valid, 1 model errors or invalid file. */
export async function inspectCommand(args: string[], io: CliIO): Promise<number> {
  const json = args.includes('--json');
  const files = args.filter((a) => !a.startsWith('--'));
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--json');
  if (files.length !== 1 || unknown.length) {
    io.err(`usage: layerloom inspect model.loom [--json]${unknown.length ? ` (unknown option ${unknown[0]})` : ''}`);
    return 2;
  }
  const doc = await readModel(files[0]!, io);
  if (!doc) return 1;
  const a = analyze(doc);
  if (json) io.out(JSON.stringify(inspectReport(doc, a), null, 2));
  else io.out(formatSummary(doc, a));
  const blocking = blockingErrors(a);
  if (blocking.length) {
    io.err(`${files[0]}: ${blocking.length} error${blocking.length > 1 ? 's' : ''}; first: ${blocking[0]!.nodeId ?? '(model)'}: ${blocking[0]!.message}`);
    return 1;
  }
  return 0;
}
