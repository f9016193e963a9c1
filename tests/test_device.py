"""Tests of course_lib/device.py, and of chapters 09 and 10 against the limits of GPUs.

CI has no GPU, so chapters 09 and 10 are checked on the CPU: their code cells run in order in one
namespace, and the cells tagged "device" (those that compute on ``best_device()``) run under
``GPUDtypeCheck``, which records every ATen operation with its dtypes and lists those that CUDA or
MPS refuses (integer matrix products, float64 on Apple GPUs).
"""
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch
import torch.nn.functional as F

import course_lib.device as device_module
from course_lib.device import MATRIX_PRODUCTS, GPUDtypeCheck, best_device, gpu_problem

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
DEVICE_CHAPTERS = ["09_pytorch_tensors.ipynb", "10_autograd.ipynb"]


# --- best_device ------------------------------------------------------------------------------

def test_best_device_prefers_cuda_then_mps_then_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert best_device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert best_device() == torch.device("mps")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert best_device() == torch.device("cuda")


def test_best_device_is_a_device_torch_can_use_here():
    device = best_device()
    assert isinstance(device, torch.device)
    assert torch.ones(2, device=device).sum().item() == 2.0


# --- gpu_problem and GPUDtypeCheck ------------------------------------------------------------

def operands(dtype):
    """Whole-number matrices, batches and a vector of ``dtype``, for every form of matrix product."""
    g = torch.Generator().manual_seed(0)
    draw = lambda *shape: torch.randint(5, shape, generator=g).to(dtype)   # noqa: E731
    return {"a": draw(2, 3), "b": draw(3, 4), "A": draw(2, 2, 3), "B": draw(2, 3, 4), "v": draw(3), "c": draw(2, 4)}


# every way of writing a matrix product that the chapters (or a student) might use
PRODUCTS = {
    "a @ b": lambda t: t["a"] @ t["b"],
    "torch.mm": lambda t: torch.mm(t["a"], t["b"]),
    "Tensor.mm": lambda t: t["a"].mm(t["b"]),
    "torch.bmm": lambda t: torch.bmm(t["A"], t["B"]),
    "batched @": lambda t: t["A"] @ t["B"],
    "torch.mv": lambda t: torch.mv(t["a"], t["v"]),
    "torch.dot": lambda t: torch.dot(t["v"], t["v"]),
    "torch.matmul": lambda t: torch.matmul(t["a"], t["b"]),
    "torch.addmm": lambda t: torch.addmm(t["c"], t["a"], t["b"]),
    "torch.einsum": lambda t: torch.einsum("ij,jk->ik", t["a"], t["b"]),
    "F.linear": lambda t: F.linear(t["a"], t["b"].t()),
    "torch.tensordot": lambda t: torch.tensordot(t["a"], t["b"], dims=1),
}


@pytest.mark.parametrize("how", PRODUCTS)
@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.uint8])
def test_check_flags_every_form_of_integer_matrix_product(how, dtype):
    tensors = operands(dtype)
    with GPUDtypeCheck() as check:
        PRODUCTS[how](tensors)
    assert len(check.problems) == 1, check.problems
    assert "multiply floating-point matrices only" in check.problems[0] and str(dtype) in check.problems[0]


@pytest.mark.parametrize("how", PRODUCTS)
def test_check_accepts_the_same_products_in_float32(how):
    tensors = operands(torch.float32)
    with GPUDtypeCheck() as check:
        PRODUCTS[how](tensors)
    assert check.problems == []
    assert any(name in MATRIX_PRODUCTS for name, _, _ in check.ops)


def test_check_records_every_operation_with_its_dtypes():
    with GPUDtypeCheck() as check:
        a = torch.ones(2, 3)
        (a * 2).sum()
    names = [name for name, _, _ in check.ops]
    assert names == ["ones", "mul", "sum"]
    assert check.ops[1] == ("mul", (torch.float32,), (torch.float32,))


def test_check_flags_boolean_matrix_products_even_where_the_cpu_refuses_them_too():
    mask = torch.ones(2, 2, dtype=torch.bool)
    with GPUDtypeCheck() as check:
        try:
            torch.mm(mask, mask)
        except RuntimeError:
            pass                                  # the CPU has no boolean mm either
    assert len(check.problems) == 1 and "torch.bool" in check.problems[0]


def test_check_flags_float64_results_for_apple_gpus_only():
    data = torch.arange(4.0)
    with GPUDtypeCheck() as both:
        data.double() * 2
    with GPUDtypeCheck(backends=("cuda",)) as cuda_only:
        data.double() * 2
    assert len(both.problems) == 2 and all("no float64" in p for p in both.problems)
    assert cuda_only.problems == []


