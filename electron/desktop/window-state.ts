/**
 * The main window's last size and place (`<userData>/window-state.json`), restored on launch when it
 * still fits on a connected display (otherwise the default size, centred).
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../node/atomic';

export const WindowStateSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400).max(20_000),
  height: z.number().int().min(300).max(20_000),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowStateSchema>;

export const DEFAULT_WINDOW: WindowState = { width: 1400, height: 900, maximized: false };

interface Rect { x: number; y: number; width: number; height: number }

export function loadWindowState(file: string, displays: { workArea: Rect }[]): WindowState {
  let state: WindowState;
  try {
    state = WindowStateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return DEFAULT_WINDOW;
  }
  if (state.x === undefined || state.y === undefined) return { width: state.width, height: state.height, maximized: state.maximized };
  // Keep the window only if its title bar area is visible on some display (monitors change).
  const visible = displays.some(({ workArea: a }) =>
    state.x! + 100 > a.x && state.x! < a.x + a.width - 100 && state.y! >= a.y - 10 && state.y! < a.y + a.height - 50);
  if (!visible) return { width: state.width, height: state.height, maximized: state.maximized };
  return state;
}

export async function saveWindowState(file: string, state: WindowState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(WindowStateSchema.parse(state)) + '\n');
}
