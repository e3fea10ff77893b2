/** The ways into the Explain tab from other panels: "Why?" on an Evaluate sample, "Explain" in Try it. */
import type { RunView } from '../store/runs';
import { openExplain } from './store';

/** Evaluate: explain one test sample of a confusion-matrix cell (the predicted class by default). */
export function WhyButton({ run, sample, trueLabel, predictedLabel, classes }: {
  run: RunView;
  sample: { index: number; values: number[]; shape: number[] };
  trueLabel: string;
  predictedLabel: string;
  classes?: string[];
}) {
  return (
    <button type="button" className="ll-why" data-testid="why-button" title="Explain why the model predicted this (Explain tab)"
      onClick={() => openExplain({
        runId: run.runId,
        input: { kind: 'sample', index: sample.index, split: 'test' },
        preview: { values: sample.values, shape: sample.shape },
        caption: `test sample #${sample.index} (true “${trueLabel}”, predicted “${predictedLabel}”)`,
        ...(classes ? { classes } : {}),
      })}>
      Why?
    </button>
  );
}

/** Try it: explain the person's own drawing or row. */
export function ExplainInputButton({ run, values, shape, image, classes }: {
  run: RunView; values: number[]; shape: number[]; image: boolean; classes?: string[];
}) {
  return (
    <button type="button" data-testid="tryit-explain" title="Why this prediction? (Explain tab)"
      onClick={() => openExplain({
        runId: run.runId,
        input: { kind: 'values', values },
        preview: { values, shape },
        caption: image ? 'your drawing' : 'your row',
        ...(classes ? { classes } : {}),
      })}>
      Explain…
    </button>
  );
}
