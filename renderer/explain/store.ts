/**
 * The Explain view's state: what is explained (the subject: a run and one input), the explanations
 * of it by method, the sanity checks, the run's global importance, the job under way (its progress
 * and Cancel) and the pace measured per run (the cost estimate's seconds). Its own small store: none
 * of it is part of the document or its undo history.
 *
 * Every long request is a job (shared/engine/job.ts): it is named with a fresh `jobId`, its
 * `job.progress` events drive the progress bar, `engine.cancel` stops it (it then fails with the
 * IPC error `canceled`).
 */
import { create } from 'zustand';
import { newJobId, type JobProgress } from '../../shared/engine/job';
import type { ExplainInput, ExplainMethod, Explanation, GlobalExplanation, MethodSpec, SanityResult } from '../../shared/explain/schema';
import { getApi, IpcError } from '../platform/api';
import { useEditor } from '../store';
import type { RunView } from '../store/runs';
import { betterPace, measuredPace, type Pace } from './cost';
import { METHOD_LABELS, modelFacts } from './model';

export interface ExplainSubject {
  runId: string;
  input: ExplainInput;
  /** The input's raw values and shape, drawn under the heatmaps (absent for a sample named only by its number). */
  preview?: { values: number[]; shape: number[] };
  /** Where it came from, for people: "test sample #123 · true 3, predicted 5". */
  caption: string;
  /** Output unit to explain; absent: the predicted class. */
  target?: number;
  /** The class names, when the run has them (the target picker). */
  classes?: string[];
}

export interface ExplainJob {
  jobId: string;
  /** What runs, for people: "Grad-CAM (2 of 3)". */
  label: string;
  progress: JobProgress | null;
}

export interface ExplainState {
  subject: ExplainSubject | null;
  /** The explanations of the subject, newest per method, with the settings they were made with. */
  results: Partial<Record<ExplainMethod, { spec: MethodSpec; explanation: Explanation }>>;
  sanity: Partial<Record<ExplainMethod, SanityResult>>;
  /** The global importance of the subject's run (tables), by method. */
  global: { runId: string; shap?: GlobalExplanation; permutation?: GlobalExplanation } | null;
  job: ExplainJob | null;
  error: string | null;
  /** The pace measured per run (the cost estimate's seconds). */
  pace: Record<string, Pace>;
  /** The heatmaps' opacity, 0..1. */
  opacity: number;
  setOpacity(o: number): void;
  setTarget(target: number | undefined): void;
  cancel(): Promise<void>;
}

const initial = {
  subject: null, results: {}, sanity: {}, global: null, job: null, error: null, pace: {}, opacity: 0.6,
} satisfies Partial<ExplainState>;

export const useExplain = create<ExplainState>()((set, get) => ({
  ...initial,
  setOpacity: (opacity) => set({ opacity: Math.max(0, Math.min(1, opacity)) }),
  setTarget: (target) => {
    const s = get().subject;
    if (s) set({ subject: { ...s, ...(target === undefined ? { target: undefined } : { target }) }, results: {}, sanity: {} });
  },
  async cancel() {
    const job = get().job;
    if (!job) return;
    canceledJobs.add(job.jobId);
    await getApi().engine.cancel({ jobId: job.jobId }).catch(() => undefined);
  },
}));

/** Tests: back to the state at start. */
export function resetExplain(): void {
  useExplain.setState({ ...initial, pace: {} });
}

/** Jobs the person canceled: the rest of a series of methods is not started. */
const canceledJobs = new Set<string>();

/**
 * Explain `subject`: it becomes what the Explain tab shows (earlier results of another input are
 * dropped), and the bottom panel switches to that tab.
 */
export function openExplain(subject: ExplainSubject): void {
  const cur = useExplain.getState();
  const same = cur.subject && JSON.stringify(cur.subject) === JSON.stringify(subject);
  if (!same) useExplain.setState({ subject, results: {}, sanity: {}, error: null, ...(cur.global?.runId === subject.runId ? {} : { global: null }) });
  useEditor.getState().setBottomTab('explain');
}

