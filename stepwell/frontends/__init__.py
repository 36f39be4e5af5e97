"""Ways into stepwell from models and Python: each a thin translation into tensor_graph."""
