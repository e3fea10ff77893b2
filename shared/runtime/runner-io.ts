/**
 * The part of the generated runner.py that talks to the app: JSON-lines events on stdout (process 0
 * only), named failures, install hints, the stop/pause control read from stdin, and safetensors
 * reading and writing. Static Python text, included by pytorch-runner.ts.
 */
export const PY_RUNNER_IO = `class Gone(Exception):
    """stdout is closed: the app (or the SSH connection) is gone."""


def emit(event):
    if RANK != 0:
        return
    try:
        sys.stdout.write(json.dumps(event, allow_nan=False) + "\\n")
        sys.stdout.flush()
    except (BrokenPipeError, OSError):
        CONTROL.gone()


class RunnerError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def install_hint(package):
    exe = sys.executable or "python3"
    line = f'"{exe}" -m pip install {package}'
    if sys.platform.startswith("linux"):
        line += f" (Debian/Ubuntu: sudo apt install python3-{package})"
    elif sys.platform == "win32":
        line = f"py -m pip install {package}"
    return line


def fail_import(package, err):
    emit({"type": "error", "runId": RUN_ID, "code": "torch",
          "message": f"{'PyTorch' if package == 'torch' else 'NumPy'} cannot be loaded by {sys.executable} ({type(err).__name__}: {err}): "
                     f"install it with {install_hint(package)}, or choose another Python in the runtime settings"})
    sys.exit(3)


class Control:
    """Stop / pause requests: stdin lines (process 0), signals, or a closed stdout."""

    def __init__(self):
        self.stop = False
        self.paused = False

    def listen(self):
        for line in sys.stdin:
            word = line.strip()
            if word == "stop":
                self.stop = True
            elif word == "pause":
                self.paused = True
            elif word == "resume":
                self.paused = False
        self.gone()

    def gone(self):
        """Nobody is listening any more: stop, and exit in 30 s if a batch hangs."""
        if self.stop and getattr(self, "_exiting", False):
            return
        self.stop, self.paused, self._exiting = True, False, True
        timer = threading.Timer(30.0, lambda: os._exit(4))
        timer.daemon = True
        timer.start()


CONTROL = Control()

try:
    import numpy as np
except Exception as e:  # ImportError, or a broken binary
    fail_import("numpy", e)
try:
    import torch
    import torch.distributed as dist
    import torch.nn.functional as F
    from torch import nn
except Exception as e:
    fail_import("torch", e)


# ---- safetensors ---------------------------------------------------------------------------------

def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        b, e = h["data_offsets"]
        dtype = {"F32": np.float32, "I64": np.int64}[h["dtype"]]
        arr = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"), count=(e - b) // np.dtype(dtype).itemsize, offset=8 + n + b)
        out[name] = torch.from_numpy(arr.reshape(h["shape"]).astype(dtype))
    return out


def write_safetensors(state, path, metadata):
    """Atomically: a temporary file renamed over the target."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in state.items():
        a = t.detach().cpu().contiguous().numpy()
        a = a.astype("<i8") if a.dtype.kind in "iu" else a.astype("<f4")
        blobs.append(a.tobytes())
        header[name] = {"dtype": "I64" if a.dtype.kind == "i" else "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(blobs[-1])]}
        offset += len(blobs[-1])
    head = json.dumps(header).encode("utf-8")
    head += b" " * ((8 - (8 + len(head)) % 8) % 8)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
`;
