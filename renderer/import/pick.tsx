/**
 * Web mode's file picking for Import and Load Weights: the browser's file picker, then an upload
 * into `<project>/imports/<folder>/` (platform/upload.ts), because the server can only read files in
 * the project folder. A TF.js model is chosen as model.json together with its .bin shards (several
 * files): they land in one folder, so the manifest's relative paths resolve.
 */
import { useRef, useState } from 'react';
import { uploadFiles, type UploadProgress } from '../platform/upload';

const mainFileOf = (files: File[]) => [/\.json$/i, /\.keras$/i, /\.(h5|hdf5)$/i].map((re) => files.find((f) => re.test(f.name))).find(Boolean);

/**
 * The model name a picked file gives: its name without the extension (`pose.keras` → pose). The
 * upload's folder (`imports/pose-<time>-<random>/`) must not become the name, as it did for a
 * `model.json`, named after its folder.
 */
export function modelNameOf(files: File[]): string | undefined {
  const main = mainFileOf(files);
  return main ? main.name.replace(/(\.weights)?\.[^.]+$/i, '').slice(0, 200) || undefined : undefined;
}

/** Upload the chosen files into a new folder under imports/ and return the path of the model/weights file among them. */
export async function uploadForImport(files: File[], onProgress?: (p: UploadProgress) => void): Promise<string> {
  const main = mainFileOf(files);
  if (!main) throw new Error(`Choose a model.json (with its .bin files), a Keras .json, a .keras or an .h5 / .weights.h5 file (got ${files.map((f) => f.name).join(', ')})`);
  const stem = main.name.replace(/(\.weights)?\.[^.]+$/i, '').replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'model';
  const folder = `${stem}-${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
  // The upload name carries the folder (as for a picked folder): every file of one pick lands together.
  const named = files.map((f) => Object.defineProperty(f, 'webkitRelativePath', { value: `${folder}/${f.name}`, configurable: true }));
  const paths = await uploadFiles(named, 'imports', onProgress);
  return paths[files.indexOf(main)]!;
}

/** A button that opens the browser's file picker (several files) and hands over the chosen ones. */
export function PickFilesButton({ accept, label, disabled, onFiles, testId }: { accept: string; label: string; disabled?: boolean; onFiles(files: File[]): void; testId: string }) {
  const ref = useRef<HTMLInputElement>(null);
  return (
    <>
      <input ref={ref} type="file" multiple accept={accept} style={{ display: 'none' }} data-testid={`${testId}-input`}
        onChange={(e) => {
          const files = Array.from(e.target.files ?? []);
          e.target.value = '';
          if (files.length) onFiles(files);
        }} />
      <button type="button" className="primary" disabled={disabled} data-testid={testId} onClick={() => ref.current?.click()}>{label}</button>
    </>
  );
}

/** Upload progress as a short line ("Uploading weights.bin… 40%"). */
export function useUploadProgress(): [string | null, (p: UploadProgress | null) => void] {
  const [line, setLine] = useState<string | null>(null);
  return [line, (p) => setLine(p ? `Uploading ${p.file}… ${p.total ? Math.round((100 * p.loaded) / p.total) : 100}%` : null)];
}
