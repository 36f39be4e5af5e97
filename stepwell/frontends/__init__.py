"""Ways into stepwell from other tools: each a thin translation into `tensor_graph`."""
