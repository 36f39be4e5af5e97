"""stepwell's command-line tools: `stepwell-opt` (opt.py) and `stepwell-run` (run.py)."""
