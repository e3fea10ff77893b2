/**
 * Generation cost with and without the key/value cache, on a mini-GPT-sized decoder (random weights:
 * speed does not depend on them): character vocabulary of the King James Bible, context 128, width
 * 128, 4 blocks of 4 heads, feed-forward 512. Greedy decoding of N tokens after a 16-token prompt,
 * for N = 128 and 256: with the cache, time grows linearly in N (per-token cost bounded by the
 * window); without it, each token re-runs the whole window. Prints wall and CPU seconds, tokens/s,
 * and the forward FLOPs both paths need (counted from the shapes).
 * Run: npx tsx bench/text-generate.ts [--backend wasm|cpu]
 */
import { initWasm } from '../electron/engine/kernels/test-backends';
import { PositionalEmbedding } from '../electron/engine/layers/attention';
import { loadBuiltinText } from '../electron/engine/data/text';
import { withSeededRandom } from '../electron/engine/random';
import { TransformerDecoder } from '../electron/engine/layers/decoder';
import { generate, windowKeep } from '../electron/engine/text/generate';
import { decoderOnlyStack } from '../electron/engine/text/stack';
import { tf, tfl } from '../electron/engine/tfjs';
import { trainCharTokenizer } from '../shared/text/tokenizer';

const T = 128;
const D = 128;
const BLOCKS = 4;
const HEADS = 4;
const FF = 512;
const PROMPT = 16;

/** Forward FLOPs (2 per multiply-add) of `positions` new positions attending to `context` keys each. */
function forwardFlops(positions: number, context: number, vocab: number): number {
  const perBlock = 2 * (4 * D * D + 2 * D * FF) + 2 * 2 * context * D;
  return positions * (BLOCKS * perBlock + 2 * D * vocab);
}

/** FLOPs to generate n tokens under the window rule, cached or not. */
function generationFlops(n: number, vocab: number, cached: boolean): number {
  let flops = 0;
  let len = PROMPT;
  let start = 0;
  let cachedUpTo = 0;
  let windowStart = -1;
  for (let i = 0; i < n; i++) {
    if (len - start > T) start = len - windowKeep(T);
    const window = len - start;
    if (!cached) flops += forwardFlops(window, window, vocab);
    else if (windowStart !== start) flops += forwardFlops(window, window, vocab);
    else flops += forwardFlops(len - cachedUpTo, window, vocab);
    windowStart = start;
    cachedUpTo = len;
    len++;
  }
  return flops;
}

async function main(): Promise<void> {
  const backend = process.argv.includes('--backend') ? process.argv[process.argv.indexOf('--backend') + 1]! : 'wasm';
  if (backend === 'wasm') await initWasm();
  await tf.setBackend(backend);
  const text = loadBuiltinText('bible-kjv');
  const tokenizer = trainCharTokenizer(text);
  const V = tokenizer.vocabSize;
  const model = withSeededRandom(1, () => {
    const ids = tfl.input({ shape: [T], dtype: 'int32' });
    let h = tfl.layers.embedding({ inputDim: V, outputDim: D }).apply(ids) as tfl.SymbolicTensor;
    h = new PositionalEmbedding({ sequenceLength: T }).apply(h) as tfl.SymbolicTensor;
    for (let b = 0; b < BLOCKS; b++) h = new TransformerDecoder({ numHeads: HEADS, intermediateDim: FF, normalizeFirst: true }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.layerNormalization().apply(h) as tfl.SymbolicTensor;
    return tfl.model({ inputs: ids, outputs: tfl.layers.dense({ units: V }).apply(h) as tfl.SymbolicTensor });
  });
  const stack = decoderOnlyStack(model);
  const prompt = text.slice(0, PROMPT);
  await generate(stack, tokenizer, prompt, { maxTokens: 8, temperature: 0, stopAtEos: false }); // warm up
  console.log(`backend ${backend}, vocabulary ${V}, context ${T}, width ${D}, ${BLOCKS} blocks × ${HEADS} heads, feed-forward ${FF}, prompt ${PROMPT} tokens`);
  for (const cache of [true, false]) {
    for (const n of [128, 256]) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const r = await generate(stack, tokenizer, prompt, { maxTokens: n, temperature: 0, stopAtEos: false, cache });
      const wall = (performance.now() - t0) / 1000;
      const cpuUse = process.cpuUsage(cpu0);
      const cpu = (cpuUse.user + cpuUse.system) / 1e6;
      const gflop = generationFlops(n, V, cache) / 1e9;
      console.log(`${cache ? 'cached  ' : 'uncached'} N=${String(n).padStart(3)}: ${wall.toFixed(2)} s wall, ${cpu.toFixed(2)} CPU-s, ${(r.tokens.length / wall).toFixed(1)} tokens/s, ${gflop.toFixed(2)} GFLOP forward`);
    }
  }
}

void main();
