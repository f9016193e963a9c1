"""Run a command as if on another CPU: the float "personalities" the test suite checks the course under.

The last bits of ``exp``, ``log``, ``tanh`` and of a BLAS sum depend on the CPU: numpy picks SIMD
kernels at import (AVX-512, AVX2 or its baseline), OpenBLAS picks a kernel per CPU, torch a CPU
capability, and the number of threads changes how sums are split. A long training run amplifies those
bits, so a notebook must only claim what holds under all of them (CONTRIBUTING.md, "Claims").

A feature can be switched off, not on: on a CPU without AVX-512 the ``avx2`` personality is the machine's
own numpy, with a different OpenBLAS kernel. Outside x86-64 the variables that do not apply are ignored.

Usage::

    python tools/float_personality.py baseline -- python -m pytest notebooks/
    python tools/float_personality.py --list
    python tools/float_personality.py --show avx2      # what numpy, OpenBLAS and torch then use
"""
import argparse
import os
import subprocess
import sys

# numpy's dispatched x86-64 feature groups above its baseline (np.show_runtime() lists them)
_ABOVE_AVX2 = "X86_V4 AVX512_ICL AVX512_SPR"
_ABOVE_BASELINE = "X86_V3 " + _ABOVE_AVX2
_ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

PERSONALITIES = {
    # what most laptops of the last decade do: AVX2 kernels everywhere
    "avx2": {"NPY_DISABLE_CPU_FEATURES": _ABOVE_AVX2, "OPENBLAS_CORETYPE": "Haswell",
             "ATEN_CPU_CAPABILITY": "avx2"},
    # the oldest code paths: numpy's baseline kernels, an older BLAS kernel, torch's plain loops, one thread
    "baseline": {"NPY_DISABLE_CPU_FEATURES": _ABOVE_BASELINE, "OPENBLAS_CORETYPE": "Sandybridge",
                 "ATEN_CPU_CAPABILITY": "default", **_ONE_THREAD},
}

_REPORT = """
import json, platform
import numpy, torch
from numpy._core._multiarray_umath import __cpu_features__
from threadpoolctl import threadpool_info
blas = [i.get("architecture") for i in threadpool_info() if i.get("internal_api") == "openblas"]
groups = ["X86_V2", "X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR", "ASIMD", "SVE"]
print(json.dumps({"machine": platform.machine(),
                  "numpy_features": {g: __cpu_features__.get(g, False) for g in groups},
                  "openblas": blas, "torch": torch.backends.cpu.get_cpu_capability(),
                  "torch_threads": torch.get_num_threads()}))
"""


def environment(name, base=None):
    """The environment ``base`` (default: this process's) with personality ``name`` set."""
    if name not in PERSONALITIES:
        raise ValueError(f"personality must be one of {sorted(PERSONALITIES)}, got {name!r}")
    env = dict(os.environ if base is None else base)
    env.update(PERSONALITIES[name])
    return env


def report(name, python=sys.executable):
    """What numpy, OpenBLAS and torch use under personality ``name``, as a dict (run in a fresh process)."""
    import json

    out = subprocess.run([python, "-c", _REPORT], env=environment(name), capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("personality", nargs="?", choices=sorted(PERSONALITIES))
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    parser.add_argument("--list", action="store_true", help="list the personalities and their variables")
    parser.add_argument("--show", metavar="NAME", help="show what numpy, OpenBLAS and torch use under NAME")
    args = parser.parse_args(argv)
    if args.list:
        for name, variables in PERSONALITIES.items():
            print(name + ": " + " ".join(f'{k}="{v}"' for k, v in variables.items()))
        return 0
    if args.show:
        print(report(args.show))
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not args.personality or not command:
        parser.error("give a personality and a command, e.g. baseline -- python -m pytest notebooks/")
    return subprocess.call(command, env=environment(args.personality))


if __name__ == "__main__":
    sys.exit(main())
