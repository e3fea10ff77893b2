/**
 * The Python side of the preprocessing contract (table.ts), shared by the PyTorch and Keras
 * model.py: encode_rows → normalize → the model → finish, reading preprocessing.json beside the
 * file, and `python model.py rows.csv`. Only the model call differs per framework.
 */
import { PREPROCESSING_FILE } from './table';

/** How each framework runs its model on a numpy batch (the model input) and gives a numpy array back. */
export const PYTHON_MODEL_CALL = {
  torch: `def _run_model(model, x):
    """The model on a numpy batch of model input; its (first) output as numpy."""
    dtype = torch.long if next(iter(INPUTS.values()))[1] == 'int32' else torch.float32
    with torch.no_grad():
        y = model(torch.as_tensor(np.asarray(x), dtype=dtype))
    return (y[0] if isinstance(y, tuple) else y).numpy()`,
  keras: `def _run_model(model, x):
    """The model on a numpy batch of model input; its (first) output as numpy."""
    y = model.predict(np.asarray(x), verbose=0)
    return np.asarray(y[0] if isinstance(y, (list, tuple)) else y)`,
} as const;

export type PythonFramework = keyof typeof PYTHON_MODEL_CALL;

/** The preprocessing functions of model.py (after load_model; model.py imports csv, json, os, re, sys and numpy as np). */
export function pythonPreprocessing(framework: PythonFramework): string {
  return `# Raw rows -> predictions, as Layerloom's Try it: encode_rows -> normalize -> the model -> finish.
# The table is ${PREPROCESSING_FILE} beside this file (the same in every Layerloom export).
_NUMBER = re.compile(r'^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$')


def load_preprocessing(path=None):
    """${PREPROCESSING_FILE}: the input columns, the normalisation and what is applied to the output."""
    path = path or os.path.join(os.path.dirname(os.path.abspath(__file__)), '${PREPROCESSING_FILE}')
    if not os.path.exists(path):
        raise FileNotFoundError(f'{path} is missing: this model was exported without a dataset, so there is no '
                                'preprocessing to apply; call the model on its input tensor directly')
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def encode_rows(rows, pre=None):
    """Raw rows -> features, a numpy array [n, ...].

    Table data: each row is a dict {column: value as written in the CSV} (other keys are ignored) or a
    list in the columns' order; numbers stay as they are and each categorical column becomes one 0/1
    value per category, in the table's order. Other data: each row is one raw sample (image pixels
    0..255 channels-last, RGB or grayscale; token ids), nested or flat, passed through.
    """
    pre = pre or load_preprocessing()
    cols = pre['columns']
    if cols is None:
        shape = tuple(pre['input']['shape'])
        x = np.asarray(rows, dtype=np.int64 if pre['input']['dtype'] == 'int32' else np.float32)
        if x.ndim == 0 or x[0].size != int(np.prod(shape)):
            raise ValueError(f'each sample must have shape {list(shape)} (or be flat, {int(np.prod(shape))} values), got {list(x.shape[1:])}')
        return x.reshape((len(x),) + shape)
    names = ', '.join(c['name'] for c in cols)
    out = np.zeros((len(rows), len(pre['features'])), dtype=np.float32)
    for r, row in enumerate(rows):
        if not isinstance(row, dict):
            row = list(row)
            if len(row) != len(cols):
                raise ValueError(f'row {r + 1}: {len(row)} values, but the model takes {len(cols)} columns: {names}')
            row = {c['name']: v for c, v in zip(cols, row)}
        o = 0
        for c in cols:
            if c['name'] not in row:
                raise ValueError(f"row {r + 1}: no column {c['name']!r} (the model takes {names})")
            v = row[c['name']]
            text = '' if v is None else str(v).strip()
            if c['kind'] == 'numeric':
                if not _NUMBER.match(text):
                    raise ValueError(f"row {r + 1}, column {c['name']!r}: {text!r} is not a number")
                out[r, o] = float(text)
                o += 1
            else:
                cats = c['categories']
                if text not in cats:
                    raise ValueError(f"row {r + 1}, column {c['name']!r}: {text!r} is not one of the categories "
                                     f"the model was trained on ({', '.join(map(repr, cats))})")
                out[r, o + cats.index(text)] = 1
                o += len(cats)
    return out


def normalize(x, pre=None):
    """Features -> model input: (x - offset[g]) * scale[g], g = element index % groups within a sample."""
    pre = pre or load_preprocessing()
    n = pre['normalization']
    x = np.asarray(x)
    if n['mode'] == 'none':
        return x
    flat = x.astype(np.float64).reshape(len(x), -1)
    g = np.arange(flat.shape[1]) % n['groups']
    offset = np.asarray(n['offset'], dtype=np.float64)
    scale = np.asarray(n['scale'], dtype=np.float64)
    if len(offset) > 1:
        offset = offset[g]
    if len(scale) > 1:
        scale = scale[g]
    return ((flat - offset) * scale).astype(np.float32).reshape(x.shape)


def finish(y, pre=None):
    """The model's output -> outputs as Layerloom shows them (softmax/sigmoid when the model gives logits)."""
    pre = pre or load_preprocessing()
    y = np.asarray(y, dtype=np.float64)
    act = pre['output']['activation']
    if act == 'softmax':
        e = np.exp(y - y.max(axis=-1, keepdims=True))
        y = e / e.sum(axis=-1, keepdims=True)
    elif act == 'sigmoid':
        y = 1 / (1 + np.exp(-y))
    return y.astype(np.float32)


def label(outputs, pre=None):
    """The class name for one sample's outputs (None for regression)."""
    pre = pre or load_preprocessing()
    classes = pre['output']['classes']
    if not classes:
        return None
    p = np.asarray(outputs).reshape(-1)
    return classes[(1 if p[0] > 0.5 else 0) if len(p) == 1 else int(np.argmax(p))]


${PYTHON_MODEL_CALL[framework]}


def predict_features(model, x, pre=None):
    """Features (encode_rows' result; what model.onnx takes) -> outputs (what model.onnx gives)."""
    pre = pre or load_preprocessing()
    return finish(_run_model(model, normalize(x, pre)), pre)


def predict_rows(model, rows, pre=None):
    """Raw rows -> one {'outputs': [...], 'label': class name or None} per row, as Layerloom's Try it."""
    pre = pre or load_preprocessing()
    ys = predict_features(model, encode_rows(rows, pre), pre).reshape(len(rows), -1)
    return [{'outputs': [float(v) for v in y], 'label': label(y, pre)} for y in ys]


def read_rows(path):
    """Rows from a CSV file (header line, then one row per line; , ; or tab) or a JSON list."""
    if path.lower().endswith('.json'):
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    with open(path, newline='', encoding='utf-8-sig') as f:
        text = f.read()
    header = text.split('\\n', 1)[0]
    delimiter = max([',', ';', '\\t'], key=lambda d: len(header.split(d)))
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    return [{k.strip(): v for k, v in row.items()} for row in reader if any((v or '').strip() for v in row.values())]
`;
}

/** The `python model.py rows.csv` branch of model.py's __main__ (indented into it). */
export const PYTHON_PREDICT_MAIN = `if len(sys.argv) > 1:  # python model.py rows.csv|rows.json: one JSON line per row
        model = load_model()
        for p in predict_rows(model, read_rows(sys.argv[1])):
            print(json.dumps(p))
        sys.exit(0)`;
