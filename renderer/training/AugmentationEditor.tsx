/** The Data tab's augmentation options (image data), with a live preview of augmented samples. */
import { useEffect, useState } from 'react';
import type { Augmentation, DatasetConfig } from '../../shared/document';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { useDebounced } from './data-source';
import { SampleImage } from './SampleImage';
import { NumberField } from './TrainingPanel';

const AUG_FIELDS: { key: keyof Augmentation; label: string; max: number }[] = [
  { key: 'rotation', label: 'rotation (°)', max: 180 },
  { key: 'widthShift', label: 'width shift (fraction)', max: 1 },
  { key: 'heightShift', label: 'height shift (fraction)', max: 1 },
  { key: 'shear', label: 'shear (°)', max: 90 },
  { key: 'zoom', label: 'zoom (±)', max: 1 },
];

const summaryName = (d: DatasetConfig) => (d.source === 'builtin' ? d.name : d.source === 'npy' ? d.x : d.path);

export function AugmentationEditor({ dataset, docPath, orientationSensitive }: { dataset: DatasetConfig; docPath: string | null; orientationSensitive?: boolean }) {
  const aug = dataset.augmentation;
  const set = (patch: Partial<Augmentation>) => {
    const next = { rotation: 0, widthShift: 0, heightShift: 0, shear: 0, zoom: 0, horizontalFlip: false, ...aug, ...patch };
    const active = Object.entries(next).some(([, v]) => v !== 0 && v !== false);
    const d = { ...dataset } as Record<string, unknown>;
    if (active) d.augmentation = next;
    else delete d.augmentation;
    useEditor.getState().setDataset(d as DatasetConfig);
  };
  const [preview, setPreview] = useState<{ shape: number[]; samples: number[][] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = useDebounced(JSON.stringify(dataset), 300);
  useEffect(() => {
    if (!aug) return setPreview(null);
    let live = true;
    getApi().data.augmentPreview({ dataset, count: 8, ...(docPath ? { docPath } : {}) })
      .then((p) => live && (setPreview(p), setError(null)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [key]);
  return (
    <div>
      <strong>Augmentation</strong> <span className="muted">(training batches only, drawn anew every epoch)</span>
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap' }}>
        {AUG_FIELDS.map((f) => (
          <div key={f.key} style={{ width: 120 }}>
            <NumberField label={f.label} value={(aug?.[f.key] as number | undefined) ?? 0} min={0} max={f.max} onCommit={(v) => set({ [f.key]: v ?? 0 })} />
          </div>
        ))}
        <label className="ll-check"><input type="checkbox" checked={!!aug?.horizontalFlip} onChange={(e) => set({ horizontalFlip: e.target.checked })} />horizontal flip</label>
      </div>
      {/* Allowed (a person may want it), but a mirrored 9 reads as a "P" and is still labelled 9. */}
      {aug?.horizontalFlip && orientationSensitive && (
        <div className="ll-warning" data-testid="flip-warning">
          Flipping changes what a digit or letter means (a mirrored 9 is no 9, yet keeps its label): the {summaryName(dataset)} data is orientation-sensitive, so horizontal flip likely hurts accuracy.
        </div>
      )}
      {error && <div className="ll-error" role="alert">{error}</div>}
      {preview && (
        <div className="ll-sample-grid" data-testid="augment-preview">
          {preview.samples.map((v, i) => <SampleImage key={i} values={v} shape={preview.shape} size={48} />)}
        </div>
      )}
    </div>
  );
}
