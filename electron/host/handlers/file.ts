/** `file.*`: documents (new, open, save, Save As, recent, templates), uploads, and model/weights imports. */
import { basename, dirname } from 'node:path';
import { serializeDocument } from '../../../shared/document/save';
import type { ParsedRequestOf, ResponseOf, Template } from '../../../shared/ipc/contract';
import { IpcError } from '../../../shared/ipc/rpc';
import { relocateDocumentText, type PathChange } from '../relocate';
import type { HandlersOf, HostContext } from './context';
import { importModel, loadWeights } from './model-import';
import { BLANK_DOCUMENT, loadTemplates } from './templates';

/** Save As: the text to write, with relative dataset paths rewritten for the chosen file's folder. */
async function saveAs(ctx: HostContext, { text, suggestedName, path, fromPath }: ParsedRequestOf<'file.saveAs'>): Promise<ResponseOf<'file.saveAs'>> {
  const fromDir = await ctx.dataBaseOf(fromPath);
  let rewritten: PathChange[] = [];
  const prepare = fromDir
    ? (abs: string) => {
      const out = relocateDocumentText(text, fromDir, dirname(abs), ctx.relocateOpts);
      rewritten = out.changes;
      return out.text;
    }
    : undefined;
  const r = await ctx.files.saveAs(text, suggestedName, path, prepare);
  if (r.canceled) return r;
  await ctx.remember(r.path);
  return rewritten.length ? { ...r, rewritten } : r;
}

export function fileHandlers(ctx: HostContext): HandlersOf<'file'> {
  const { files, deps } = ctx;
  let templates: Promise<Template[]> | null = null;
  const getTemplates = () => (templates ??= loadTemplates(deps.templatesDir));
  return {
    'file.new': async ({ template }) => {
      if (!template) return { path: null, name: 'untitled.loom', text: serializeDocument(BLANK_DOCUMENT) };
      const t = (await getTemplates()).find((x) => x.id === template);
      if (!t) throw new IpcError('not-found', `no template named "${template}"`);
      return { path: null, name: `${t.id}.loom`, text: t.text };
    },
    'file.open': async ({ path }) => {
      const r = await files.open(path);
      if (!r.canceled) await ctx.remember(r.path);
      return r;
    },
    'file.save': async ({ path, text }) => {
      const r = await files.save(path, text);
      if (!r.canceled) await ctx.remember(r.path);
      return r;
    },
    'file.saveAs': (req) => saveAs(ctx, req),
    'file.recent': async () => {
      const s = await deps.settings.get();
      const present = await Promise.all(s.recentFiles.map((p) => files.exists(p)));
      return { files: s.recentFiles.filter((_, i) => present[i]).map((p) => ({ path: p, name: basename(p) })) };
    },
    'file.list': ({ dir }) => files.list(dir),
    'file.listTemplates': async () => ({ templates: await getTemplates() }),
    'file.upload': (chunk) => files.upload(chunk),
    'file.importModel': (req) => importModel(ctx, req),
    'file.loadWeights': (req) => loadWeights(ctx, req),
  };
}
