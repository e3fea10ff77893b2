"""Build assets/datasets/bible-kjv.txt.gz: the King James Version of the Bible (public domain), one
verse per line in canonical order (Genesis 1:1 to Revelation 22:21), the verse references removed.

Debian's bible-kjv-text package stores the text in the Bible Retrieval System's own compressed form
(/usr/lib/bible.data), which only its `bible` program (package bible-kjv) reads; this script asks
that program for the whole text and keeps the words:
  apt-get install -y bible-kjv && /usr/bin/python3 bible_kjv.py
(or point BIBLE_DIR at a folder where both .deb files were unpacked with `dpkg-deb -x`).
"""
import gzip
import os
import re
import subprocess

root = os.environ.get("BIBLE_DIR", "/")
program = os.path.join(root, "usr/bin/bible")
data = os.path.join(root, "usr/lib")
# -f turns pretty-printing off: one verse per line, each preceded by its reference ("Ge1:1 In the ...").
raw = subprocess.run([program, "-f", "-p", data, "Gen1:1-Rev22:21"], check=True, capture_output=True, text=True).stdout
ref = re.compile(r"^[0-9]?[A-Za-z]+[0-9]+:[0-9]+ ")
lines = raw.splitlines()
assert len(lines) == 31102, len(lines)  # the verses of the KJV
assert all(ref.match(line) for line in lines)
text = "".join(ref.sub("", line) + "\n" for line in lines)
assert text.isascii()
here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "..", "bible-kjv.txt.gz"), "wb") as f:
    # mtime 0 and no file name: the same input gives the same bytes.
    with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0, filename="") as g:
        g.write(text.encode("ascii"))
print(f"{len(lines)} verses, {len(text)} characters")
