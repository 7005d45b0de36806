"""Time the archival PDF: render per language (target < 1 s), sign per party (target < 0.5 s), verify.

Run: python benchmarks/bench_pdf.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the throwaway PKI the tests use

from pki import PASSPHRASE, make_pki

from contract import pdf
from contract.pdf import credentials, sign, verify
from contract.source import provenance
from contract.source.load import load


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    contract = load(ROOT, "2023")
    source = provenance.source(ROOT, "2023")
    unsigned = {}
    for lang in ("sv", "en"):
        times = []
        for _ in range(args.runs):
            seconds, unsigned[lang] = timed(lambda: pdf.render_pdf(contract, lang, source))
            times.append(seconds)
        # Typst caches compiled work in the process, so only the first run is a real render.
        print(
            f"render 2023 {lang}: first {times[0]:.2f} s; repeated in the same process "
            f"{statistics.median(times[1:] or times):.2f} s (Typst's cache)"
        )
    with tempfile.TemporaryDirectory() as folder:
        pki = make_pki(Path(folder), contract.parties)
        data, times = unsigned["sv"], []
        for party in contract.parties:
            creds = credentials.load_p12("p12", pki.parties[party.id].p12.read_bytes(), PASSPHRASE)
            seconds, data = timed(lambda: sign.sign("bench", data, party.id, creds))
            times.append(seconds)
        print(
            f"sign one party: min {min(times):.2f} s, median {statistics.median(times):.2f} s, "
            f"max {max(times):.2f} s (8 parties in turn)"
        )
        seconds, result = timed(lambda: verify.verify("bench", data, [pki.ca_cert]))
        assert result.ok
        print(f"verify all 8 signatures with modification analysis: {seconds:.2f} s")


if __name__ == "__main__":
    main()
