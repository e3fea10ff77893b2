/**
 * ONNX parity: every layer example and template exported to .onnx (protobuf written in TS) and run
 * in onnxruntime-web (wasm, in Node): outputs equal the engine's within 1e-4; batch is dynamic.
 */
import * as ort from 'onnxruntime-web';
import { buildOnnx, ONNX_OPSET } from '../../../../shared/formats/onnx/model';
import { nodeWeights } from '../weights';
import { allCases, prepare } from '../test-cases';

ort.env.wasm.numThreads = 1;

describe('ONNX export parity (onnxruntime-web)', () => {
  it('every layer example and template matches the engine within 1e-4', async () => {
    const bad: string[] = [];
    for (const c of allCases()) {
      const p = prepare(c);
      let bytes: Uint8Array;
      try {
        bytes = buildOnnx(c.doc, nodeWeights(p.compiled));
      } finally {
        p.compiled.model.dispose();
      }
      try {
        const session = await ort.InferenceSession.create(bytes);
        const feeds: Record<string, ort.Tensor> = {};
        p.compiled.inputIds.forEach((id, i) => {
          const x = p.inputs[i]!;
          feeds[id] = x.dtype === 'int32' ? new ort.Tensor('int32', Int32Array.from(x.data), x.shape) : new ort.Tensor('float32', x.data, x.shape);
        });
        expect(session.inputNames).toEqual(p.compiled.inputIds);
        const out = await session.run(feeds);
        session.outputNames.forEach((name, i) => {
          const y = out[name]!.data as Float32Array;
          const want = p.outputs[i]!;
          expect([...out[name]!.dims], `${c.name} output shape`).toEqual(want.shape);
          const diff = want.data.reduce((m, v, j) => Math.max(m, Math.abs(v - y[j]!)), 0);
          if (!(diff < 1e-4)) bad.push(`${c.name}: ${diff}`);
        });
        await session.release();
      } catch (e) {
        bad.push(`${c.name}: ${(e as Error).message.slice(0, 300)}`);
      }
    }
    expect(bad).toEqual([]);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
  }, 120_000);
});