const docLocation = () => {
  const docPath = useEditor.getState().filePath;
  return docPath ? { docPath } : {};
};

/** Run one job: follow its progress, return its answer (null when canceled), record a failure. */
async function job<T>(label: string, call: (jobId: string) => Promise<T>): Promise<T | null> {
  const jobId = newJobId();
  useExplain.setState({ job: { jobId, label, progress: null }, error: null });
  const off = getApi().onJobProgress((p) => {
    const j = useExplain.getState().job;
    if (p.jobId === jobId && j?.jobId === jobId) useExplain.setState({ job: { ...j, progress: p } });
  });
  try {
    return await call(jobId);
  } catch (e) {
    if (e instanceof IpcError && e.code === 'canceled') canceledJobs.add(jobId);
    else useExplain.setState({ error: `${label}: ${(e as Error).message}` });
    return null;
  } finally {
    off();
    if (useExplain.getState().job?.jobId === jobId) useExplain.setState({ job: null });
  }
}

/** True when the job that just ended was canceled by the person. */
const wasCanceled = (jobId: string | undefined) => !!jobId && canceledJobs.has(jobId);

/** Explain the subject with each spec in turn (one job each); Cancel stops the series. */
export async function runExplanations(run: RunView, specs: MethodSpec[]): Promise<void> {
  const facts = modelFacts(run.doc);
  for (const [i, spec] of specs.entries()) {
    const subject = useExplain.getState().subject;
    if (!subject || subject.runId !== run.runId) return;
    let jobId: string | undefined;
    const label = `${METHOD_LABELS[spec.method]}${specs.length > 1 ? ` (${i + 1} of ${specs.length})` : ''}`;
    const r = await job(label, (id) => {
      jobId = id;
      return getApi().explain.run({
        runId: run.runId, doc: run.doc, ...docLocation(), jobId: id, input: subject.input, spec,
        ...(subject.target !== undefined ? { target: subject.target } : {}),
      });
    });
    if (r && useExplain.getState().subject === subject) {
      const pace = facts ? measuredPace(spec, facts, r) : undefined;
      useExplain.setState((s) => ({
        results: { ...s.results, [spec.method]: { spec, explanation: r } },
        ...(pace ? { pace: { ...s.pace, [run.runId]: betterPace(s.pace[run.runId], pace)! } } : {}),
      }));
    }
    if (!r && wasCanceled(jobId)) return;
    if (!r && useExplain.getState().error) return;
  }
}

/** The sanity check of the method's explanation of the subject. */
export async function runSanity(run: RunView, spec: MethodSpec): Promise<void> {
  const subject = useExplain.getState().subject;
  if (!subject) return;
  const r = await job(`Sanity check of ${METHOD_LABELS[spec.method]}`, (jobId) => getApi().explain.sanity({
    runId: run.runId, doc: run.doc, ...docLocation(), jobId, input: subject.input, spec,
    ...(subject.target !== undefined ? { target: subject.target } : {}),
  }));
  if (r && useExplain.getState().subject === subject) useExplain.setState((s) => ({ sanity: { ...s.sanity, [spec.method]: r } }));
}

/** A tabular run's global importance (mean |SHAP| or permutation). */
export async function runGlobal(run: RunView, method: 'shap' | 'permutation', samples?: number): Promise<void> {
  const label = method === 'shap' ? 'Global importance (mean |SHAP|)' : 'Permutation importance';
  const r = await job(label, (jobId) => getApi().explain.global({
    runId: run.runId, doc: run.doc, ...docLocation(), jobId, method, ...(samples ? { samples } : {}),
  }));
  if (r) {
    useExplain.setState((s) => ({
      global: { ...(s.global?.runId === run.runId ? s.global : {}), runId: run.runId, [method]: r },
    }));
  }
}
