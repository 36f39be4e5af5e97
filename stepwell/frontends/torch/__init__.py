"""PyTorch into stepwell: `torch.compile(model, backend="stepwell")` (dynamo.py) over
one table of ATen translations (aten.py)."""

from stepwell.frontends.torch.dynamo import StepwellFallbackWarning, backend

__all__ = ["StepwellFallbackWarning", "backend"]