def test_check_allows_converting_float64_to_float32():
    data = torch.zeros(3, dtype=torch.float64)      # made outside the check, as numpy data would be
    with GPUDtypeCheck() as check:
        data.float() + 1
    assert check.problems == []


def test_check_sees_the_backward_pass():
    w = torch.ones(3, 2, requires_grad=True)
    with GPUDtypeCheck() as check:
        (torch.ones(4, 3) @ w).sum().backward()
    assert [name for name, _, _ in check.ops].count("mm") == 2      # forward, and ∂L/∂w = xᵀ·dout


def test_check_does_not_import_torch_dynamo():
    # chapter 09 avoids torch._dynamo, whose import takes seconds; a dispatch mode would import it
    # on its first operation unless it opts out of dynamo's wrapper
    code = ("import sys, torch\nfrom course_lib.device import GPUDtypeCheck\n"
            "with GPUDtypeCheck() as check:\n    torch.ones(2) @ torch.ones(2)\n"
            "assert check.ops and 'torch._dynamo' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_gpu_problem_rules():
    assert gpu_problem("mm", [torch.int32, torch.int32]).startswith("CUDA and MPS")
    assert gpu_problem("mm", [torch.float16, torch.float16]) is None
    assert gpu_problem("add", [torch.int64, torch.int64], [torch.int64]) is None
    assert gpu_problem("add", [torch.float64], [torch.float64]) == "Apple GPUs (MPS) have no float64"
    assert gpu_problem("add", [torch.float64], [torch.float64], backends=("cuda",)) is None
    assert gpu_problem("mm", [torch.int64], backends=("mps",)).startswith("MPS multiply")


@pytest.mark.parametrize("bad", ["cuda", ("tpu",), ()])
def test_gpu_problem_rejects_unknown_backends(bad):
    with pytest.raises(ValueError, match="backends"):
        gpu_problem("mm", [torch.float32], backends=bad)
    with pytest.raises(ValueError, match="backends"):
        GPUDtypeCheck(backends=bad)


def test_gpu_problem_rejects_bad_arguments():
    with pytest.raises(TypeError, match="op"):
        gpu_problem(torch.mm, [torch.float32])
    with pytest.raises(TypeError, match="dtype"):
        gpu_problem("mm", ["float32"])


def test_module_lists_its_public_names():
    assert set(device_module.__all__) == {"best_device", "GPUDtypeCheck", "MATRIX_PRODUCTS", "gpu_problem"}


# --- chapters 09 and 10 -----------------------------------------------------------------------

def code_cells(name):
    nb = json.loads((NOTEBOOKS / name).read_text())
    return [(cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"]),
             "device" in cell["metadata"].get("tags", []))
            for cell in nb["cells"] if cell["cell_type"] == "code"]


@pytest.mark.parametrize("name", DEVICE_CHAPTERS)
def test_every_cell_that_uses_the_device_is_tagged_device(name):
    cells = code_cells(name)
    untagged = [source.splitlines()[0] for source, tagged in cells if re.search(r"\bdevice\b", source) and not tagged]
    assert untagged == [], f"cells that name `device` but are not tagged 'device': {untagged}"
    assert sum(tagged for _, tagged in cells) >= 3


def run_chapter(name, monkeypatch):
    """Execute the chapter's code cells in order; the device cells under GPUDtypeCheck. Returns the checks."""
    monkeypatch.chdir(NOTEBOOKS)
    namespace, checks = {"__name__": "__main__"}, []
    threads = torch.get_num_threads()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for index, (source, tagged) in enumerate(code_cells(name)):
                code = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
                compiled = compile(code, f"<{name} code cell {index}>", "exec")
                if tagged:
                    with GPUDtypeCheck() as check:
                        exec(compiled, namespace)
                    checks.append((source.splitlines()[0], check))
                else:
                    exec(compiled, namespace)
                plt.close("all")
    finally:
        torch.set_num_threads(threads)
    return checks


@pytest.mark.parametrize("name", DEVICE_CHAPTERS)
def test_device_cells_use_only_what_cuda_and_apple_gpus_support(name, monkeypatch):
    checks = run_chapter(name, monkeypatch)
    problems = [f"{first_line}: {problem}" for first_line, check in checks for problem in check.problems]
    assert problems == []
    recorded = {op for _, check in checks for op, _, _ in check.ops}
    assert recorded & MATRIX_PRODUCTS, "the device cells ran no matrix product: is the check recording?"
