/**
 * Keeps the store's `dataSample` (the chosen data's sample shape) in step with the document's
 * dataset: read with `data.preview` (one sample) shortly after the dataset changes. The editor
 * uses it for new Input nodes and to show a data / Input mismatch on the Input (store/checks.ts).
 */
import { useEffect } from 'react';
import { getApi } from '../platform/api';
import { useEditor } from '../store';
import { dataSampleKey } from '../store/checks';

const DELAY_MS = 400;

export function useDataSample(): void {
  const dataset = useEditor((s) => s.doc.dataset);
  const docPath = useEditor((s) => s.filePath);
  const reads = useEditor((s) => s.dataReads);
  const key = dataSampleKey(dataset);
  useEffect(() => {
    if (!dataset) return;
    let live = true;
    const t = setTimeout(() => {
      getApi().data.preview({ dataset: { ...dataset, augmentation: undefined }, limit: 1, ...(docPath ? { docPath } : {}) })
        .then((p) => {
          const given = (p as { sampleShape?: unknown }).sampleShape ?? p.inputShape;
          const shape = Array.isArray(given) && given.every((v) => typeof v === 'number') ? (given as number[]) : null;
          if (live) useEditor.getState().setDataSample(shape ? { key, shape } : null);
        })
        .catch(() => live && useEditor.getState().setDataSample(null));
    }, DELAY_MS);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // The key says all there is to the dataset.
  }, [key, docPath, reads]);
}
