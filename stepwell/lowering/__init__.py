"""Passes that go down a level: `tensor_graph_to_loops` (convert-tensor_graph-to-loops),
and later loops -> gpu_block, loops -> llvm, gpu_block -> nvvm."""
