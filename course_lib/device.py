r"""Where tensors live: the best device on this machine, and a check that code also runs on a GPU.

:func:`best_device` picks CUDA (an NVIDIA GPU), then MPS (an Apple GPU), then the CPU; chapters 09
and 10 move their tensors there with ``.to(device)``.

A GPU does not run everything the CPU runs. Two limits matter for a course, and
:class:`GPUDtypeCheck` finds both on a machine without a GPU, by recording every operation torch
executes (its ATen operator, e.g. ``aten::mm``, whether the code wrote ``a @ b``, ``torch.mm``,
``a.mm(b)``, ``torch.matmul``, ``einsum`` or ``F.linear``) with the dtypes of its tensors:

- **matrix products of integers or booleans** (``mm``, ``bmm``, ``mv``, ``dot``, ``addmm``, ...):
  CUDA's cuBLAS and Apple's MPS multiply floating-point matrices only, so ``torch.mm`` on two
  ``torch.randint`` tensors works on the CPU and fails on either GPU;
- **float64 on MPS**: Apple GPUs have no float64, so a float64 tensor cannot even be moved there.
"""
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

__all__ = ["best_device", "GPUDtypeCheck", "MATRIX_PRODUCTS", "gpu_problem"]

MATRIX_PRODUCTS = frozenset({"mm", "bmm", "mv", "dot", "vdot", "addmm", "addmv", "addbmm", "baddbmm",
                             "_addmm_activation"})   # the ATen operators every matrix product ends in
GPU_BACKENDS = ("cuda", "mps")


def best_device():
    """The fastest device torch can use here: ``cuda`` if present, else ``mps``, else ``cpu``."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def gpu_problem(op, input_dtypes, output_dtypes=(), backends=GPU_BACKENDS):
    """Why the ATen operator ``op`` (e.g. ``"mm"``) would fail on a GPU (a str), or None if it would not.

    Parameters
    ----------
    op : str, the operator's name without namespace or overload ("mm", "bmm", "add", ...)
    input_dtypes, output_dtypes : iterables of torch.dtype, those of its input and result tensors
    backends : the GPU back ends to check, a tuple drawn from ("cuda", "mps")

    The rules: a matrix product (:data:`MATRIX_PRODUCTS`) of integer or bool tensors fails on CUDA
    and MPS; a float64 (or complex128) result fails on MPS. A float64 *input* is allowed, so that
    ``x.float().to(device)`` of a float64 CPU tensor passes, as it does on a Mac.
    """
    if not isinstance(op, str):
        raise TypeError(f"op must be an operator name such as 'mm'; got {type(op).__name__}")
    if isinstance(backends, str) or not set(backends) <= set(GPU_BACKENDS) or not backends:
        raise ValueError(f"backends must be a non-empty tuple drawn from {GPU_BACKENDS}; got {backends!r}")
    input_dtypes, output_dtypes = tuple(input_dtypes), tuple(output_dtypes)
    if not all(isinstance(d, torch.dtype) for d in input_dtypes + output_dtypes):
        raise TypeError(f"dtypes must be torch.dtype values; got {input_dtypes + output_dtypes!r}")
    exact = [d for d in input_dtypes if not (d.is_floating_point or d.is_complex)]
    if op in MATRIX_PRODUCTS and exact:
        return f"{' and '.join(b.upper() for b in backends)} multiply floating-point matrices only, not {exact[0]}"
    if "mps" in backends and any(d in (torch.float64, torch.complex128) for d in output_dtypes):
        return "Apple GPUs (MPS) have no float64"
    return None


class GPUDtypeCheck(TorchDispatchMode):
    """Record every operation torch runs, with its dtypes, and what a GPU would refuse.

    Use it as a context manager around code that runs on the CPU::

        with GPUDtypeCheck() as ops:
            torch.mm(torch.randint(9, (2, 3)), torch.randint(9, (3, 2)))
        ops.problems   # ['mm(torch.int64, torch.int64): CUDA and MPS multiply floating-point matrices ...']

    Attributes
    ----------
    ops : list of (name, input dtypes, output dtypes), one per ATen operator executed (output
        dtypes are empty for an operation a GPU would refuse: it is recorded before it runs)
    problems : list of str, the operations that would fail on one of ``backends``
    """

    @classmethod
    def _should_skip_dynamo(cls):
        # torch wraps a mode's __torch_dispatch__ so that torch.compile skips it, and that wrapper
        # imports torch._dynamo (seconds) on the first operation; this mode never runs compiled code
        return False

    def __init__(self, backends=GPU_BACKENDS):
        super().__init__()
        gpu_problem("mm", (), (), backends)        # validates backends
        self.backends = tuple(backends)
        self.ops, self.problems = [], []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        name = func.overloadpacket.__name__
        inputs = tuple(t.dtype for t in tree_flatten((args, kwargs))[0] if isinstance(t, torch.Tensor))
        problem = gpu_problem(name, inputs, (), self.backends)
        if problem is not None:                   # recorded before it runs: the CPU may refuse it too
            self._record(name, inputs, (), problem)
            return func(*args, **kwargs)
        out = func(*args, **kwargs)
        outputs = tuple(t.dtype for t in tree_flatten(out)[0] if isinstance(t, torch.Tensor))
        self._record(name, inputs, outputs, gpu_problem(name, inputs, outputs, self.backends))
        return out

    def _record(self, name, inputs, outputs, problem):
        self.ops.append((name, inputs, outputs))
        if problem is not None:
            result = f" → {', '.join(map(str, outputs))}" if outputs else ""
            self.problems.append(f"{name}({', '.join(map(str, inputs))}){result}: {problem}")
