"""tinyllm's malloc settings (tinyllm/_malloc.py): applied on glibc, and they do their job."""

import os
import subprocess
import sys

import pytest

CHILD = r"""
import resource, numpy as np
import tinyllm._malloc as M
applied = M.applied
def step():                                  # like a training step: a graph's worth of
    keep = [np.ones(393_216, np.float32) for _ in range(20)]   # 1.5 MiB activations,
    del keep                                 # all freed together at the end
step()
f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0)
"""


def _run(env_value):
    env = dict(os.environ, TINYLLM_MALLOC_TUNING=env_value)
    out = subprocess.run([sys.executable, "-c", "import tinyllm\n" + CHILD], env=env,
                         capture_output=True, text=True, check=True).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc mallopt only")
def test_reused_memory_does_not_page_fault_and_can_be_turned_off():
    applied, faults = _run("1")
    if not applied:
        pytest.skip("no glibc mallopt here")
    # 10 steps × 20 arrays × 384 pages = 76,800 first touches if nothing is reused
    assert faults < 2_000, faults
    applied_off, faults_off = _run("0")
    assert not applied_off
    assert faults_off > 20_000, faults_off   # glibc's defaults give the memory back
