/**
 * The training slice: one click on Train sends the open document to the engine (`engine.train`) and
 * feeds its `train.event` stream into the runs slice; Stop / Pause / Resume / Evaluate. Editing a
 * hyper-parameter or the dataset edits the document (`training` / `dataset`, undoable); the run
 * state itself is not part of the document.
 */
import { trainingDefaults, type DatasetConfig, type LoomDocument, type TrainingConfig } from '../../shared/document';
import type { RunBackend, TrainEvent } from '../../shared/engine/events';
import { newRunId } from '../../shared/engine/run-id';
import { runtimeSettingsOf, type RuntimeCheck, type RuntimeSettings } from '../../shared/runtime/options';
import { getApi } from '../platform/api';
import { belongsTo, isActive, runsOfDocument, type OpenDocument, type RunView } from './runs';
import type { DataSample } from './checks';
import type { Slice } from './types';

export interface TrainingSlice {
  /** The run the Training / Evaluate / Try it panels show. */
  currentRunId: string | null;
  /** The engine's backend, once known (engine.backend, engine.status or a run's start event). */
  backend: RunBackend | null;
  /** A request that failed before a run existed (the engine was unreachable...). */
  trainingMessage: string | null;
  /** The chosen data's sample shape (training/useDataSample.ts reads it): new Inputs take it, a mismatch shows on the Input. */
  dataSample: DataSample | null;
  /** Bumped to read the data files again although the dataset did not change (the person fixed a file). */
  dataReads: number;
  /** Which runtime Train uses and the PyTorch options: the app's settings file (machine settings, never the document). */
  runtime: RuntimeSettings;

  /**
   * Train the open document (or `from.doc`, a run's model, with `from.overrides` over its training
   * settings: Evaluate › Fairness trains a reweighted run so). Returns the run id (null when a run is
   * already going or the request failed).
   */
  train(from?: { doc: LoomDocument; overrides?: Partial<TrainingConfig> }): Promise<string | null>;
  /** Stop the current run, or `runId` (a run of another document still training). */
  stopTraining(runId?: string): void;
  pauseTraining(): void;
  resumeTraining(): void;
  /** Evaluate a run (default: the current one) on its test split; the result lands in the run. */
  evaluateRun(runId?: string): Promise<void>;
  /** Ask the engine which backend it uses (once). */
  loadBackend(): Promise<void>;
  setCurrentRun(runId: string | null): void;
  /** Read the runtime settings from the settings file (once). */
  loadRuntime(): Promise<void>;
  /** Change the runtime settings and save them in the settings file. */
  setRuntime(next: RuntimeSettings): Promise<void>;
  /** Try the PyTorch runtime `settings` describe (default: the current ones) without saving them. */
  checkRuntime(settings?: RuntimeSettings): Promise<RuntimeCheck>;
  setDataSample(sample: DataSample | null): void;
  /** Read the chosen data again (previews, the CSV's columns, the sample shape): "Use this data", a pick, "Read again". */
  rereadData(): void;
  /** Edit one hyper-parameter in the document's `training` (one undo step; `undefined` removes it). */
  setTrainingParam<K extends keyof TrainingConfig>(key: K, value: TrainingConfig[K] | undefined): void;
  /** Replace the document's `dataset` (one undo step). */
  setDataset(dataset: DatasetConfig | undefined): void;
}

/** The hyper-parameters a run of `doc` uses: the document's, with defaults filled. */
export function effectiveTraining(doc: LoomDocument): TrainingConfig {
  try {
    return trainingDefaults(doc.training);
  } catch {
    return trainingDefaults();
  }
}

export { newRunId };

/** The run being shown, if any: always one of the open document's runs. */
export function currentRun(s: OpenDocument & { runs: RunView[]; currentRunId: string | null }): RunView | undefined {
  const run = s.currentRunId ? s.runs.find((r) => r.runId === s.currentRunId) : undefined;
  return run && belongsTo(run, s) ? run : undefined;
}

/** A run still training that is not the open document's (it was trained before New / Open / Import). */
export const backgroundRun = (s: OpenDocument & { runs: RunView[] }): RunView | undefined =>
  s.runs.find((r) => isActive(r.status) && !belongsTo(r, s));

const message = (e: unknown) => (e as Error)?.message ?? String(e);

