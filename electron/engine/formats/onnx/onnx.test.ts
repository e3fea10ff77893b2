/**
 * ONNX export: every layer example and template exported to .onnx (protobuf written in TS)
 * - runs in onnxruntime-web (wasm, in Node) at batch 7 and at batch 1 with the same model, and
 *   matches the engine within 1e-4: every output (names and count), shape and value, NaN fails;
 * - passes the official checker, onnx.checker.check_model(full_check=True) from Debian's
 *   python3-onnx, with a symbolic batch dimension on every input and output (onnx_check.py).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { buildOnnx, ONNX_OPSET } from '../../../../shared/formats/onnx/model';
import { DT, encodeModel, type OnnxModel } from '../../../../shared/formats/onnx/proto';
import { nodeWeights } from '../weights';
import { allCases, prepare, PY, type Prepared } from '../test-cases';
import { outputMismatch, type OutputTensor } from '../parity';
import { needs } from '../../../../scripts/needs';

ort.env.wasm.numThreads = 1;
const BATCH = 7;

interface Exported {
  name: string;
  file: string;
  bytes: Uint8Array;
  inputIds: string[];
  outputIds: string[];
  inputs: Prepared['inputs'];
  outputs: Prepared['outputs'];
}

/** The first `n` samples of a batch. */
function head<T extends OutputTensor>(x: T, n: number): T {
  const per = x.shape.slice(1).reduce((a, b) => a * b, 1);
  return { ...x, data: (x.data as Float32Array).slice(0, n * per), shape: [n, ...x.shape.slice(1)] };
}

/** Run the session on the first `batch` samples; null when every output matches the engine's. */
async function compare(session: ort.InferenceSession, e: Exported, batch: number): Promise<string | null> {
  const feeds: Record<string, ort.Tensor> = {};
  e.inputIds.forEach((id, i) => {
    const x = head(e.inputs[i]!, batch);
    feeds[id] = x.dtype === 'int32' ? new ort.Tensor('int32', Int32Array.from(x.data), x.shape) : new ort.Tensor('float32', x.data, x.shape);
  });
  const out = await session.run(feeds);
  const got = session.outputNames.filter((n) => n in out).map((n) => ({ data: out[n]!.data as Float32Array, shape: [...out[n]!.dims] }));
  return outputMismatch(got, e.outputs.map((y) => head(y, batch)), 1e-4);
}

function runChecker(dir: string, files: string[]): Record<string, string> {
  writeFileSync(join(dir, 'onnx-files.json'), JSON.stringify(files));
  const out = execFileSync(PY, [join(import.meta.dirname, 'onnx_check.py'), join(dir, 'onnx-files.json')], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out) as Record<string, string>;
}

describe('ONNX export', () => {
  const root = mkdtempSync(join(tmpdir(), 'loom-onnx-'));
  const exported: Exported[] = [];
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    for (const c of allCases()) {
      const p = prepare(c, BATCH);
      try {
        const bytes = buildOnnx(c.doc, nodeWeights(p.compiled));
        const file = join(root, `${c.name}.onnx`);
        writeFileSync(file, bytes);
        exported.push({ name: c.name, file, bytes, inputIds: p.compiled.inputIds, outputIds: p.compiled.outputIds, inputs: p.inputs, outputs: p.outputs });
      } finally {
        p.compiled.model.dispose();
      }
    }
  }, 120_000);

  it('every layer example and template matches the engine within 1e-4 in onnxruntime, at batch 7 and batch 1', async () => {
    const bad: string[] = [];
    for (const e of exported) {
      try {
        const session = await ort.InferenceSession.create(e.bytes);
        try {
          expect(session.inputNames, `${e.name} inputs`).toEqual(e.inputIds);
          // Output names are the output nodes' ids (an Input that is also an output gets "_output").
          expect(session.outputNames, `${e.name} outputs`).toEqual(e.outputIds.map((id) => (e.inputIds.includes(id) ? `${id}_output` : id)));
          for (const batch of [BATCH, 1]) {
            const problem = await compare(session, e, batch);
            if (problem) bad.push(`${e.name} (batch ${batch}): ${problem}`);
          }
        } finally {
          await session.release();
        }
      } catch (err) {
        bad.push(`${e.name}: ${(err as Error).message.slice(0, 300)}`);
      }
    }
    expect(bad).toEqual([]);
    expect(exported.length).toBeGreaterThan(50);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
  }, 120_000);

  needs('onnx').it('every export passes onnx.checker.check_model(full_check=True) with a symbolic batch dimension', () => {
    const results = runChecker(root, exported.map((e) => e.file));
    const bad = Object.entries(results).filter(([, v]) => v !== 'ok').map(([k, v]) => `${k.slice(root.length + 1)}: ${v}`);
    expect(bad).toEqual([]);
    expect(Object.keys(results)).toHaveLength(exported.length);
  }, 120_000);

  needs('onnx').it('the checker rejects a dangling input, a shape inference contradicts and a fixed batch', () => {
    const relu = (over: Partial<OnnxModel>): OnnxModel => ({
      graphName: 'g', opset: ONNX_OPSET, irVersion: 8, producer: 'test', initializers: [],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'], name: 'relu' }],
      inputs: [{ name: 'x', elemType: DT.FLOAT, dims: ['batch', 3] }],
      outputs: [{ name: 'y', elemType: DT.FLOAT, dims: ['batch', 3] }],
      ...over,
    });
    const models = {
      good: relu({}),
      dangling: relu({ nodes: [{ op: 'Add', inputs: ['x', 'nowhere'], outputs: ['y'], name: 'add' }] }),
      contradicted: relu({ outputs: [{ name: 'y', elemType: DT.FLOAT, dims: ['batch', 4] }] }),
      fixedBatch: relu({ inputs: [{ name: 'x', elemType: DT.FLOAT, dims: [1, 3] }], outputs: [{ name: 'y', elemType: DT.FLOAT, dims: [1, 3] }] }),
    };
    const files = Object.entries(models).map(([name, m]) => {
      const file = join(root, `checker-${name}.onnx`);
      writeFileSync(file, encodeModel(m));
      return file;
    });
    const results = runChecker(root, files);
    const [good, dangling, contradicted, fixedBatch] = files.map((f) => results[f]);
    expect(good).toBe('ok');
    expect(dangling).toMatch(/nowhere/);
    expect(contradicted).toMatch(/Inferred shape and existing shape differ|ShapeInferenceError/);
    expect(fixedBatch).toMatch(/first dimension is not symbolic/);
  });
});
