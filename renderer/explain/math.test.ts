import type { Explanation } from '../../shared/explain/schema';
import { betterPace, estimateCost, GUESSED_SEC_PER_FLOP, measuredPace, OVERHEAD_SEC } from './cost';
import { explanationCsv, fileName, globalCsv } from './export';
import { grayscale, heatRgba, pixelMap } from './heat';
import type { ModelFacts } from './model';

const digit: ModelFacts = { kind: 'image', shape: [28, 28, 1], size: 784, convolutions: ['conv1', 'conv2'], flops: 1e6 };
const table: ModelFacts = { kind: 'table', shape: [9], size: 9, convolutions: [], flops: 100 };

const base: Explanation = {
  method: 'shap', target: { index: 0, label: 'mpg' }, output: 20, baseValue: 23, attributions: [-4, 1], shape: [2],
  featureNames: ['weight', 'model, year'], featureValues: [3500, 76], forwardPasses: 400, elapsedSec: 0.1,
};

describe('cost estimate', () => {
  it('counts forward passes as the engine does (IG: steps + 1, exact tabular SHAP: 2^M × background)', () => {
    expect(estimateCost({ method: 'ig' }, digit).forwardPasses).toBe(51);
    expect(estimateCost({ method: 'ig', steps: 200 }, digit).forwardPasses).toBe(201);
    expect(estimateCost({ method: 'gradcam' }, digit).forwardPasses).toBe(1);
    expect(estimateCost({ method: 'occlusion' }, digit).forwardPasses).toBe(50);
    expect(estimateCost({ method: 'shap' }, table).forwardPasses).toBe(512 * 100);
  });

  it('guesses seconds until a run was timed, then uses the measured pace', () => {
    const guess = estimateCost({ method: 'ig' }, digit);
    expect(guess.measured).toBe(false);
    expect(guess.seconds).toBeCloseTo(OVERHEAD_SEC + 51 * 1e6 * 3 * GUESSED_SEC_PER_FLOP);
    // A 51-pass IG that took 0.406 s: 0.306 s of work after the overhead, 2e-9 s per FLOP of a forward+backward pass.
    const pace = measuredPace({ method: 'ig' }, digit, { forwardPasses: 51, elapsedSec: 0.406 })!;
    expect(pace.secPerFlop).toBeCloseTo(0.306 / (51 * 3e6));
    const after = estimateCost({ method: 'ig', steps: 101 }, digit, pace.secPerFlop);
    expect(after.measured).toBe(true);
    expect(after.seconds).toBeCloseTo(OVERHEAD_SEC + 0.306 * 2);
    // One pass, however long it took, is overhead: no pace from it.
    expect(measuredPace({ method: 'gradcam' }, digit, { forwardPasses: 1, elapsedSec: 0.6 })).toBeUndefined();
    // The pace measured on more work is kept.
    const small = measuredPace({ method: 'occlusion' }, digit, { forwardPasses: 50, elapsedSec: 0.2 })!;
    expect(betterPace(pace, small)).toBe(pace);
    expect(betterPace(small, pace)).toBe(pace);
  });
});

describe('CSV export', () => {
  it('a table row: feature, value, attribution, then the base value and the output (base + Σ = output)', () => {
    expect(explanationCsv(base)).toBe('feature,value,attribution\nweight,3500,-4\n"model, year",76,1\n(base value),,23\n(output),,20\n');
  });

  it('a picture: every attribution with its position along each axis', () => {
    const csv = explanationCsv({ ...base, method: 'ig', featureNames: undefined, featureValues: undefined, attributions: [1, 2, 3, 4, 5, 6], shape: [1, 2, 3] });
    expect(csv.split('\n')).toEqual(['y,x,channel,attribution', '0,0,0,1', '0,0,1,2', '0,0,2,3', '0,1,0,4', '0,1,1,5', '0,1,2,6', '']);
  });

  it('global importance, and safe file names', () => {
    expect(globalCsv({ method: 'permutation', featureNames: ['a', 'b'], importance: [0.2, 0], spread: [0.01, 0], samples: 10, forwardPasses: 110, elapsedSec: 0.1 }))
      .toBe('feature,importance,spread\na,0.2,0.01\nb,0,0\n');
    expect(fileName({ method: 'ig', target: { index: 5, label: '5' } }, 'test sample #12 (true “3”, predicted “5”)', 'png')).toBe('ig-test-sample-12-true-3-predicted-5-target-5.png');
  });
});

describe('heatmap colours', () => {
  it('sums channels per pixel; red raises, blue lowers, the strongest at the chosen opacity over the input', () => {
    const map = pixelMap({ attributions: [1, 1, -1, -1, 0, 0], shape: [1, 3, 2] })!;
    expect(Array.from(map.values)).toEqual([2, -2, 0]);
    const under = grayscale([0, 0, 255, 255, 100, 100], [1, 3, 2], map)!;
    expect(Array.from(under)).toEqual([0, 255, 100]);
    const rgba = Array.from(heatRgba(map, under, 0.5));
    expect(rgba.slice(0, 4)).toEqual([110, 19, 19, 255]); // black pixel, half red
    expect(rgba.slice(4, 8)).toEqual([146, 177, 245, 255]); // white pixel, half blue
    expect(rgba.slice(8, 12)).toEqual([100, 100, 100, 255]); // no attribution: the input
    expect(pixelMap({ attributions: [1, 2, 3], shape: [2, 2] })).toBeNull();
  });
});
