"""Shared helper for the dataset build scripts: writes <name>.bin.gz (x uint8 bytes, then y uint8 bytes)
and <name>.json (metadata). Run the build scripts with /usr/bin/python3 (Debian's, with numpy)."""
import gzip, json, os
import numpy as np

OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(name, x, y, meta):
    x = np.ascontiguousarray(x, dtype=np.uint8)
    y = np.ascontiguousarray(y, dtype=np.uint8)
    assert x.shape[0] == y.shape[0]
    meta = dict(meta)
    meta.update({"count": int(x.shape[0]), "sampleShape": list(x.shape[1:]), "file": name + ".bin.gz", "format": "x uint8 row-major, then y uint8 (one class id per sample)"})
    # mtime=0 keeps the gzip bytes reproducible
    with open(os.path.join(OUT, name + ".bin.gz"), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as f:
            f.write(x.tobytes())
            f.write(y.tobytes())
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(name, x.shape, np.bincount(y), os.path.getsize(os.path.join(OUT, name + ".bin.gz")), "bytes")
