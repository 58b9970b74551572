#!/usr/bin/env python3
"""Writes the layers of a synthetic many-file image: LAYERS gzip tars with FILES small files in all, spread over
nested directories, upper layers rewriting and whiting out some of the lower layers' files. Deterministic."""
import gzip, io, sys, tarfile

out_dir, total, layers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
per_layer = total // layers
for layer in range(layers):
    path = f"{out_dir}/layer{layer}.tar.gz"
    with gzip.open(path, "wb", compresslevel=1) as gz, tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = set()
        def add_dir(d):
            if d in dirs:
                return
            parent = d.rsplit("/", 1)[0] if "/" in d else None
            if parent:
                add_dir(parent)
            ti = tarfile.TarInfo(d); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; ti.mtime = 0
            tar.addfile(ti); dirs.add(d)
        for i in range(per_layer):
            d = f"data/l{layer}/d{i % 997:03d}/e{(i // 997) % 31:02d}"
            add_dir(d)
            body = f"layer {layer} file {i}\n".encode() * (1 + i % 7)
            ti = tarfile.TarInfo(f"{d}/f{i}.txt"); ti.size = len(body); ti.mode = 0o644; ti.mtime = 0
            tar.addfile(ti, io.BytesIO(body))
        if layer > 0:
            # delete a few hundred directories of the layer below and rewrite some of its files
            for j in range(0, 997, 5):
                add_dir(f"data/l{layer - 1}/d{j:03d}")
                ti = tarfile.TarInfo(f"data/l{layer - 1}/d{j:03d}/.wh.e00"); ti.size = 0; ti.mtime = 0
                tar.addfile(ti, io.BytesIO(b""))
    print(path)
