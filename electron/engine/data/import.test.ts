import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { parseCsv } from './csv';
import { DataError, describeCsv, imageToSample, loadDataset, parseNpy } from './index';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'll-data-'));
});

/** Build .npy bytes by hand (format 1.0). */
function npy(descr: string, shape: number[], body: Uint8Array, fortran = false): Uint8Array {
  const shapeStr = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeStr}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(body, 10 + header.length);
  return out;
}
const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe('CSV import', () => {
  const csv = [
    'size,color,"weight, kg",label',
    '1.5,red,10,cat',
    '2,blue,12,dog',
    '',
    '3,red,"14",dog',
    '0.5,green,8,cat',
  ].join('\n');

  it('one-hot encodes categorical features and label-encodes a text target', async () => {
    writeFileSync(join(dir, 'pets.csv'), csv);
    const ds = await loadDataset({ source: 'csv', path: 'pets.csv', target: 'label' }, { baseDir: dir });
    expect(ds.task).toBe('classification');
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect(ds.featureNames).toEqual(['size', 'color=blue', 'color=green', 'color=red', 'weight, kg']);
    expect(ds.sampleShape).toEqual([5]);
    expect([...ds.x.subarray(0, 5)]).toEqual([1.5, 0, 0, 1, 10]);
    expect([...ds.y]).toEqual([0, 1, 1, 0]);
    expect(ds.categories).toEqual({ color: ['blue', 'green', 'red'] });
    expect(ds.defaultNormalize).toBe('standardize');
  });

  it('caches an import until its file changes', async () => {
    const p = join(dir, 'cached.csv');
    writeFileSync(p, 'a,y\n1,0\n2,1\n3,0\n');
    const a = await loadDataset({ source: 'csv', path: p, target: 'y' });
    expect(await loadDataset({ source: 'csv', path: p, target: 'y' })).toBe(a);
    writeFileSync(p, 'a,y\n1,0\n2,1\n3,0\n4,1\n');
    const b = await loadDataset({ source: 'csv', path: p, target: 'y' });
    expect(b.count).toBe(4);
  });

  it('supports chosen features, regression targets and forced categorical columns', async () => {
    writeFileSync(join(dir, 'pets2.csv'), csv);
    const ds = await loadDataset({ source: 'csv', path: join(dir, 'pets2.csv'), target: 'weight, kg', features: ['size', 'label'], task: 'regression' });
    expect(ds.task).toBe('regression');
    expect(ds.featureNames).toEqual(['size', 'label=cat', 'label=dog']);
    expect([...ds.y]).toEqual([10, 12, 14, 8]);
    const cat = await loadDataset({ source: 'csv', path: join(dir, 'pets2.csv'), target: 'label', features: ['size'], categorical: ['size'] });
    expect(cat.featureNames).toEqual(['size=0.5', 'size=1.5', 'size=2', 'size=3']);
  });

  it('names the file, line and column of bad data', async () => {
    writeFileSync(join(dir, 'bad.csv'), 'a,b,y\n1,2,3\n4,oops,5\n6,7,8\n9,10,11\n');
    const err = await loadDataset({ source: 'csv', path: 'bad.csv', target: 'y' }, { baseDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe('bad.csv line 3, column "b": "oops" is not a number (fix the value, or mark the column as categorical).');
    expect(err.line).toBe(3);
    expect(err.column).toBe('b');
    expect(err.file).toBe(join(dir, 'bad.csv'));
    writeFileSync(join(dir, 'ragged.csv'), 'a,y\n1,2\n3\n');
    await expect(loadDataset({ source: 'csv', path: 'ragged.csv', target: 'y' }, { baseDir: dir })).rejects.toThrow('ragged.csv line 3: 1 values, but the header has 2 columns.');
    writeFileSync(join(dir, 'empty.csv'), 'a,y\n1,2\n,4\n5,6\n');
    await expect(loadDataset({ source: 'csv', path: 'empty.csv', target: 'y' }, { baseDir: dir })).rejects.toThrow(/empty\.csv line 3, column "a": the value is empty/);
    await expect(loadDataset({ source: 'csv', path: 'bad.csv', target: 'z' }, { baseDir: dir })).rejects.toThrow('bad.csv has no column "z" (the target). Its columns are: a, b, y.');
    await expect(loadDataset({ source: 'csv', path: 'missing.csv', target: 'z' }, { baseDir: dir })).rejects.toThrow(/Cannot read the CSV file .*missing\.csv/);
    writeFileSync(join(dir, 'ids.csv'), ['id,y', ...Array.from({ length: 1001 }, (_, i) => `user${i},${i % 2}`)].join('\n'));
    await expect(loadDataset({ source: 'csv', path: 'ids.csv', target: 'y' }, { baseDir: dir })).rejects.toThrow('ids.csv: the column "id" has 1001 different text values, too many to one-hot encode');
  });

  it('refuses duplicate column names, numbers float32 cannot hold and too few rows, naming file, line and column', async () => {
    const load = (file: string, text: string, target = 'y') => {
      writeFileSync(join(dir, file), text);
      return loadDataset({ source: 'csv', path: file, target }, { baseDir: dir }).then(() => null, (e: DataError) => e);
    };
    // a,a,y used the first "a" twice.
    const dup = await load('dup.csv', 'a,a,y\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n');
    expect(dup).toBeInstanceOf(DataError);
    expect(dup).toMatchObject({ message: 'dup.csv line 1: the column name "a" appears twice (columns 1 and 2); give each column its own name.', line: 1, column: 'a', file: join(dir, 'dup.csv') });
    expect(() => describeCsv(join(dir, 'dup.csv'))).toThrow('dup.csv line 1: the column name "a" appears twice');
    // 1e400 became Infinity; 1e39 would become Infinity in float32.
    for (const [file, cell, col] of [['inf.csv', '1e400', 'b'], ['f32.csv', '-1e39', 'y']] as const) {
      const text = col === 'b' ? `a,b,y\n1,2,0.5\n3,${cell},1.5\n5,6,2.5\n` : `a,b,y\n1,2,0.5\n3,4,${cell}\n5,6,2.5\n`;
      expect(await load(file, text)).toMatchObject({
        message: `${file} line 3, column "${col}": "${cell}" is too large: numbers are stored as float32, at most ±3.4e38 (fix the value, or rescale the column).`, line: 3, column: col,
      });
    }
    // One or two rows: not advice about regression losses, but too few rows.
    expect(await load('two.csv', 'a,y\n1,0.5\n2,3.5\n')).toMatchObject({
      message: 'two.csv has too few rows: 2 samples (lines 2 and 3), and training needs at least 3 (to learn from some and check on others; a useful model needs hundreds).', line: 3,
    });
    expect(await load('one.csv', 'a,y\n\n1,cat\n')).toMatchObject({ message: expect.stringMatching(/^one\.csv has too few rows: 1 sample \(line 3\)/), line: 3 });
    expect(await load('three.csv', 'a,y\n1,0.5\n2,3.5\n3,1\n')).toBeNull();
  });

  it('describes the columns for the feature/target chooser', () => {
    writeFileSync(join(dir, 'desc.csv'), csv);
    const d = describeCsv(join(dir, 'desc.csv'));
    expect(d.rows).toBe(4);
    expect(d.suggestedTarget).toBe('label');
    expect(d.columns.map((c) => [c.name, c.kind, c.distinct])).toEqual([
      ['size', 'numeric', 4], ['color', 'categorical', 3], ['weight, kg', 'numeric', 4], ['label', 'categorical', 2],
    ]);
    expect(d.columns[1]!.examples).toEqual(['red', 'blue', 'green']);
    expect(d.preview[0]).toEqual(['1.5', 'red', '10', 'cat']);
  });

  it('suggests ignoring a row-number or id column, never a float column whose values are all different', () => {
    const rows = ['id,price,rooms,n,customer_id,year,sold'];
    for (let i = 1; i <= 30; i++) rows.push(`${i},${(100 + i * 7.31).toFixed(2)},${1 + (i % 4)},${100 - i},${1000 + i * 13},${1990 + (i % 7)},${i % 2 ? 'yes' : 'no'}`);
    writeFileSync(join(dir, 'houses-id.csv'), rows.join('\n'));
    const d = describeCsv(join(dir, 'houses-id.csv'));
    // id: 1..30; n: counts down by 1; customer_id: named like a key. price: floats, all distinct, a feature.
    expect(d.suggestedIgnore).toEqual(['id', 'n', 'customer_id']);
    expect(d.suggestedTarget).toBe('sold');
    // An id as the last column is not suggested as the target either.
    writeFileSync(join(dir, 'id-last.csv'), 'a,b,row\n1.5,x,1\n2.5,y,2\n3.5,x,3\n');
    expect(describeCsv(join(dir, 'id-last.csv'))).toMatchObject({ suggestedIgnore: ['row'], suggestedTarget: 'b' });
    // Integers all different but neither named like an id nor counting by 1 (weights): features.
    writeFileSync(join(dir, 'desc.csv'), csv);
    expect(describeCsv(join(dir, 'desc.csv')).suggestedIgnore).toEqual([]);
  });

  it('suggests ignoring a text id column (unique per row), with its reason; a high-cardinality target chosen by the person still loads', async () => {
    const rows = ['customer,code,segment,spend,churn'];
    // customer: all different; code: 39 of 40 different (one repeated key, ≥ 95 %); segment: 4 values.
    for (let i = 0; i < 40; i++) rows.push(`cust-${String(i).padStart(4, '0')},A${i === 39 ? 0 : i},${['a', 'b', 'c', 'd'][i % 4]},${(i * 1.7).toFixed(1)},${i % 3 ? 'no' : 'yes'}`);
    writeFileSync(join(dir, 'customers.csv'), rows.join('\n'));
    const d = describeCsv(join(dir, 'customers.csv'));
    expect(d.suggestedIgnore).toEqual(['customer', 'code']);
    expect(d.suggestedIgnoreReasons).toEqual({ customer: 'unique per row (an identifier?)', code: 'unique per row (an identifier?)' });
    expect(d.suggestedTarget).toBe('churn');
    // Numeric ids keep their own reason.
    writeFileSync(join(dir, 'id-last.csv'), 'a,b,row\n1.5,x,1\n2.5,y,2\n3.5,x,3\n');
    expect(describeCsv(join(dir, 'id-last.csv')).suggestedIgnoreReasons).toEqual({ row: 'whole numbers, every one different' });
    // 36 of 40 different (90 %): a feature. A tiny file whose labels all differ: still a target.
    const few = ['name,x'];
    for (let i = 0; i < 40; i++) few.push(`n${i < 4 ? 0 : i},${i}.5`);
    writeFileSync(join(dir, 'names.csv'), few.join('\n'));
    expect(describeCsv(join(dir, 'names.csv')).suggestedIgnore).toEqual([]);
    writeFileSync(join(dir, 'tiny.csv'), 'x,label\n1.5,cat\n2.5,dog\n3.5,bird\n');
    expect(describeCsv(join(dir, 'tiny.csv'))).toMatchObject({ suggestedIgnore: [], suggestedTarget: 'label' });
    // The person chooses the unique column as the target anyway: one class per row, it loads.
    const ds = await loadDataset({ source: 'csv', path: 'customers.csv', target: 'customer', features: ['spend', 'segment'] }, { baseDir: dir });
    expect(ds.task).toBe('classification');
    expect(ds.classes).toHaveLength(40);
    expect(ds.count).toBe(40);
  });

  it('parses quotes, escaped quotes, CRLF and semicolons', () => {
    const r = parseCsv('x;"a ""q"";b"\r\n1;"2\n3"\r\n');
    expect(r.delimiter).toBe(';');
    expect(r.rows).toEqual([['x', 'a "q";b'], ['1', '2\n3']]);
    expect(r.lines).toEqual([1, 2]);
  });
});

describe('image folder import', () => {
  function writePng(path: string, w: number, h: number, rgba: (x: number, y: number) => [number, number, number, number]) {
    const png = new PNG({ width: w, height: h });
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) png.data.set(rgba(x, y), (y * w + x) * 4);
    writeFileSync(path, PNG.sync.write(png));
  }
  function writeJpeg(path: string, w: number, h: number, rgb: [number, number, number]) {
    const data = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([...rgb, 255], i * 4);
    writeFileSync(path, jpeg.encode({ data, width: w, height: h }, 95).data);
  }

  it('reads one subfolder per class, decodes PNG and JPEG and resizes to the Input shape', async () => {
    const root = join(dir, 'imgs');
    mkdirSync(join(root, 'black'), { recursive: true });
    mkdirSync(join(root, 'red'), { recursive: true });
    writePng(join(root, 'black', 'a.png'), 8, 8, () => [0, 0, 0, 255]);
    writePng(join(root, 'black', 'b.png'), 16, 4, (x) => [x < 8 ? 0 : 40, 0, 0, 255]);
    writeJpeg(join(root, 'red', 'c.jpg'), 10, 10, [250, 0, 0]);
    writePng(join(root, 'red', 'd.PNG'), 3, 3, () => [255, 0, 0, 255]);
    writeFileSync(join(root, 'red', 'notes.txt'), 'ignored');
    const ds = await loadDataset({ source: 'images', path: 'imgs' }, { baseDir: dir, inputShape: [4, 4, 3] });
    expect(ds.classes).toEqual(['black', 'red']);
    expect(ds.count).toBe(4);
    expect(ds.sampleShape).toEqual([4, 4, 3]);
    expect([...ds.y]).toEqual([0, 0, 1, 1]);
    expect(ds.x).toBeInstanceOf(Uint8Array);
    const px = (i: number, p: number) => [...ds.x.subarray(i * 48 + p * 3, i * 48 + p * 3 + 3)];
    expect(px(0, 5)).toEqual([0, 0, 0]);
    expect(px(1, 0)).toEqual([0, 0, 0]); // left half of b.png
    expect(px(1, 3)).toEqual([40, 0, 0]); // right half
    expect(Math.abs(px(2, 5)[0]! - 250)).toBeLessThan(8); // JPEG is lossy
    expect(px(3, 15)).toEqual([255, 0, 0]); // upscaled 3x3
    const gray = await loadDataset({ source: 'images', path: root }, { inputShape: [2, 2, 1] });
    expect(gray.sampleShape).toEqual([2, 2, 1]);
    expect(gray.x[3 * 4]).toBe(Math.round(0.299 * 255)); // red → luminance
    const forced = await loadDataset({ source: 'images', path: root, color: 'grayscale' }, { inputShape: [2, 2, 3] });
    expect(forced.sampleShape).toEqual([2, 2, 1]);
    const flat = await loadDataset({ source: 'images', path: root }, { inputShape: [9] });
    expect(flat.sampleShape).toEqual([3, 3, 1]);
    const flatRgb = await loadDataset({ source: 'images', path: root }, { inputShape: [12] });
    expect(flatRgb.sampleShape).toEqual([2, 2, 3]);
  });

  it('turns one dropped image into a sample for the Input shape', () => {
    const png = new PNG({ width: 4, height: 2 });
    for (let i = 0; i < 8; i++) png.data.set(i % 4 < 2 ? [255, 255, 255, 255] : [0, 0, 0, 255], i * 4);
    const s = imageToSample(new Uint8Array(PNG.sync.write(png)), [1, 2, 1]);
    expect([...s]).toEqual([255, 0]);
    expect(imageToSample(new Uint8Array(PNG.sync.write(png)), [2, 2, 3])).toHaveLength(12);
    expect(() => imageToSample(new Uint8Array(PNG.sync.write(png)), [4])).toThrow(/cannot feed an Input of shape \[4\]/);
  });

  it('explains a folder without class subfolders and names undecodable files', async () => {
    const flat = join(dir, 'flat');
    mkdirSync(flat, { recursive: true });
    writePng(join(flat, 'x.png'), 2, 2, () => [0, 0, 0, 255]);
    await expect(loadDataset({ source: 'images', path: flat })).rejects.toThrow(/needs one subfolder per class/);
    await expect(loadDataset({ source: 'images', path: join(dir, 'nope') })).rejects.toThrow(/does not exist/);
    const broken = join(dir, 'broken');
    mkdirSync(join(broken, 'a'), { recursive: true });
    mkdirSync(join(broken, 'b'), { recursive: true });
    writePng(join(broken, 'a', 'ok.png'), 2, 2, () => [0, 0, 0, 255]);
    writeFileSync(join(broken, 'b', 'bad.png'), 'not a png');
    await expect(loadDataset({ source: 'images', path: broken })).rejects.toThrow(`${join(broken, 'b', 'bad.png')} is neither a PNG nor a JPEG image.`);
  });
});

describe('.npy import', () => {
  it('reads float32/float64/int/uint8 C-order arrays', () => {
    const f = parseNpy(npy('<f4', [2, 3], bytes(Float32Array.from([1, 2, 3, 4, 5, 6.5]))));
    expect(f.shape).toEqual([2, 3]);
    expect([...f.data]).toEqual([1, 2, 3, 4, 5, 6.5]);
    const d = parseNpy(npy('<f8', [2], bytes(Float64Array.from([0.25, -3]))));
    expect([...d.data]).toEqual([0.25, -3]);
    expect(d.data).toBeInstanceOf(Float32Array);
    const i = parseNpy(npy('<i8', [3], bytes(BigInt64Array.from([1n, -2n, 3n]))));
    expect([...i.data]).toEqual([1, -2, 3]);
    const u = parseNpy(npy('|u1', [2, 2], Uint8Array.from([0, 255, 7, 9])));
    expect(u.data).toBeInstanceOf(Uint8Array);
    const be = new Uint8Array(8);
    new DataView(be.buffer).setInt32(0, 258, false);
    new DataView(be.buffer).setInt32(4, -1, false);
    expect([...parseNpy(npy('>i4', [2], be)).data]).toEqual([258, -1]);
  });

  it('refuses Fortran order, unsupported dtypes and non-npy files, naming the file', () => {
    expect(() => parseNpy(npy('<f4', [2, 2], new Uint8Array(16), true), '/data/x.npy')).toThrow(/x\.npy is stored in Fortran order/);
    expect(() => parseNpy(npy('<c8', [2], new Uint8Array(16)), 'z.npy')).toThrow("z.npy has dtype '<c8', which Layerloom cannot read");
    expect(() => parseNpy(npy('<U3', [2], new Uint8Array(24)), 's.npy')).toThrow(/s\.npy has dtype '<U3'/);
    expect(() => parseNpy(new TextEncoder().encode('hello world'), 'h.npy')).toThrow(/h\.npy is not a NumPy \.npy file/);
    expect(() => parseNpy(npy('<f4', [4], new Uint8Array(8)), 't.npy')).toThrow(/t\.npy: expected 16 bytes/);
  });

  it('refuses NaN, infinite and float32-overflowing values, naming the file and the element', async () => {
    const f4 = Float32Array.from([1, 2, 3, 4, NaN, 6]);
    expect(() => parseNpy(npy('<f4', [3, 2], bytes(f4)), '/data/x.npy')).toThrow(
      'x.npy: element [2, 0] (sample 2) is NaN (a missing value?): the data must hold finite numbers; replace them (e.g. np.nan_to_num(a)) or drop those samples before saving.');
    const err = (() => { try { parseNpy(npy('<f8', [2, 2, 2], bytes(Float64Array.from([0, 0, 0, 0, 0, -Infinity, 0, 0]))), 'y.npy'); } catch (e) { return e; } })();
    expect(err).toMatchObject({ message: expect.stringMatching(/^y\.npy: element \[1, 0, 1\] \(sample 1\) is -Infinity:/), file: 'y.npy', column: '[1, 0, 1]' });
    expect(() => parseNpy(npy('<f8', [2], bytes(Float64Array.from([1e300, 0]))), 'big.npy')).toThrow('big.npy: element [0] (sample 0) is 1e+300, too large for float32 (at most ±3.4e38)');
    writeFileSync(join(dir, 'xnan.npy'), npy('<f4', [4, 1], bytes(Float32Array.from([0, 1, Infinity, 3]))));
    writeFileSync(join(dir, 'ynan.npy'), npy('<i4', [4], bytes(Int32Array.from([0, 1, 0, 1]))));
    await expect(loadDataset({ source: 'npy', x: 'xnan.npy', y: 'ynan.npy' }, { baseDir: dir })).rejects.toThrow(/^xnan\.npy: element \[2, 0\] \(sample 2\) is Infinity/);
  });

  it('loads x/y pairs as classification (int labels) or regression (float targets)', async () => {
    const x = Float32Array.from({ length: 12 }, (_, i) => i);
    writeFileSync(join(dir, 'x.npy'), npy('<f4', [4, 3], bytes(x)));
    writeFileSync(join(dir, 'y.npy'), npy('<i4', [4], bytes(Int32Array.from([0, 2, 1, 2]))));
    writeFileSync(join(dir, 'yr.npy'), npy('<f8', [4, 1], bytes(Float64Array.from([0.5, 1, 1.5, 2]))));
    writeFileSync(join(dir, 'y3.npy'), npy('<i4', [3], bytes(Int32Array.from([0, 1, 1]))));
    const c = await loadDataset({ source: 'npy', x: 'x.npy', y: 'y.npy' }, { baseDir: dir });
    expect(c.task).toBe('classification');
    expect(c.sampleShape).toEqual([3]);
    expect(c.classes).toEqual(['0', '1', '2']);
    expect([...c.y]).toEqual([0, 2, 1, 2]);
    const r = await loadDataset({ source: 'npy', x: 'x.npy', y: 'yr.npy' }, { baseDir: dir });
    expect(r.task).toBe('regression');
    expect(r.targetShape).toEqual([1]);
    expect([...r.y]).toEqual([0.5, 1, 1.5, 2]);
    await expect(loadDataset({ source: 'npy', x: 'x.npy', y: 'y3.npy' }, { baseDir: dir })).rejects.toThrow('x.npy has 4 samples but y3.npy has 3: they must have the same first dimension.');
  });
});
