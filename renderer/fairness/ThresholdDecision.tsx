/**
 * Try it with the per-group thresholds fitted in Evaluate › Fairness (post-processing of a binary
 * classifier): the person chooses the sample's group (its attribute may not be an input of the
 * model), and the decision is the positive class when its probability is above that group's threshold.
 */
import { useState } from 'react';
import { predictsPositive, thresholdFor, type ThresholdRule } from '../../shared/fairness';
import { useFairness } from './fairness-logic';

/** The rule fitted last for a run (rules are kept per run and attributes, in the order fitted). */
export function latestRule(rules: Record<string, ThresholdRule>, runId: string): ThresholdRule | undefined {
  return Object.entries(rules).filter(([k]) => k.startsWith(`${runId}|`)).at(-1)?.[1];
}

export function ThresholdDecision({ runId, classes, probs }: { runId: string; classes: readonly string[]; probs: readonly number[] }) {
  const rule = useFairness((s) => latestRule(s.rules, runId));
  const [chosen, setChosen] = useState('');
  if (!rule || classes.length !== 2) return null;
  const pos = classes.indexOf(rule.positiveClass);
  if (pos < 0) return null;
  const group = rule.thresholds.some((t) => t.group === chosen) ? chosen : rule.thresholds[0]?.group ?? '';
  const p = probs[pos]!;
  const t = thresholdFor(rule, group);
  const decision = predictsPositive(rule, group, p) ? classes[pos] : classes[1 - pos];
  const attribute = rule.grouping.map((g) => (g.kind === 'class' ? 'class' : g.column)).join(' × ');
  return (
    <div className="ll-tryit-thresholds" data-testid="tryit-thresholds">
      With the group thresholds fitted in Evaluate › Fairness (post-processing):{' '}
      <label>
        {attribute}{' '}
        <select value={group} onChange={(e) => setChosen(e.target.value)} data-testid="tryit-threshold-group">
          {rule.thresholds.map((g) => <option key={g.group} value={g.group}>{g.group}</option>)}
        </select>
      </label>{' '}
      → <strong data-testid="tryit-threshold-decision">{decision}</strong>{' '}
      <span className="muted">(P({classes[pos]}) {p.toFixed(3)} {p > t ? '>' : '≤'} {t.toFixed(2)}; this session only, not in the exports)</span>
    </div>
  );
}
