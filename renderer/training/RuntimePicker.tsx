/**
 * Where Train computes: "This app" (the engine) or "PyTorch" (docs/runtimes.md), with PyTorch's
 * options: the Python interpreter (empty: detected; "Check" reports its PyTorch or the install
 * line), the device, processes per machine, and where (this computer or a saved remote host with
 * its folder). Machine settings: saved in the app's settings file, never in the .loom document.
 */
import { useEffect, useState } from 'react';
import { RemoteDirSchema, SshHostSchema, type RuntimeCheck, type RuntimeSettings } from '../../shared/runtime/options';
import { useEditor } from '../store';

const DEVICES = ['auto', 'cpu', 'cuda', 'mps'];
const THIS_COMPUTER = '';
const ADD_HOST = '+add';

function CheckResult({ result }: { result: RuntimeCheck }) {
  return (
    <div className={result.ok ? 'll-runtime-ok' : 'll-error'} role="status" data-testid="runtime-check">
      {result.message}
      {result.install && <div>Install: <code data-testid="runtime-install">{result.install}</code></div>}
    </div>
  );
}

/** The form that saves a remote host: user@host[:port] and its working folder, checked as the run will check them. */
function AddHost({ onAdd, onCancel }: { onAdd(host: string, dir: string): void; onCancel(): void }) {
  const [host, setHost] = useState('');
  const [dir, setDir] = useState('.layerloom/runs');
  const [error, setError] = useState<string | null>(null);
  const add = () => {
    const h = SshHostSchema.safeParse(host.trim());
    const d = RemoteDirSchema.safeParse(dir.trim());
    if (!h.success) return setError(h.error.issues[0]!.message);
    if (!d.success) return setError(d.error.issues[0]!.message);
    onAdd(h.data, dir.trim());
  };
  return (
    <div className="ll-runtime-host" data-testid="runtime-add-host">
      <div className="ll-field">
        <label htmlFor="rt-host">user@host</label>
        <input id="rt-host" value={host} placeholder="me@gpu-server" onChange={(e) => setHost(e.target.value)} aria-invalid={!!error} />
      </div>
      <div className="ll-field">
        <label htmlFor="rt-dir">remote folder</label>
        <input id="rt-dir" value={dir} onChange={(e) => setDir(e.target.value)} />
      </div>
      {error && <span className="field-error" role="alert">{error}</span>}
      <p className="muted">Key login only, and the host key must already be known (connect once with ssh in a terminal): an unknown key is refused.</p>
      <button type="button" onClick={add}>Save host</button> <button type="button" onClick={onCancel}>Cancel</button>
    </div>
  );
}

function PytorchOptions({ rt, save }: { rt: RuntimeSettings; save(next: RuntimeSettings): void }) {
  const [python, setPython] = useState(rt.python);
  const [adding, setAdding] = useState(false);
  const [check, setCheck] = useState<RuntimeCheck | 'checking' | null>(null);
  const remote = rt.where !== null;
  const runCheck = async () => {
    setCheck('checking');
    setCheck(await useEditor.getState().checkRuntime({ ...rt, python }));
  };
  return (
    <>
      <div className="ll-field">
        <label htmlFor="rt-where">where</label>
        <select id="rt-where" value={adding ? ADD_HOST : rt.where ?? THIS_COMPUTER}
          onChange={(e) => {
            setCheck(null);
            if (e.target.value === ADD_HOST) return setAdding(true);
            setAdding(false);
            save({ ...rt, where: e.target.value === THIS_COMPUTER ? null : e.target.value });
          }}>
          <option value={THIS_COMPUTER}>This computer</option>
          {rt.hosts.map((h) => <option key={h.host} value={h.host}>{h.host} ({h.dir})</option>)}
          <option value={ADD_HOST}>Add a remote host…</option>
        </select>
        {remote && !adding && (
          <button type="button" className="link" onClick={() => save({ ...rt, where: null, hosts: rt.hosts.filter((h) => h.host !== rt.where) })}>Forget this host</button>
        )}
      </div>
      {adding && (
        <AddHost onCancel={() => setAdding(false)} onAdd={(host, dir) => {
          setAdding(false);
          save({ ...rt, where: host, hosts: [...rt.hosts.filter((h) => h.host !== host), { host, dir: RemoteDirSchema.parse(dir), keep: false }] });
        }} />
      )}
      {!remote && (
        <div className="ll-field">
          <label htmlFor="rt-python">Python</label>
          <input id="rt-python" value={python} placeholder="detect automatically" data-testid="runtime-python"
            onChange={(e) => setPython(e.target.value)} onBlur={() => python !== rt.python && save({ ...rt, python })} />
        </div>
      )}
      <div className="ll-field">
        <label htmlFor="rt-device">device</label>
        <select id="rt-device" value={rt.device} onChange={(e) => save({ ...rt, device: e.target.value })} data-testid="runtime-device">
          {[...new Set([...DEVICES, rt.device])].map((d) => <option key={d} value={d}>{d}</option>)}
        </select>
      </div>
      <div className="ll-field">
        <label htmlFor="rt-processes">processes</label>
        <select id="rt-processes" value={rt.processes} onChange={(e) => save({ ...rt, processes: Number(e.target.value) })} data-testid="runtime-processes">
          {[...new Set([1, 2, 4, 8, rt.processes])].map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
      </div>
      <div className="ll-field">
        <button type="button" onClick={() => void runCheck()} disabled={check === 'checking'} data-testid="runtime-check-button">
          {check === 'checking' ? 'Checking…' : 'Check'}
        </button>
      </div>
      {check && check !== 'checking' && <CheckResult result={check} />}
    </>
  );
}

export function RuntimePicker({ disabled }: { disabled?: boolean }) {
  const rt = useEditor((s) => s.runtime);
  useEffect(() => {
    void useEditor.getState().loadRuntime();
  }, []);
  const save = (next: RuntimeSettings) => void useEditor.getState().setRuntime(next);
  return (
    <fieldset className="ll-runtime" disabled={disabled} aria-label="Runtime" data-testid="runtime-picker">
      <legend>Runtime</legend>
      <div className="ll-runtime-choice" role="radiogroup" aria-label="Train with">
        <label className="ll-check">
          <input type="radio" name="runtime" checked={rt.choice === 'app'} onChange={() => save({ ...rt, choice: 'app' })} data-testid="runtime-app" />
          This app
        </label>
        <label className="ll-check">
          <input type="radio" name="runtime" checked={rt.choice === 'pytorch'} onChange={() => save({ ...rt, choice: 'pytorch' })} data-testid="runtime-pytorch" />
          PyTorch
        </label>
      </div>
      {rt.choice === 'pytorch' && <PytorchOptions rt={rt} save={save} />}
    </fieldset>
  );
}
