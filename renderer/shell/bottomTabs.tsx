/**
 * The bottom panel's tabs. The training UI plugs in by replacing the `training` entry's
 * `render` with its panel (e.g. `render: () => <TrainingPanel />` from renderer/training/).
 */
import type { ReactNode } from 'react';
import { CompressPanel } from '../compress/CompressPanel';
import { Problems } from '../editor/Problems';
import { ExplainPanel } from '../explain/ExplainPanel';
import { Summary } from '../editor/Summary';
import { DataPanel } from '../training/DataPanel';
import { EvaluatePanel } from '../training/EvaluatePanel';
import { RunsPanel } from '../training/RunsPanel';
import { TrainingPanel } from '../training/TrainingPanel';
import { TryItPanel } from '../training/TryItPanel';

export interface BottomTab {
  id: string;
  label: string;
  render(): ReactNode;
}

export const bottomTabs: BottomTab[] = [
  { id: 'summary', label: 'Summary', render: () => <Summary /> },
  { id: 'problems', label: 'Problems', render: () => <Problems /> },
  { id: 'data', label: 'Data', render: () => <DataPanel /> },
  { id: 'training', label: 'Training', render: () => <TrainingPanel /> },
  { id: 'runs', label: 'Runs', render: () => <RunsPanel /> },
  { id: 'evaluate', label: 'Evaluate', render: () => <EvaluatePanel /> },
  { id: 'tryit', label: 'Try it', render: () => <TryItPanel /> },
  { id: 'explain', label: 'Explain', render: () => <ExplainPanel /> },
  { id: 'compress', label: 'Compress', render: () => <CompressPanel /> },
];
