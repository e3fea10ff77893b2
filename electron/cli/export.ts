/**
 * `layerloom export model.loom --format tfjs|keras|pytorch|onnx --out DIR [--weights RUNDIR]
 *  [--quantize float16|uint8] [--no-data] [--json]`. Exit 0 written, 1 invalid model / unsupported
 * layers / unreadable weights, 2 usage.
 */
import { dirname, resolve } from 'node:path';
import { EXPORT_FORMAT_IDS, ExportError, isExportFormat, type Quantization } from '../../shared/export';
import type { CliIO } from './io';
import { readModel } from './io';

const QUANTIZATIONS: readonly Quantization[] = ['none', 'float16', 'uint8'];
const isQuantization = (q: string): q is Quantization => (QUANTIZATIONS as readonly string[]).includes(q);

export const EXPORT_USAGE =
  `layerloom export model.loom --format ${EXPORT_FORMAT_IDS.join('|')} --out DIR [--weights RUNDIR] [--quantize float16|uint8] [--no-data] [--json]`;

export async function exportCommand(args: string[], io: CliIO): Promise<number> {
  const opts: Record<string, string> = {};
  const flags = new Set<string>();
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (['--format', '--out', '--weights', '--quantize'].includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) {
        io.err(`usage: ${EXPORT_USAGE}\n(${a} needs a value)`);
        return 2;
      }
      opts[a.slice(2)] = v;
    } else if (a === '--no-data' || a === '--json') flags.add(a);
    else if (a.startsWith('--')) {
      io.err(`usage: ${EXPORT_USAGE}\n(unknown option ${a})`);
      return 2;
    } else files.push(a);
  }
  const format = opts.format;
  if (files.length !== 1 || !format || !opts.out) {
    io.err(`usage: ${EXPORT_USAGE}`);
    return 2;
  }
  if (!isExportFormat(format)) {
    io.err(`layerloom export: unknown format "${format}" (known: ${EXPORT_FORMAT_IDS.join(', ')})`);
    return 2;
  }
  const quantize = opts.quantize ?? 'none';
  if (!isQuantization(quantize)) {
    io.err(`layerloom export: --quantize must be float16 or uint8, got "${opts.quantize}"`);
    return 2;
  }
  const doc = await readModel(files[0]!, io);
  if (!doc) return 1;
  try {
    const { inProcessEngine } = await import('../engine');
    const r = await inProcessEngine().call('export.run', {
      doc, format, outDir: resolve(opts.out), ...(opts.weights ? { runDir: resolve(opts.weights) } : {}),
      baseDir: dirname(resolve(files[0]!)), quantize, includeData: !flags.has('--no-data'),
    });
    if (flags.has('--json')) io.out(JSON.stringify(r));
    else {
      io.out(`Exported ${doc.name} (${format}, ${r.weights} weights) to ${r.outDir}:`);
      for (const f of r.files) io.out(`  ${f}`);
      for (const n of r.notes) io.err(`note: ${n}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ExportError) {
      io.err(`layerloom export: ${e.message}`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && opts.weights) {
      io.err(`layerloom export: cannot read the trained weights in ${opts.weights} (${(e as Error).message})`);
      return 1;
    }
    throw e;
  }
}
