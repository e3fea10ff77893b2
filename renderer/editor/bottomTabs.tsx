/**
 * The bottom panel's tabs. The training UI (issue 7) plugs in by replacing the `training` entry's
 * `render` with its panel (e.g. `render: () => <TrainingPanel />` from renderer/training/).
 */
import type { ReactNode } from 'react';
import { Problems } from './Problems';
import { Summary } from './Summary';

export interface BottomTab {
  id: string;
  label: string;
  render(): ReactNode;
}

function TrainingPlaceholder() {
  return <p className="muted">Training arrives here: loss and accuracy curves stream in while the model trains.</p>;
}

export const bottomTabs: BottomTab[] = [
  { id: 'summary', label: 'Summary', render: () => <Summary /> },
  { id: 'problems', label: 'Problems', render: () => <Problems /> },
  { id: 'training', label: 'Training', render: () => <TrainingPlaceholder /> },
];
