/**
 * `layerloom export model.loom --format tfjs|keras|pytorch|onnx --out DIR [--weights RUNDIR]
 *  [--quantize float16|uint8] [--no-data] [--json]`. Exit 0 written, 1 invalid model / unsupported
 * layers / unreadable weights, 2 usage.
 */
import { dirname, resolve } from 'node:path';
import { EXPORT_FORMAT_IDS, ExportError, isExportFormat, type ExportFormatId, type Quantization } from '../../shared/formats';
import type { CliIO } from './io';
import { readModel } from './io';

const QUANTIZATIONS: readonly Quantization[] = ['none', 'float16', 'uint8'];
const isQuantization = (q: string): q is Quantization => (QUANTIZATIONS as readonly string[]).includes(q);

export const EXPORT_USAGE =
  `layerloom export model.loom --format ${EXPORT_FORMAT_IDS.join('|')} --out DIR [--weights RUNDIR] [--quantize float16|uint8] [--no-data] [--json]`;

interface ExportOptions {
  file: string;
  format: ExportFormatId;
  out: string;
  weights?: string;
  quantize: Quantization;
  includeData: boolean;
  json: boolean;
}

/** The command line's options, or a usage message. */
function exportOptions(args: string[]): ExportOptions | string {
  const opts: Record<string, string> = {};
  const flags = new Set<string>();
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (['--format', '--out', '--weights', '--quantize'].includes(a)) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) return `usage: ${EXPORT_USAGE}\n(${a} needs a value)`;
      opts[a.slice(2)] = v;
    } else if (a === '--no-data' || a === '--json') flags.add(a);
    else if (a.startsWith('--')) return `usage: ${EXPORT_USAGE}\n(unknown option ${a})`;
    else files.push(a);
  }
  const { format, out, weights } = opts;
  const quantize = opts.quantize ?? 'none';
  if (files.length !== 1 || !format || !out) return `usage: ${EXPORT_USAGE}`;
  if (!isExportFormat(format)) return `layerloom export: unknown format "${format}" (known: ${EXPORT_FORMAT_IDS.join(', ')})`;
  if (!isQuantization(quantize)) return `layerloom export: --quantize must be float16 or uint8, got "${opts.quantize}"`;
  return { file: files[0]!, format, out, ...(weights ? { weights } : {}), quantize, includeData: !flags.has('--no-data'), json: flags.has('--json') };
}

/** Exit 1 with the reason for what a person can fix (unsupported layers, unreadable weights); anything else is a bug. */
function exportFailure(e: unknown, o: ExportOptions, io: CliIO): number {
  if (e instanceof ExportError) {
    io.err(`layerloom export: ${e.message}`);
    return 1;
  }
  const code = e && typeof e === 'object' && 'code' in e ? e.code : undefined;
  if (code === 'ENOENT' && o.weights) {
    io.err(`layerloom export: cannot read the trained weights in ${o.weights} (${e instanceof Error ? e.message : String(e)})`);
    return 1;
  }
  throw e;
}

export async function exportCommand(args: string[], io: CliIO): Promise<number> {
  const o = exportOptions(args);
  if (typeof o === 'string') {
    io.err(o);
    return 2;
  }
  const doc = await readModel(o.file, io);
  if (!doc) return 1;
  try {
    const { inProcessEngine } = await import('../engine');
    const r = await inProcessEngine().call('export.run', {
      doc, format: o.format, outDir: resolve(o.out), ...(o.weights ? { runDir: resolve(o.weights) } : {}),
      baseDir: dirname(resolve(o.file)), quantize: o.quantize, includeData: o.includeData,
    });
    if (o.json) io.out(JSON.stringify(r));
    else {
      io.out(`Exported ${doc.name} (${o.format}, ${r.weights} weights) to ${r.outDir}:`);
      for (const f of r.files) io.out(`  ${f}`);
      for (const n of r.notes) io.err(`note: ${n}`);
    }
    return 0;
  } catch (e) {
    return exportFailure(e, o, io);
  }
}
