"""Shared settings for the Numba twins.

FASTMATH allows re-association of sums, which lets LLVM vectorise sums (a row sum
becomes 8 partial sums in one AVX register). FASTMATH_FMA adds contraction of a·b + c
into one fused multiply-add (one rounding instead of two, and twice the multiply-add
throughput), for the kernels whose inner loops are products and polynomials (attention,
GELU, softmax, LSTM cells, Adam). Layer norm stays without it: there x − μ and
g − mean(g) must cancel exactly (a contracted g·w − m keeps the unrounded product and
leaves a ~1e-14 residue where the answer is 0). Neither allows the unsafe flags (no
"no-NaN"/"no-inf" assumptions: masks use −inf and NaN must still propagate).
"""

import numpy as np

FASTMATH = {"reassoc"}
FASTMATH_FMA = {"reassoc", "contract"}

# Options of every compiled kernel. error_model="numpy": x/0 gives ±inf/NaN as in NumPy
# instead of Python's ZeroDivisionError. The Python model puts a test and a call to
# raise into every division, and that alone stops LLVM from vectorising the loop
# (measured: 1/(1 + e) over 393,216 float32 values, 1.54 ms → 0.30 ms).
JIT_OPTIONS = dict(cache=True, fastmath=FASTMATH, error_model="numpy")
JIT_OPTIONS_FMA = dict(JIT_OPTIONS, fastmath=FASTMATH_FMA)


def as_c(x: np.ndarray) -> np.ndarray:
    """C-contiguous view or copy: each kernel is compiled for one memory layout only."""
    return np.ascontiguousarray(x)


def rows2d(x: np.ndarray) -> np.ndarray:
    """View (…, D) as contiguous (N, D) rows."""
    return np.ascontiguousarray(x).reshape(-1, x.shape[-1])


# Below this many elements of work, one thread is faster: starting a parallel region
# costs tens of microseconds on an idle machine and whole scheduler time slices (ms)
# when the cores are busy, e.g. with BLAS threads still spinning after a matmul.
# Measured on the GPT quick-start step (2 cores, idle): 2^16 → 93 ms, 2^20 → 79 ms,
# everything serial → 75 ms; 2^20 keeps the big kernels (a 4096×8192 cross-entropy,
# AdamW over millions of weights) parallel.
PARALLEL_MIN_WORK = 1 << 20


class SizeDispatched:
    """One loop nest compiled twice — serial and ``prange``-parallel — and the call picks
    by the size of the array at position ``work_arg``.

    ``prange`` in a function compiled without ``parallel=True`` is a plain ``range``, so
    both twins run the same code. The serial twin is a renamed copy of the function, so
    Numba's on-disk cache keeps the two compilations apart.
    """

    def __init__(self, fn, work_arg: int = 0, fma: bool = False):
        import types

        from numba import njit

        serial_fn = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__ + "_serial",
                                       fn.__defaults__, fn.__closure__)
        serial_fn.__qualname__ = fn.__qualname__ + "_serial"
        serial_fn.__module__ = fn.__module__
        options = JIT_OPTIONS_FMA if fma else JIT_OPTIONS
        self.serial = njit(**options)(serial_fn)
        self.parallel = njit(parallel=True, **options)(fn)
        self.work_arg = work_arg
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __call__(self, *args):
        big = args[self.work_arg].size >= PARALLEL_MIN_WORK
        return (self.parallel if big else self.serial)(*args)


def size_dispatched(fn=None, *, work_arg: int = 0, fma: bool = False):
    """Decorator form of :class:`SizeDispatched` (``fma=True``: compile with FASTMATH_FMA)."""
    if fn is None:
        return lambda f: SizeDispatched(f, work_arg, fma)
    return SizeDispatched(fn, work_arg, fma)
