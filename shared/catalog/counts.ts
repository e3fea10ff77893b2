/** Parameter-count formulas shared by catalog entries (and usable by exporters). */

/** Trainable weights of one recurrent cell, exactly as TF.js/Keras count them. */
export function rnnParams(cell: string, u: number, features: number, bias: boolean): number {
  // SimpleRNN: one kernel, one recurrent kernel, ONE bias vector. LSTM: 4 gates. GRU: 3 gates,
  // TF.js style (reset_after=False: one bias per gate; Keras 3 defaults to reset_after=True).
  const gates = cell === 'LSTM' ? 4 : cell === 'GRU' ? 3 : 1;
  return gates * (u * (features + u) + (bias ? u : 0));
}

/** Weights of a Keras MultiHeadAttention: q/k/v projections to heads, then an output projection. */
export function mhaParams(dq: number, dk: number, dv: number, heads: number, keyDim: number, valueDim: number, out: number, bias: boolean): number {
  const b = bias ? 1 : 0;
  const q = dq * heads * keyDim + b * heads * keyDim;
  const k = dk * heads * keyDim + b * heads * keyDim;
  const v = dv * heads * valueDim + b * heads * valueDim;
  const o = heads * valueDim * out + b * out;
  return q + k + v + o;
}
