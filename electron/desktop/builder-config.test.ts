/** electron-builder.yml: what can be checked honestly on a machine that cannot build installers. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOCUMENT_EXTENSION } from '../../shared/ipc/contract';
import { FORMAT } from '../../shared/document/schema';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { load } = (await import('js-yaml' as string)) as { load(text: string): any };
const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const PNG = [137, 80, 78, 71, 13, 10, 26, 10];

describe('electron-builder.yml', () => {
  it('builds AppImage + deb, nsis and dmg with an app id', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z0-9]+)+$/);
    expect(config.productName).toBe('Layerloom');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.extraMetadata.main).toBe(pkg.main);
    expect(pkg.scripts.dist).toMatch(/electron-builder/);
  });

  it('uses icons that exist and are what they claim to be', () => {
    const png = readFileSync(join(root, config.linux.icon));
    expect([...png.subarray(0, 8)]).toEqual(PNG);
    expect(png.readUInt32BE(16)).toBe(512); // IHDR width
    expect(png.readUInt32BE(20)).toBe(512);
    const ico = readFileSync(join(root, config.win.icon));
    expect(ico.readUInt16LE(2)).toBe(1); // type: icon
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(4); // several sizes
    const icns = readFileSync(join(root, config.mac.icon));
    expect(icns.subarray(0, 4).toString('ascii')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    // fileAssociations' `icon: icon` resolves to buildResources/icon.{ico,icns}.
    for (const ext of ['ico', 'icns']) expect(existsSync(join(root, config.directories.buildResources, `${config.fileAssociations[0].icon}.${ext}`))).toBe(true);
  });

  it('associates the document extension', () => {
    expect(config.fileAssociations).toHaveLength(1);
    expect(config.fileAssociations[0].ext).toBe(DOCUMENT_EXTENSION);
    expect(config.linux.mimeTypes).toContain(config.fileAssociations[0].mimeType);
    // Every template (a real document) has that extension and is a Layerloom document.
    const templates = readdirSync(join(root, 'assets', 'templates'));
    expect(templates.length).toBeGreaterThan(0);
    for (const t of templates) {
      expect(t.endsWith(`.${DOCUMENT_EXTENSION}`)).toBe(true);
      expect(JSON.parse(readFileSync(join(root, 'assets', 'templates', t), 'utf8')).format).toBe(FORMAT);
    }
  });

  it('keeps native and wasm files outside the asar: the wasm binaries exist; tfjs-node is optional', () => {
    const unpack: string[] = config.asarUnpack;
    const wasmGlob = unpack.find((p) => p.includes('tfjs-backend-wasm'))!;
    const wasmDir = join(root, wasmGlob.replace(/\/\*\.wasm$/, ''));
    const wasm = readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'));
    expect(wasm).toEqual(expect.arrayContaining(['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm']));
    // The engine's override points exactly there when packaged (electron/desktop/app.ts).
    expect(readFileSync(join(root, 'electron', 'desktop', 'app.ts'), 'utf8')).toContain("'app.asar.unpacked', 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist'");
    // tfjs-node (native TensorFlow) is an optional dependency that is often absent (as here); when
    // it is installed, its addon must be in the unpacked folder.
    expect(pkg.optionalDependencies['@tensorflow/tfjs-node']).toBeDefined();
    const nodeGlob = unpack.find((p) => p.includes('tfjs-node'))!;
    expect(nodeGlob).toBe('node_modules/@tensorflow/tfjs-node/**/*');
    const tfjsNode = join(root, 'node_modules', '@tensorflow', 'tfjs-node');
    if (existsSync(tfjsNode)) expect(existsSync(join(tfjsNode, 'lib'))).toBe(true);
  });

  it('unpacks the built-in datasets and points the packaged engine at them', () => {
    const unpack: string[] = config.asarUnpack;
    expect(unpack).toContain('assets/datasets/**/*');
    expect(existsSync(join(root, 'assets', 'datasets', 'LICENSES.md'))).toBe(true);
    expect(readFileSync(join(root, 'electron', 'desktop', 'app.ts'), 'utf8')).toContain("LAYERLOOM_DATASETS_DIR: join(process.resourcesPath, 'app.asar.unpacked', 'assets', 'datasets')");
  });

  it('packages what the app loads at run time', () => {
    const files: string[] = config.files;
    for (const needed of ['dist/electron/**/*', 'dist/renderer/**/*', 'assets/templates/**/*', 'assets/datasets/**/*']) expect(files).toContain(needed);
    // The window icon (build resources are not packed): copied to resources/, where main looks when packaged.
    const icon = config.extraResources.find((r: { to: string }) => r.to === 'icon-512.png');
    expect(existsSync(join(root, icon.from))).toBe(true);
    expect(readFileSync(join(root, 'electron', 'desktop', 'app.ts'), 'utf8')).toContain("join(process.resourcesPath, 'icon-512.png')");
    expect(readFileSync(join(root, 'scripts', 'build.mjs'), 'utf8')).toMatch(/main\.cjs[\s\S]*preload\.cjs[\s\S]*engine-worker\.mjs/);
  });
});
