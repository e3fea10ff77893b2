/** Explain's named errors: what the CLI reports with exit 1 and the app shows next to the method picker. */

export type ExplainErrorCode = 'not-applicable' | 'input-shape' | 'target' | 'data';

export class ExplainError extends Error {
  constructor(readonly code: ExplainErrorCode, message: string) {
    super(message);
    this.name = 'ExplainError';
  }
}

/** The method cannot explain this model or input (Grad-CAM without a convolution, gradients of token ids, ...). */
export const notApplicable = (message: string) => new ExplainError('not-applicable', message);
