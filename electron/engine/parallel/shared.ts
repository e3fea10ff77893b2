/**
 * The shared memory of a data-parallel run (one SharedArrayBuffer, mapped by the main thread and
 * every replica) and the synchronisation on it: no data goes through messages during training.
 *
 *   ctrl       Int32 control words: the step counter (the main thread starts a step by bumping it),
 *              the batch size and active participants of the step, the barrier's arrival counter,
 *              abort and quit flags
 *   weights    the current trainable weights, all variables back to back (written by the main thread
 *              after each update, read by the replicas at the start of a step)
 *   grads      one gradient slot per participant (rank 0 = the main thread)
 *   sum        the summed gradient; participant r sums its chunk of the parameters over all slots
 *   x, y       the batch (each participant reads its contiguous share)
 *   values     per participant: [loss, accuracy, mae] already weighted by its share of the batch
 *   collective two buffers of one slot per participant, for the all-reduces inside a step
 *              (synchronised BatchNormalization statistics), alternating so that one barrier each suffices
 *   stats      per participant, cumulative milliseconds: compute, averaging, idle; plus memory figures
 *
 * Barriers count arrivals on one ever-increasing counter: a step records where the counter stood when
 * it began (`base`), and its k-th barrier waits until `base + k·active` participants have arrived, so
 * participants left out of a small batch's step need not take part. Every wait also watches the
 * abort flag (set by a participant that failed or exited), so no thread waits forever.
 */

/** Control word indices. */
export const C = {
  STEP: 0, // bumped by the main thread to start a step
  N: 1, // samples in this step's batch
  ACTIVE: 2, // participants of this step (ranks 0 .. ACTIVE-1)
  BASE: 3, // the barrier counter when the step began
  BARRIER: 4, // barrier arrivals, ever increasing
  ABORT: 5, // 0, or 1 + the rank that failed
  QUIT: 6, // the replicas leave their loop
  SIZE: 8,
} as const;

/** Per-participant stats (Float64 words). */
export const S = { COMPUTE: 0, AVERAGE: 1, IDLE: 2, STEPS: 3, WASM_BYTES: 4, JS_HEAP_BYTES: 5, SERIAL: 6, SIZE: 8 } as const;

export interface SharedLayout {
  /** Main thread + replicas. */
  participants: number;
  /** Trainable floats of the model, per variable. */
  sizes: number[];
  /** Largest batch, floats per sample of x and y. */
  maxBatch: number;
  sampleSize: number;
  targetSize: number;
  xDtype: 'float32' | 'int32';
  yDtype: 'float32' | 'int32';
  /** Largest all-reduce inside a step, in float64s (0: none). */
  collective: number;
}

const align = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** Typed views of the shared buffer, identical in every participant. */
export class SharedMemory {
  readonly ctrl: Int32Array;
  readonly weights: Float32Array;
  readonly grads: Float32Array[];
  readonly sum: Float32Array;
  readonly x: Float32Array | Int32Array;
  readonly y: Float32Array | Int32Array;
  readonly values: Float64Array;
  readonly collective: Float64Array[][];
  readonly stats: Float64Array;
  /** Parameter offsets of each variable in weights / grads / sum. */
  readonly offsets: number[];
  readonly params: number;

  constructor(readonly buffer: SharedArrayBuffer, readonly layout: SharedLayout) {
    const { participants: P, sizes, maxBatch, sampleSize, targetSize, collective } = layout;
    this.offsets = [];
    let params = 0;
    for (const s of sizes) {
      this.offsets.push(params);
      params += s;
    }
    this.params = params;
    let at = 0;
    const take = (bytes: number) => {
      const o = at;
      at += align(bytes);
      return o;
    };
    this.ctrl = new Int32Array(buffer, take(C.SIZE * 4), C.SIZE);
    this.weights = new Float32Array(buffer, take(params * 4), params);
    this.grads = Array.from({ length: P }, () => new Float32Array(buffer, take(params * 4), params));
    this.sum = new Float32Array(buffer, take(params * 4), params);
    const array = (dtype: 'float32' | 'int32', n: number) => (dtype === 'int32' ? new Int32Array(buffer, take(n * 4), n) : new Float32Array(buffer, take(n * 4), n));
    this.x = array(layout.xDtype, maxBatch * sampleSize);
    this.y = array(layout.yDtype, maxBatch * targetSize);
    this.values = new Float64Array(buffer, take(P * 4 * 8), P * 4);
    this.collective = [0, 1].map(() => Array.from({ length: P }, () => new Float64Array(buffer, take(collective * 8), collective)));
    this.stats = new Float64Array(buffer, take(P * S.SIZE * 8), P * S.SIZE);
    if (at > buffer.byteLength) throw new Error(`shared memory of ${buffer.byteLength} bytes is smaller than its layout (${at})`);
  }

  /** Bytes the layout needs. */
  static bytes(layout: SharedLayout): number {
    const params = layout.sizes.reduce((a, b) => a + b, 0);
    const P = layout.participants;
    return align(C.SIZE * 4) + (P + 2) * align(params * 4) + align(layout.maxBatch * layout.sampleSize * 4)
      + align(layout.maxBatch * layout.targetSize * 4) + align(P * 32) + 2 * P * align(layout.collective * 8) + align(P * S.SIZE * 8);
  }

