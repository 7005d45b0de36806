"""Translation memory: a new version's Swedish that equals or nearly equals a translated text gets its English."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import replace
from pathlib import Path

import pytest

from contract.cli.main import main
from contract.source.load import load
from contract.source.yamlwrite import rewrite
from contract.translate.memory import Memory, suggest

ROOT = Path(__file__).resolve().parents[1]


def run(root: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--root", str(root), *argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def repo(repo_copy) -> Path:
    """2023 as signed, and a 2024 draft with one Swedish text edited and one new paragraph copied from 2023."""
    shutil.copytree(ROOT / "years" / "2024", repo_copy / "years" / "2024")
    copied = next(t for t in load(ROOT, "2023").texts() if t.key == "kommunens-klimatmal/6").source

    def edit(data):
        climate_goals = data["sections"][0]["sections"][0]
        assert climate_goals["id"] == "kommunens-klimatmal"
        climate_goals["body"].append({"p": {"sv": copied}})
        policy = data["sections"][0]["sections"][8]["sections"][0]
        assert policy["id"] == "styrdokument"
        policy["body"][1]["p"]["sv"] = policy["body"][1]["p"]["sv"].replace("30 000 invånare", "35 000 invånare")

    rewrite(repo_copy / "years/2024/municipality.yaml", edit)
    return repo_copy


@pytest.mark.slow
def test_suggest_fills_exact_matches_to_review_and_lists_near_ones(repo):
    before = {t.key: t for t in load(repo, "2024").texts()}
    new_key = "kommunens-klimatmal/7"
    assert before[new_key].status("en") == "missing" and before["styrdokument/2"].status("en") == "stale"
    code, out, err = run(repo, "translations", "2024", "--suggest", "--json")
    assert code == 0, err
    found = {s["key"]: s for s in json.loads(out)}
    assert set(found) == {new_key, "styrdokument/2"}
    assert found[new_key]["exact"] and found[new_key]["filled"] and found[new_key]["similarity"] == 1.0
    assert found[new_key]["from"]["key"] == "kommunens-klimatmal/6"
    near = found["styrdokument/2"]
    assert not near["exact"] and not near["filled"] and 0.9 < near["similarity"] < 1.0
    assert near["from"] == {"version": "2023", "key": "styrdokument/2"}
    assert "traffic flow and safety" in near["en"]
    assert "1 exact match filled in (not confirmed: review, then --confirm), 1 near match listed" in err
    after = {t.key: t for t in load(repo, "2024").texts()}
    assert after[new_key].get("en") == before["kommunens-klimatmal/6"].get("en")
    assert after[new_key].status("en") == "stale"  # filled, but marked for review: not confirmed in the lock
    assert after["styrdokument/2"].get("en") == before["styrdokument/2"].get("en")  # near matches are only listed
    assert run(repo, "translations", "2024", "--confirm", new_key)[0] == 0
    assert {t.key: t for t in load(repo, "2024").texts()}[new_key].status("en") == "current"


def test_near_matches_are_ranked_and_weak_ones_left_out():
    contract = load(ROOT, "2023")
    text = next(t for t in contract.texts() if t.key == "kontraktet/1")
    stale = [text.with_translation("en", replace(text.translation("en"), status="stale"))]
    words = text.source.split()
    close = Memory(" ".join(words[:-1] + ["förnyat."]), "close", "2022", "a")
    far = Memory(" ".join(words[: len(words) // 2]), "far", "2022", "b")

    class Only:  # a contract whose only text is this stale one
        meta = contract.meta

        @staticmethod
        def texts():
            return iter(stale)

    (found,) = suggest(Only, [far, close], "en")  # type: ignore[arg-type]
    assert found.match.target == "close" and 0.9 < found.similarity < 1.0
    assert suggest(Only, [far], "en") == []  # type: ignore[arg-type]


def test_suggest_on_a_complete_version_changes_nothing(repo_copy):
    before = (repo_copy / "years/2023/clause.yaml").read_bytes()
    code, out, err = run(repo_copy, "translations", "2023", "--suggest")
    assert (code, out) == (0, "")
    assert "0 exact matches filled in" in err
    assert (repo_copy / "years/2023/clause.yaml").read_bytes() == before
