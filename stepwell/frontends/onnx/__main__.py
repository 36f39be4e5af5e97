"""`python -m stepwell.frontends.onnx` is `stepwell-import-onnx`."""

import sys

from stepwell.frontends.onnx.cli import main

sys.exit(main())
