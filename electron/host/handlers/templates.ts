/** New documents: the bundled templates (`assets/templates/*.loom`) and the empty model. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CURRENT_VERSION, FORMAT, type LoomDocument } from '../../../shared/document/schema';
import type { Template } from '../../../shared/ipc/contract';

export const BLANK_DOCUMENT: LoomDocument = { format: FORMAT, version: CURRENT_VERSION, name: 'untitled', nodes: [], edges: [] };

/** A template file as { id, name, description, text }; null when it is not JSON. */
function templateOf(file: string, text: string): Template | null {
  try {
    const json: unknown = JSON.parse(text);
    const field = (k: string) => (json && typeof json === 'object' && k in json ? Reflect.get(json, k) : undefined);
    const id = file.replace(/\.loom$/, '');
    const name = field('name');
    const description = field('description');
    return { id, name: typeof name === 'string' ? name : id, description: typeof description === 'string' ? description : '', text };
  } catch {
    return null;
  }
}

/** `assets/templates/*.loom` as { id, name, description, text }, sorted by name. Broken files are skipped. */
export async function loadTemplates(dir: string): Promise<Template[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => f.endsWith('.loom')).sort();
  } catch {
    return [];
  }
  const out: Template[] = [];
  for (const f of names) {
    const t = templateOf(f, await readFile(join(dir, f), 'utf8'));
    if (t) out.push(t);
  }
  return out;
}