  static create(layout: SharedLayout): SharedMemory {
    return new SharedMemory(new SharedArrayBuffer(SharedMemory.bytes(layout)), layout);
  }

  /** The share [from, to) of participant `rank` among `active` over `n` samples: contiguous, sizes differing by at most one. */
  static share(n: number, active: number, rank: number): [number, number] {
    return [Math.floor((rank * n) / active), Math.floor(((rank + 1) * n) / active)];
  }

  /** The chunk of the parameters participant `rank` sums, 4-float aligned. */
  chunk(active: number, rank: number): [number, number] {
    const cut = (r: number) => Math.min(this.params, Math.round((r * this.params) / active / 4) * 4);
    return [cut(rank), rank === active - 1 ? this.params : cut(rank + 1)];
  }

  addStat(rank: number, which: number, ms: number): void {
    this.stats[rank * S.SIZE + which]! += ms;
  }

  stat(rank: number, which: number): number {
    return this.stats[rank * S.SIZE + which]!;
  }
}

/** Thrown in every participant when another one failed. */
export class ParallelAbort extends Error {
  constructor(readonly rank: number) {
    super(rank > 0 ? `training thread ${rank} stopped` : 'the main training thread stopped');
  }
}

/** Atomics.waitAsync (Node ≥ 16; not yet in this project's TypeScript lib). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/** How long one wait lasts before the abort flag and the deadline are checked again. */
const POLL_MS = 250;
/** A participant that does not arrive within this time is taken as lost. */
export const STALL_MS = 120_000;

/**
 * One participant's view of a step's synchronisation: barriers and all-reduces. `sync` waits block
 * the thread (replicas; the main thread inside a forward or backward pass, which cannot yield);
 * `barrierAsync` lets the main thread's event loop run while it waits.
 */
export class StepSync {
  private k = 0;
  private base = 0;
  private active = 1;
  private flip = 0;

  constructor(private readonly mem: SharedMemory, readonly rank: number) {}

  /** Start of a step: the barrier base and the participants, as the main thread set them. */
  begin(): void {
    this.base = Atomics.load(this.mem.ctrl, C.BASE);
    this.active = Atomics.load(this.mem.ctrl, C.ACTIVE);
    this.k = 0;
    // Safe to restart at buffer 0: the previous step ended with barriers every participant passed.
    this.flip = 0;
  }

  get participants(): number {
    return this.active;
  }

  private arrive(): number {
    const target = this.base + ++this.k * this.active;
    const now = Atomics.add(this.mem.ctrl, C.BARRIER, 1) + 1;
    if (now >= target) Atomics.notify(this.mem.ctrl, C.BARRIER);
    return target;
  }

  private check(): void {
    const a = Atomics.load(this.mem.ctrl, C.ABORT);
    if (a) throw new ParallelAbort(a - 1);
    if (Atomics.load(this.mem.ctrl, C.QUIT)) throw new ParallelAbort(0);
  }

  /** Wait until every active participant has reached this barrier (blocking). Returns the ms waited. */
  barrier(): number {
    const target = this.arrive();
    const t0 = performance.now();
    for (;;) {
      const now = Atomics.load(this.mem.ctrl, C.BARRIER);
      if (now >= target) return performance.now() - t0;
      this.check();
      if (performance.now() - t0 > STALL_MS) throw new Error(`training thread ${this.rank}: the other training threads did not answer for ${STALL_MS / 1000} s`);
      Atomics.wait(this.mem.ctrl, C.BARRIER, now, POLL_MS);
    }
  }

  /** The same barrier, waiting without blocking the event loop (main thread, between passes). */
  async barrierAsync(): Promise<number> {
    const target = this.arrive();
    const t0 = performance.now();
    for (;;) {
      const now = Atomics.load(this.mem.ctrl, C.BARRIER);
      if (now >= target) return performance.now() - t0;
      this.check();
      if (performance.now() - t0 > STALL_MS) throw new Error(`the training threads did not answer for ${STALL_MS / 1000} s`);
      const w = waitAsync(this.mem.ctrl, C.BARRIER, now, POLL_MS);
      if (w.async) await w.value;
    }
  }

  /**
   * Sum `local` over the step's participants (float64, in rank order: every participant gets the
   * same bits). Blocking: called inside a pass.
   */
  allReduce(local: Float64Array | number[]): Float64Array {
    const slots = this.mem.collective[this.flip]!;
    this.flip ^= 1;
    if (local.length > slots[0]!.length) throw new Error(`all-reduce of ${local.length} values, room for ${slots[0]!.length}`);
    slots[this.rank]!.set(local);
    this.barrier();
    const out = new Float64Array(local.length);
    for (let r = 0; r < this.active; r++) {
      const s = slots[r]!;
      for (let i = 0; i < out.length; i++) out[i]! += s[i]!;
    }
    return out;
  }
}

/** Make every waiting participant give up: participant `rank` failed. */
export function abortAll(mem: SharedMemory, rank: number): void {
  if (Atomics.compareExchange(mem.ctrl, C.ABORT, 0, rank + 1) === 0) {
    Atomics.notify(mem.ctrl, C.BARRIER);
    Atomics.notify(mem.ctrl, C.STEP);
  }
}
