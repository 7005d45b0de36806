"""Benchmarks of `python build.py`: cold, unchanged, one paragraph changed; overhead over the engines; 10 versions.

Run: python benchmarks/bench_build.py [--skip-scale] [--runs N]   (prints one line per figure)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def copy_repo(target: Path) -> Path:
    """Copy what a build reads (not site/ or caches) into target, as a git repository."""
    for name in ("years", "schema", "mkdocs.yml", "klimatkontrakt.yaml", "i18n", "overrides", "docs_assets", "hooks"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        elif source.is_file():
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "benchmark")
    return target


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def timed_build(root: Path, *extra: str) -> tuple[float, float, str]:
    """Run the build in a new process; return seconds, peak memory in MiB and its summary line."""
    code = (
        "import resource, sys, time; from contract.cli.main import main; t = time.perf_counter(); "
        f"rc = main(['--root', {str(root)!r}, 'build', *{list(extra)!r}]); "
        "peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "print('BENCH', time.perf_counter() - t, peak / 1024, file=sys.stderr); sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    seconds, peak = re.search(r"BENCH (\S+) (\S+)", result.stderr).groups()
    return float(seconds), float(peak), result.stdout.strip()


def change_one_paragraph(root: Path, version: str) -> None:
    """Edit one Swedish paragraph of a signed version and record it as an erratum, as the README says to."""
    path = root / "years" / version / "clause.yaml"
    text = path.read_text(encoding="utf-8")
    edited = re.sub(
        r"Parterna är (\w+)", lambda m: f"Parterna är {'eniga' if m.group(1) != 'eniga' else 'överens'}", text, count=1
    )
    assert edited != text, f"no paragraph to change in {path}"
    path.write_text(edited, encoding="utf-8")
    what = ["--what-sv", "Ett ord ändrat", "--what-en", "One word changed"]
    why = ["--why-sv", "Mätning", "--why-en", "Benchmark", "--section", "kontraktet", "--date", "2024-01-01"]
    _klimatkontrakt(root, "erratum", version, *what, *why)


def engine_time(root: Path) -> dict[str, float]:
    """Time the engines alone, in series, on the build's own inputs: its Typst compiles and its MkDocs builds.

    A cold `--jobs 1` build records every Typst compile (the build runs them beside the site, in a thread, so their
    time there is not their own); a new process then replays them one after another, the first one cold as in a
    build. A second build, with every PDF in the cache and MkDocs' compiled templates dropped, times MkDocs alone.
    Returns the two engine times and the recording build's own time (`--jobs 1`).
    """
    record = root.parent / "bench-typst.json"  # beside the repository: nothing in it changes
    recording = r"""
import json, sys, time, typst
from contract.cli.main import main
calls, real = [], typst.Compiler
class Recording:
    def __init__(self, *args, **kwargs):
        self.made, self.compiler = (args, kwargs), real(*args, **kwargs)
    def compile(self, **kwargs):
        calls.append((self.made, kwargs))
        return self.compiler.compile(**kwargs)
    def __getattr__(self, name):
        return getattr(self.compiler, name)
typst.Compiler = Recording
t = time.perf_counter()
rc = main(["--root", sys.argv[1], "build", "--jobs", "1"])
print(json.dumps({"total": time.perf_counter() - t}), file=sys.stderr)
open(sys.argv[2], "w").write(json.dumps(calls))
sys.exit(rc)
"""
    replay = r"""
import json, sys, time, typst
spent = 0.0
for (args, kwargs), compiling in json.load(open(sys.argv[1])):
    compiler = typst.Compiler(*args, **kwargs)
    t = time.perf_counter()
    compiler.compile(**compiling)
    spent += time.perf_counter() - t
print(json.dumps({"typst": spent}), file=sys.stderr)
"""
    mkdocs_alone = r"""
