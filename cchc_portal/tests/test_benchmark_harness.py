"""benchmarks/national.py does not run in CI (a benchmark, minutes long, on the
national dataset); these keep it from rotting: it imports, parses its
options, and its table, medians and /proc readings work. No database."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_help_lists_the_options():
    out = subprocess.run([sys.executable, str(BENCHMARKS / "national.py"), "--help"], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    for option in ("--database-url", "--runs", "--json", "--smoke", "--row-timeout"):
        assert option in out


def test_smoke_makes_every_row_small():
    national = _module("national")
    args = national.parse_args(["--smoke"])
    assert (args.requests, args.slow_requests, args.samples, args.workers) == (10, 5, 2, 2)
    assert national.parse_args([]).runs == 1


def test_table_gives_each_row_its_goal_and_verdict():
    national = _module("national")
    Row = national.Row
    first = [Row("dashboard", {"req_s": 10.0}, "10 req/s", ">= 40% of min req/s", True), Row("sweep", error="boom")]
    second = [Row("dashboard", {"req_s": 30.0}, "30 req/s", ">= 40% of min req/s", False), Row("sweep", error="boom")]
    third = [Row("dashboard", {"req_s": 20.0}, "20 req/s", ">= 40% of min req/s", True), Row("sweep", error="boom")]
    lines = national.table(national.combine([first, second, third])).splitlines()
    assert lines[1].split() == ["dashboard", "medians:", "req_s", "20", "[req_s", "10-30", "over", "3", "runs]",
                                ">=", "40%", "of", "min", "req/s", "pass"]
    assert lines[2].split()[-1] == "ERROR" and "boom" in lines[2]


def test_percentile_and_cpu_readings():
    harness = _module("_harness")
    assert harness.percentile95([5.0, 1.0]) == 5.0
    assert harness.percentile95([float(i) for i in range(1, 401)]) == 380.0
    if not Path("/proc/self/stat").exists():
        pytest.skip("no /proc")
    assert os.getpid() in harness.children(os.getppid())
    sum(i * i for i in range(300_000))  # some CPU of our own
    assert harness.cpu_ticks([os.getpid()]) > 0


def test_interop_benchmark_imports_and_parses_its_options():
    """benchmarks/interop.py's --quick run builds a database (about 3 minutes on
    SQLite: migrate and load_demo), too long for the suite: only its options here."""
    out = subprocess.run([sys.executable, str(BENCHMARKS / "interop.py"), "--help"], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    for option in ("--database-url", "--runs", "--json", "--quick", "--repeat", "--skip"):
        assert option in out
    interop = _module("interop")
    assert (interop.parse_args(["--quick"]).repeat, interop.parse_args([]).runs) == (1, 1)
    statements = interop.Row("API tasks", {"ms": 12.0}, "12 ms")
    assert "API tasks" in interop.table(interop.combine([[statements], [statements]]))