export const createTrainingSlice: Slice<TrainingSlice> = (set, get) => {
  /** One subscription to the engine's events for the store's lifetime. */
  let subscribed = false;
  const subscribe = () => {
    if (subscribed) return;
    subscribed = true;
    const api = getApi();
    api.onTrainEvent((e: TrainEvent) => {
      get().applyRunEvent(e);
      if (e.type === 'start') set({ backend: e.backend });
    });
    api.onEngineStatus((st) => {
      if (st.backend) set({ backend: st.backend });
      // The engine process died: the run in flight will not report its end.
      if (st.state === 'crashed') {
        for (const r of get().runs) {
          if (isActive(r.status)) {
            get().applyRunEvent({ type: 'error', runId: r.runId, code: 'crash', message: st.message ?? 'The training engine stopped unexpectedly. Your model is safe; press Train to try again.' });
          }
        }
      }
    });
  };
  const control = (action: 'stop' | 'pause' | 'resume', runId?: string) => {
    const run = runId ? get().runs.find((r) => r.runId === runId) : currentRun(get());
    if (!run || !isActive(run.status)) return;
    if (action === 'stop') get().patchRun(run.runId, { status: 'stopping' });
    const api = getApi();
    api.engine[action]({ runId: run.runId }).catch((e: unknown) => set({ trainingMessage: message(e) }));
  };

  let runtimeRead: Promise<void> | null = null;

  return {
    runtime: runtimeSettingsOf(undefined),
    currentRunId: null,
    backend: null,
    trainingMessage: null,
    dataSample: null,
    dataReads: 0,

    async train(from) {
      const cur = currentRun(get());
      if (cur && isActive(cur.status)) return null;
      // One run at a time: another model's run still training is stopped first (the Training tab offers it).
      const other = backgroundRun(get());
      if (other) {
        set({ trainingMessage: `${other.label} of “${other.doc.name}” is still training: stop it first.` });
        return null;
      }
      subscribe();
      const doc = from?.doc ?? get().doc;
      const overrides = from?.overrides;
      const runId = newRunId();
      const docPath = get().filePath;
      const session = get().docSession;
      const training = { ...effectiveTraining(doc), ...overrides };
      get().addRun({ runId, createdAt: new Date().toISOString(), doc, training, session, ...(docPath ? { docPath } : { unsavedOf: get().savedDoc }) });
      set({ currentRunId: runId, trainingMessage: null });
      try {
        await get().loadRuntime();
        const runtime = get().runtime.choice;
        await getApi().engine.train({ runId, doc, ...(docPath ? { docPath } : {}), ...(overrides ? { overrides } : {}), ...(runtime === 'pytorch' ? { runtime } : {}) });
        return runId;
      } catch (e) {
        get().applyRunEvent({ type: 'error', runId, code: 'internal', message: `Training could not start: ${message(e)}` });
        return null;
      }
    },
    stopTraining: (runId) => control('stop', runId),
    pauseTraining: () => control('pause'),
    resumeTraining: () => control('resume'),

    async evaluateRun(runId) {
      const run = runId ? runsOfDocument(get()).find((r) => r.runId === runId) : currentRun(get());
      if (!run) return;
      const docPath = get().filePath;
      try {
        const evaluation = await getApi().engine.evaluate({ runId: run.runId, doc: run.doc, ...(docPath ? { docPath } : {}) });
        get().patchRun(run.runId, { evaluation });
        set({ trainingMessage: null });
      } catch (e) {
        set({ trainingMessage: `Evaluation failed: ${message(e)}` });
      }
    },
    async loadBackend() {
      if (get().backend) return;
      subscribe();
      try {
        set({ backend: await getApi().engine.backend() });
      } catch {
        /* shown once a run starts */
      }
    },
    setCurrentRun: (currentRunId) => set({ currentRunId }),
    loadRuntime() {
      runtimeRead ??= getApi().settings.get()
        .then((st) => set({ runtime: runtimeSettingsOf(st.runtime) }))
        .catch(() => { runtimeRead = null; });
      return runtimeRead;
    },
    async setRuntime(runtime) {
      set({ runtime });
      try {
        await getApi().settings.set({ runtime });
      } catch (e) {
        set({ trainingMessage: `The runtime settings could not be saved: ${message(e)}` });
      }
    },
    async checkRuntime(settings) {
      try {
        return await getApi().settings.checkRuntime(settings ?? get().runtime);
      } catch (e) {
        return { ok: false, python: '', message: `The check could not run: ${message(e)}` };
      }
    },
    setDataSample: (dataSample) => set({ dataSample }),
    rereadData: () => set({ dataReads: get().dataReads + 1 }),
    setTrainingParam(key, value) {
      get().updateDocument((d) => {
        const training: Record<string, unknown> = { ...d.training };
        if (value === undefined) delete training[key];
        else training[key] = value;
        return { ...d, training: training as TrainingConfig };
      });
    },
    setDataset(dataset) {
      get().updateDocument((d) => {
        const next = { ...d };
        if (dataset) next.dataset = dataset;
        else delete next.dataset;
        return next;
      });
    },
  };
};