import json, sys, time
from mkdocs.commands import build as mk
spent, real = [0.0], mk.build
def timed(*args, **kwargs):
    t = time.perf_counter()
    try:
        return real(*args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - t
mk.build = timed
from contract.cli.main import main
rc = main(["--root", sys.argv[1], "build", "--jobs", "1"])
print(json.dumps({"mkdocs": spent[0]}), file=sys.stderr)
sys.exit(rc)
"""
    for name in (".cache", "site"):
        shutil.rmtree(root / name, ignore_errors=True)
    spent = _python(recording, root, str(root), str(record))
    spent |= _python(replay, root, str(record))
    record.unlink()
    shutil.rmtree(root / "site")
    shutil.rmtree(root / ".cache" / "build" / "templates", ignore_errors=True)  # MkDocs compiles them, as cold
    spent |= _python(mkdocs_alone, root, str(root))
    return spent


def _python(code: str, root: Path, *args: str) -> dict[str, float]:
    """Run code in a new Python in root with args; return the JSON it printed last on standard error."""
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=root)
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    return json.loads(result.stderr.strip().splitlines()[-1])


def make_ten_versions(root: Path) -> None:
    """Turn the copy into ten versions 2020-2029, each with its own small edits, the last a draft."""
    base = root / "years" / "2023"
    for path in (root / "years").iterdir():
        if path.name != "2023":
            shutil.rmtree(path)
    for year in range(2020, 2030):
        folder = root / "years" / str(year)
        if year != 2023:
            shutil.copytree(base, folder)
        (folder / "signed.lock").unlink(missing_ok=True)
        meta = folder / "contract.yaml"
        text = meta.read_text(encoding="utf-8")
        text = re.sub(r"version: '\d+'", f"version: '{year}'", text)
        text = re.sub(r"valid_for: '\d+'", f"valid_for: '{year + 1}'", text)
        text = re.sub(r"previous: '\d+'", f"previous: '{year - 1}'", text)
        if year == 2029:
            text = text.replace("status: signed", "status: draft").replace("signed_on: 2023-12-08", "signed_on:")
        meta.write_text(text, encoding="utf-8")
        clause = folder / "clause.yaml"
        clause.write_text(clause.read_text(encoding="utf-8").replace("för 2024", f"för {year + 1}"), encoding="utf-8")
        municipality = folder / "municipality.yaml"
        words = municipality.read_text(encoding="utf-8")
        municipality.write_text(
            words.replace("1,50 kronor", f"{1 + (year % 7) / 4:.2f} kronor".replace(".", ",")), encoding="utf-8"
        )
    for year in range(2020, 2029):  # a signed version needs its lock
        _klimatkontrakt(root, "lock", str(year))
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "ten versions")


def _klimatkontrakt(root: Path, *args: str) -> None:
    """Run a klimatkontrakt command on root; stop the benchmark with its output if it fails."""
    result = subprocess.run(
        [sys.executable, "-m", "contract", "--root", str(root), *args], capture_output=True, text=True, cwd=root
    )
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-scale", action="store_true", help="leave out the 10-version benchmark")
    parser.add_argument("--only-scale", action="store_true", help="run only the 10-version benchmark")
    parser.add_argument("--runs", type=int, default=5, help="cold builds and engine runs to take medians of (5)")
    args = parser.parse_args()
    print(f"machine speed: {machine_speed():.2f} s for 10 million additions in a Python loop (best of 3)")
    with tempfile.TemporaryDirectory(prefix="kk-bench-") as tmp:
        root = copy_repo(Path(tmp) / "repo")
        if not args.only_scale:
            single_version(root, args.runs)
        if args.skip_scale:
            return
        shutil.rmtree(root / ".cache", ignore_errors=True)
        shutil.rmtree(root / "site", ignore_errors=True)
        make_ten_versions(root)
        seconds, peak, summary = timed_build(root, "--drafts")
        print(f"10 versions (2020-2029), cold: {seconds:.2f} s, peak {peak:.0f} MiB ({summary})")
        change_one_paragraph(root, "2026")
        seconds, peak, summary = timed_build(root, "--drafts")
        print(f"10 versions, after one paragraph changed: {seconds:.2f} s, peak {peak:.0f} MiB ({summary})")


def machine_speed() -> float:
    """Time a fixed piece of pure Python: figures of two days compare only together with this (the VM's speed drifts)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(10_000_000):
            total += number
        best = min(best, time.perf_counter() - started)
    return best


def single_version(root: Path, runs: int) -> None:
    """Cold, unchanged and one-paragraph builds of the repository as shipped, and the engine ratio.

    The cold builds and the engine measurements alternate, run after run, and medians are reported: a virtual
    machine's speed drifts by a third from one minute to the next, so one build against one engine run says little.
    """
    colds, nochanges, engines = [], [], []
    for _ in range(runs):
        for name in (".cache", "site"):
            shutil.rmtree(root / name, ignore_errors=True)
        seconds, peak, summary = timed_build(root)
        colds.append(seconds)
        nochanges.append(timed_build(root)[0])
        engines.append(engine_time(root))
    print(f"cold build of the repository as shipped: {_spread(colds)}, peak {peak:.0f} MiB ({summary})")
    print(f"rebuild with nothing changed: {_spread(nochanges)}")
    change_one_paragraph(root, "2023")
    seconds, _, summary = timed_build(root)
    print(f"rebuild after one paragraph changed: {seconds:.2f} s ({summary})")
    engine = [spent["typst"] + spent["mkdocs"] for spent in engines]
    print(
        f"engines (--jobs 1): {_spread(engine)} (typst {_median([s['typst'] for s in engines]):.2f} s"
        f" + mkdocs {_median([s['mkdocs'] for s in engines]):.2f} s)"
    )
    print(
        f"overhead (--jobs 1): build {_spread([s['total'] for s in engines])} / engines = {_ratios(engines, 'total')}"
    )
    print(f"overhead (default jobs, PDFs beside the site): cold build / engines = {_ratios(engines, colds)}")


def _ratios(engines: list[dict], build: str | list[float]) -> str:
    """Median and range of build / engines over the runs, each run's build against that run's engines."""
    ratios = [
        (build[i] if isinstance(build, list) else spent[build]) / (spent["typst"] + spent["mkdocs"])
        for i, spent in enumerate(engines)
    ]
    return f"{_median(ratios):.2f} median of {len(ratios)} runs ({min(ratios):.2f}-{max(ratios):.2f})"


def _spread(values: list[float]) -> str:
    return f"{_median(values):.2f} s median of {len(values)} runs ({min(values):.2f}-{max(values):.2f} s)"


def _median(values: list[float]) -> float:
    return statistics.median(values)


if __name__ == "__main__":
    main()
