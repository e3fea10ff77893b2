import { join, resolve } from 'node:path';
import { DesktopFiles, dataPathForDocument } from './desktop-files';

/** A stubbed Electron dialog: answers showOpenDialog with the next queued result and records the options. */
function stubDialog(answers: { canceled: boolean; filePaths: string[] }[]) {
  const calls: any[] = [];
  const dialog = {
    showOpenDialog: vi.fn(async (...args: unknown[]) => {
      calls.push(args.length === 2 ? args[1] : args[0]);
      return answers.shift()!;
    }),
    showSaveDialog: vi.fn(),
  };
  return { dialog, calls };
}

const root = resolve('/home/ann/models');
const doc = join(root, 'iris.loom');

describe('data.pick on the desktop (native dialog)', () => {
  it('shows a filtered open dialog per kind, starting in the document folder', async () => {
    const { dialog, calls } = stubDialog([
      { canceled: false, filePaths: [join(root, 'data', 'iris.csv')] },
      { canceled: false, filePaths: [join(root, 'photos')] },
      { canceled: false, filePaths: [join(root, 'x_train.npy'), join(root, 'y_train.npy')] },
    ]);
    const files = new DesktopFiles(dialog as never, () => null, () => '/home/ann');
    await expect(files.pickData('csv', doc)).resolves.toEqual({ canceled: false, path: 'data/iris.csv' });
    expect(calls[0]).toMatchObject({ defaultPath: root, properties: ['openFile'], filters: [{ name: 'CSV / TSV', extensions: ['csv', 'tsv'] }, { name: 'All files', extensions: ['*'] }] });
    await expect(files.pickData('folder', doc)).resolves.toEqual({ canceled: false, path: 'photos' });
    expect(calls[1].properties).toEqual(['openDirectory']);
    expect(calls[1].filters).toBeUndefined();
    // .npy: x and y may be picked together.
    await expect(files.pickData('npy', doc)).resolves.toEqual({ canceled: false, path: 'x_train.npy', paths: ['x_train.npy', 'y_train.npy'] });
    expect(calls[2]).toMatchObject({ properties: ['openFile', 'multiSelections'], filters: [{ name: 'NumPy array', extensions: ['npy'] }] });
  });

  it('returns absolute paths outside the document folder or for an unsaved document; cancel is canceled', async () => {
    const { dialog, calls } = stubDialog([
      { canceled: false, filePaths: ['/data/shared/houses.csv'] },
      { canceled: false, filePaths: [join(root, 'iris.csv')] },
      { canceled: true, filePaths: [] },
    ]);
    const files = new DesktopFiles(dialog as never, () => null, () => '/home/ann');
    await expect(files.pickData('csv', doc)).resolves.toEqual({ canceled: false, path: resolve('/data/shared/houses.csv') });
    await expect(files.pickData('csv', null)).resolves.toEqual({ canceled: false, path: join(root, 'iris.csv') });
    expect(calls[1].defaultPath).toBe('/home/ann');
    await expect(files.pickData('npy', doc)).resolves.toEqual({ canceled: true });
  });

  it('stores paths relative to the document only when inside its folder', () => {
    expect(dataPathForDocument(join(root, 'a', 'b.csv'), doc)).toBe('a/b.csv');
    expect(dataPathForDocument(join(root, '..', 'b.csv'), doc)).toBe(resolve('/home/ann/b.csv'));
    expect(dataPathForDocument(join(root, 'b.csv'), 'relative.loom')).toBe(join(root, 'b.csv'));
  });

  it('file.upload is web mode only', async () => {
    const files = new DesktopFiles(stubDialog([]).dialog as never, () => null, () => '/');
    await expect(files.upload()).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/web mode/) });
  });
});
