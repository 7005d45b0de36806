"""Benchmarks of `python build.py`: cold, unchanged, one paragraph changed; overhead over the engines; 10 versions.

Run: python benchmarks/bench_build.py [--quick]   (prints one line per figure)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
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


def engine_time(root: Path) -> float:
    """Time only the engines on the build's own generated sources: typst compiles and MkDocs builds."""
    code = r"""
import json, resource, sys, time
import typst
from mkdocs.commands import build as mk
spent = {"typst": 0.0, "mkdocs": 0.0, "typst_cpu": 0.0, "mkdocs_cpu": 0.0}
def clock(name, fn):
    def wrapped(*a, **k):
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **k)
        finally:
            spent[name] += time.perf_counter() - t
            spent[name + "_cpu"] += time.process_time() - c
    return wrapped
def cpu():
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime
typst.Compiler.compile = clock("typst", typst.Compiler.compile)
typst.compile = clock("typst", typst.compile)
mk.build = clock("mkdocs", mk.build)
from contract.cli.main import main
t, c = time.perf_counter(), cpu()
rc = main(["--root", sys.argv[1], "build", "--jobs", "1"])
print(json.dumps({**spent, "total": time.perf_counter() - t, "total_cpu": cpu() - c}), file=sys.stderr)
sys.exit(rc)
"""
    result = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, cwd=root)
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kk-bench-") as tmp:
        root = copy_repo(Path(tmp) / "repo")
        if not args.only_scale:
            single_version(root)
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


def single_version(root: Path) -> None:
    """Cold, unchanged and one-paragraph builds of the repository as shipped, and the engine ratio."""
    seconds, peak, summary = timed_build(root)
    cold = seconds
    print(f"cold build of the repository as shipped: {seconds:.2f} s, peak {peak:.0f} MiB ({summary})")
    seconds, _, summary = timed_build(root)
    print(f"rebuild with nothing changed: {seconds:.2f} s ({summary})")
    change_one_paragraph(root, "2023")
    seconds, _, summary = timed_build(root)
    print(f"rebuild after one paragraph changed: {seconds:.2f} s ({summary})")
    shutil.rmtree(root / ".cache", ignore_errors=True)
    spent = engine_time(root)
    engines = spent["typst"] + spent["mkdocs"]
    print(
        f"overhead (--jobs 1): build {spent['total']:.2f} s / engines {engines:.2f} s "
        f"(typst {spent['typst']:.2f} s + mkdocs {spent['mkdocs']:.2f} s) = {spent['total'] / engines:.2f}"
    )
    print(
        f"overhead (default jobs, PDFs beside the site): cold build {cold:.2f} s / engines {engines:.2f} s = {cold / engines:.2f}"
    )
    cpu = spent["typst_cpu"] + spent["mkdocs_cpu"]  # CPU seconds: robust when other work shares the cores
    print(
        f"overhead in CPU time (--jobs 1): build {spent['total_cpu']:.2f} s / engines {cpu:.2f} s = {spent['total_cpu'] / cpu:.2f}"
    )


if __name__ == "__main__":
    main()
