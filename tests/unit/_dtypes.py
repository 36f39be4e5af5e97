"""The spec's element types by name, with their numpy dtypes (as stepwell's reference
interpreter maps them), shared by the differential tests."""

import numpy as np

from stepwell.dialects.tensor_graph import types
from stepwell.reference import numpy_dtype

FLOATS = ["f16", "bf16", "f32", "f64"]
INTS = ["i8", "i32", "i64"]
NUMERIC = FLOATS + INTS
ALL = NUMERIC + ["i1"]
ELEMENT_TYPES = {name: getattr(types, name) for name in ALL}
DTYPES: dict[str, np.dtype] = {name: np.dtype(numpy_dtype(t)) for name, t in ELEMENT_TYPES.items()}
