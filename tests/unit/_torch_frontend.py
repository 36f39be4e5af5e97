"""Shared by the torch frontend tests: the backend under its name, and the models."""

import itertools

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import stepwell.frontends.torch as stepwell_torch

GPU = torch.cuda.is_available()
GPU_TARGETS = [pytest.param(t, marks=[pytest.mark.gpu, pytest.mark.skipif(not GPU, reason="needs a CUDA GPU")])
               for t in ("triton", "ptx")]  # fmt: skip
TOLERANCE = {"rtol": 1e-4, "atol": 2e-5}
"""How close every door's output must be to eager PyTorch's."""


def use_stepwell_backend() -> str:
    """`backend="stepwell"`: from the entry point once the package is installed with
    it; registered here when the installed metadata predates it (an editable install
    made before the entry point was declared)."""
    import torch._dynamo

    if "stepwell" not in torch._dynamo.list_backends(exclude_tags=()):
        torch._dynamo.register_backend(stepwell_torch.backend, name="stepwell")
    return "stepwell"


class DecoderBlock(nn.Module):
    """A GPT-2 decoder block: token and position embeddings, pre-norm causal
    self-attention and a GELU MLP, each with a residual."""

    def __init__(self, vocab=64, dim=32, heads=4, context=8):
        super().__init__()
        self.heads = heads
        self.wte, self.wpe = nn.Embedding(vocab, dim), nn.Parameter(torch.randn(context, dim) * 0.1)
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.fc, self.out = nn.Linear(dim, 4 * dim), nn.Linear(4 * dim, dim)
        self.register_buffer("causal", torch.tril(torch.ones(context, context, dtype=torch.bool)))
        for norm in (self.ln1, self.ln2):  # not the trivial 1 and 0
            nn.init.normal_(norm.weight, mean=1.0, std=0.1)
            nn.init.normal_(norm.bias, std=0.1)

    def forward(self, idx):
        batch, t = idx.shape
        x = self.wte(idx) + self.wpe[:t]
        q, k, v = self.qkv(self.ln1(x)).split(x.shape[-1], dim=-1)
        q, k, v = (z.view(batch, t, self.heads, -1).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) * q.shape[-1] ** -0.5
        scores = scores.masked_fill(~self.causal[:t, :t], float("-inf")).softmax(-1)
        y = (scores @ v).transpose(1, 2).reshape(batch, t, -1)
        x = x + self.proj(y)
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class MLP(nn.Module):
    def __init__(self, sizes=(16, 64, 64, 8)):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return torch.tanh(self.layers[-1](x))


def models() -> dict[str, tuple[nn.Module, torch.Tensor]]:
    """The model tests' models (in eval mode, seeded) and an input for each."""
    torch.manual_seed(0)
    block, mlp = DecoderBlock().eval(), MLP().eval()
    return {
        "decoder_block": (block, torch.randint(0, 64, (2, 8))),
        "mlp": (mlp, torch.randn(4, 16)),
    }


def readme_python(title: str) -> list[str]:
    """The python blocks of the README section `## {title}`."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    start = readme.index(f"## {title}\n")
    end = readme.find("\n## ", start + 1)
    return re.findall(r"```python\n(.*?)```", readme[start:end], flags=re.S)
