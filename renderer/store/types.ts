import type { DocumentSlice } from './document';
import type { RunsSlice } from './runs';
import type { SelectionSlice } from './selection';
import type { TrainingSlice } from './training';
import type { ViewSlice } from './view';

/** The whole editor store: one zustand store built from slices (one file per slice). */
export type EditorState = DocumentSlice & SelectionSlice & ViewSlice & TrainingSlice & RunsSlice;

type SetState = (partial: Partial<EditorState> | ((s: EditorState) => Partial<EditorState>)) => void;
type GetState = () => EditorState;

/** A slice creator: receives the store's set/get and returns its part of the state. */
export type Slice<T> = (set: SetState, get: GetState) => T;
