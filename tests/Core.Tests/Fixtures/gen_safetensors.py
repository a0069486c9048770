"""A safetensors reference file built by hand from the format specification, with PyTorch values.

The safetensors Python package is not available here, so this script writes the file the way the
reference implementation (safetensors 0.4, `safetensors.torch.save_file`) lays it out:
  * 8 bytes: little-endian u64 N, the length of the JSON header;
  * N bytes: compact JSON (no spaces) with "__metadata__" first, then the tensors ordered by
    element size (widest first) and then by name, each {"dtype", "shape", "data_offsets"};
    padded with spaces so that the data starts at a multiple of 8;
  * the tensors' raw little-endian bytes, back to back in that order.
It also writes safetensors_reference.json with the expected names, dtypes, shapes and values.

Run with Debian's interpreter from this folder: /usr/bin/python3 gen_safetensors.py
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
g = torch.Generator().manual_seed(3)

tensors = {
    "layer.0.weight": torch.randn(3, 4, generator=g, dtype=torch.float32),
    "layer.0.bias": torch.randn(4, generator=g, dtype=torch.float64),
    "step": torch.tensor(1234567890123, dtype=torch.int64),
    "labels": torch.tensor([[0, -1, 2], [3, 4, -5]], dtype=torch.int32),
    "mask": torch.tensor([True, False, True, True, False]),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
}
metadata = {"epoch": "7", "format": "pt"}  # sorted keys, as Functional writes them

CODES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.int64: "I64", torch.bool: "BOOL"}
NAMES = {torch.float32: "Float32", torch.float64: "Float64", torch.int32: "Int32", torch.int64: "Int64",
         torch.bool: "Bool"}

order = sorted(tensors, key=lambda n: (-tensors[n].element_size(), n))
header = {"__metadata__": metadata}
offset = 0
chunks = []
for name in order:
    t = tensors[name].contiguous()
    data = t.numpy().tobytes()
    header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
    chunks.append(data)

text = json.dumps(header, separators=(",", ":")).encode("utf-8")
text += b" " * ((8 - len(text) % 8) % 8)
with open(os.path.join(HERE, "reference.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for c in chunks:
        f.write(c)

expected = {
    "metadata": metadata,
    "order": order,
    "tensors": {
        name: {
            "dtype": NAMES[t.dtype],
            "shape": list(t.shape),
            "data": [float(v) for v in t.reshape(-1).tolist()],
        }
        for name, t in tensors.items()
    },
}
with open(os.path.join(HERE, "safetensors_reference.json"), "w") as f:
    json.dump(expected, f, indent=1)
