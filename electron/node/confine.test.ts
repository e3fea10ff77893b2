import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { confine, confineSync, findEscapingLink, MissingPathError, OutsideFolderError } from './confine';

let base: string;
let root: string;
let outside: string;
beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), 'll-confine-')));
  root = join(base, 'project');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'data', 'imgs', 'cat'), { recursive: true });
  mkdirSync(join(outside, 'run'), { recursive: true });
  writeFileSync(join(outside, 'secret.png'), 'secret');
  writeFileSync(join(root, 'data', 'a.csv'), 'x');
  symlinkSync(join(outside, 'secret.png'), join(root, 'data', 'imgs', 'cat', 'link.png')); // a file link out
  symlinkSync(outside, join(root, 'm.runs')); // a folder link out
  symlinkSync(join(root, 'data', 'a.csv'), join(root, 'alias.csv')); // a link that stays inside
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('confine (async and sync alike)', () => {
  for (const [name, fn] of [['confine', confine], ['confineSync', confineSync]] as const) {
    it(`${name}: inside paths resolve to real paths; .., absolute paths elsewhere and links out are refused by name`, async () => {
      const run = async (p: string, opts?: { mustExist?: boolean }) => fn(root, p, opts);
      await expect(run('data/a.csv')).resolves.toBe(join(root, 'data', 'a.csv'));
      await expect(run(join(root, 'data', 'a.csv'))).resolves.toBe(join(root, 'data', 'a.csv'));
      await expect(run('alias.csv')).resolves.toBe(join(root, 'data', 'a.csv'));
      await expect(run('new/deep/file.loom')).resolves.toBe(join(root, 'new', 'deep', 'file.loom'));
      await expect(run('../outside/secret.png')).rejects.toThrow(new OutsideFolderError('../outside/secret.png', 'is'));
      await expect(run(join(outside, 'secret.png'))).rejects.toBeInstanceOf(OutsideFolderError);
      await expect(run('data/imgs/cat/link.png')).rejects.toThrow('"data/imgs/cat/link.png" leads outside the project folder');
      await expect(run('m.runs/run/run.json')).rejects.toThrow(/leads outside/);
      await expect(run('m.runs/new-run')).rejects.toThrow(/leads outside/); // to be created through the link
      await expect(run('a\0b')).rejects.toBeInstanceOf(OutsideFolderError);
      await expect(run('nope.csv', { mustExist: true })).rejects.toBeInstanceOf(MissingPathError);
    });
  }

  it('finds a link out of the project inside a folder about to be written', async () => {
    expect(await findEscapingLink(root, join(root, 'data'))).toBe('imgs/cat/link.png');
    expect(await findEscapingLink(root, join(root, 'data', 'imgs', 'cat'))).toBe('link.png');
    mkdirSync(join(root, 'clean'));
    symlinkSync(join(root, 'data'), join(root, 'clean', 'inside-link'));
    expect(await findEscapingLink(root, join(root, 'clean'))).toBeNull();
  });
});
