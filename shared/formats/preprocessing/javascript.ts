/**
 * The JavaScript side of the preprocessing contract (table.ts) for the TF.js export's predict.js:
 * encodeRows → normalize → the model → finish, reading preprocessing.json beside the script.
 * Plain CommonJS for Node with @tensorflow/tfjs (`tf` in scope).
 */
import { PREPROCESSING_FILE } from './table';

export const JS_PREPROCESSING = `// Raw rows -> predictions, as Layerloom's Try it: encodeRows -> normalize -> the model -> finish.
// The table is ${PREPROCESSING_FILE} beside this file (the same in every Layerloom export).
const NUMBER = /^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$/;

/** ${PREPROCESSING_FILE}, or null when the model was exported without a dataset (no preprocessing). */
function loadPreprocessing(file = path.join(__dirname, '${PREPROCESSING_FILE}')) {
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
}

function needPreprocessing(pre) {
  if (!pre) throw new Error('${PREPROCESSING_FILE} is missing: this model was exported without a dataset, so there is no preprocessing; give the model its input tensor directly');
  return pre;
}

/**
 * Raw rows -> features (one flat array per row). Table data: each row is an object {column: value as
 * written in the CSV} (other keys ignored) or an array in the columns' order; numbers stay as they
 * are, each categorical column becomes one 0/1 value per category in the table's order. Other data:
 * each row is one raw sample (image pixels 0..255 channels-last, token ids), passed through.
 */
function encodeRows(rows, pre = needPreprocessing(loadPreprocessing())) {
  const cols = pre.columns;
  const size = pre.input.shape.reduce((a, b) => a * b, 1);
  if (!cols) {
    return rows.map((row, r) => {
      const flat = [row].flat(Infinity).map(Number);
      if (flat.length !== size) throw new Error(\`sample \${r + 1}: \${flat.length} values, but the model takes shape [\${pre.input.shape.join(', ')}] (\${size} values)\`);
      return flat;
    });
  }
  const names = cols.map((c) => c.name).join(', ');
  return rows.map((row, r) => {
    if (Array.isArray(row)) {
      if (row.length !== cols.length) throw new Error(\`row \${r + 1}: \${row.length} values, but the model takes \${cols.length} columns: \${names}\`);
      row = Object.fromEntries(cols.map((c, i) => [c.name, row[i]]));
    }
    const out = new Float32Array(pre.features.length);
    let o = 0;
    for (const c of cols) {
      if (!(c.name in row)) throw new Error(\`row \${r + 1}: no column "\${c.name}" (the model takes \${names})\`);
      const text = row[c.name] == null ? '' : String(row[c.name]).trim();
      if (c.kind === 'numeric') {
        if (!NUMBER.test(text)) throw new Error(\`row \${r + 1}, column "\${c.name}": "\${text}" is not a number\`);
        out[o++] = Number(text);
      } else {
        const k = c.categories.indexOf(text);
        if (k < 0) throw new Error(\`row \${r + 1}, column "\${c.name}": "\${text}" is not one of the categories the model was trained on (\${c.categories.map((v) => JSON.stringify(v)).join(', ')})\`);
        out[o + k] = 1;
        o += c.categories.length;
      }
    }
    return Array.from(out);
  });
}

/** Features (flat per sample) -> model input: (x - offset[g]) * scale[g], g = element index % groups. */
function normalize(features, pre = needPreprocessing(loadPreprocessing())) {
  const { mode, offset, scale, groups } = pre.normalization;
  return features.map((x) => {
    const out = Float32Array.from([x].flat(Infinity));
    if (mode !== 'none') {
      for (let i = 0; i < out.length; i++) {
        const g = i % groups;
        out[i] = (out[i] - offset[offset.length === 1 ? 0 : g]) * scale[scale.length === 1 ? 0 : g];
      }
    }
    return out;
  });
}

/** The model's output tensor -> outputs as Layerloom shows them (softmax/sigmoid when the model gives logits). */
function finish(y, pre = needPreprocessing(loadPreprocessing())) {
  const act = pre.output.activation;
  return act === 'softmax' ? tf.softmax(y) : act === 'sigmoid' ? tf.sigmoid(y) : y;
}

/** The class name for one sample's outputs (null for regression). */
function label(outputs, pre = needPreprocessing(loadPreprocessing())) {
  const classes = pre.output.classes;
  if (!classes) return null;
  if (outputs.length === 1) return classes[outputs[0] > 0.5 ? 1 : 0];
  let best = 0;
  for (let j = 1; j < outputs.length; j++) if (outputs[j] > outputs[best]) best = j;
  return classes[best];
}

/** Features (encodeRows' result; what model.onnx takes) -> outputs per sample, flat (what model.onnx gives). */
async function predictFeatures(model, features, pre = needPreprocessing(loadPreprocessing())) {
  const xs = normalize(features, pre);
  const size = pre.input.shape.reduce((a, b) => a * b, 1);
  const flat = new Float32Array(xs.length * size);
  xs.forEach((x, i) => flat.set(x, i * size));
  const x = pre.input.dtype === 'int32' ? tf.tensor(Int32Array.from(flat), [xs.length, ...pre.input.shape], 'int32') : tf.tensor(flat, [xs.length, ...pre.input.shape]);
  const y = finish(model.predict(x), pre);
  const values = await y.data();
  tf.dispose([x, y]);
  const width = values.length / xs.length;
  return xs.map((_, i) => Array.from(values.subarray(i * width, (i + 1) * width)));
}

/** Raw rows -> one {outputs, label} per row, as Layerloom's Try it. */
async function predictRows(model, rows, pre = needPreprocessing(loadPreprocessing())) {
  const ys = await predictFeatures(model, encodeRows(rows, pre), pre);
  return ys.map((outputs) => ({ outputs, label: label(outputs, pre) }));
}

/** CSV text -> rows of strings (quotes as in RFC 4180; the delimiter , ; or tab, from the header). */
function parseCsv(text) {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const header = text.slice(0, text.search(/\\r?\\n|$/));
  const delimiter = [',', ';', '\\t'].map((d) => [d, header.split(d).length]).sort((a, b) => b[1] - a[1])[0][0];
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0].trim() === '')) rows.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"' && field.trim() === '') { field = ''; quoted = true; }
    else if (ch === delimiter) { row.push(field); field = ''; }
    else if (ch === '\\n' || ch === '\\r') { if (ch === '\\r' && text[i + 1] === '\\n') i++; endRow(); }
    else field += ch;
  }
  if (field !== '' || row.length) endRow();
  return rows;
}

/** Rows from a CSV file (header line, then one row per line) as objects, or from a JSON list. */
function readRows(file) {
  const text = fs.readFileSync(file, 'utf8');
  if (file.toLowerCase().endsWith('.json')) return JSON.parse(text);
  const [header, ...data] = parseCsv(text);
  const names = header.map((h) => h.trim());
  return data.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] ?? ''])));
}
`;
