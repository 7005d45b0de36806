"""`klimatkontrakt diff` on the command line, between working-tree versions and git revisions."""

from __future__ import annotations

import json
from pathlib import Path

import git
import pytest
from cli_runner import Result, run_cli
from diff_cases.edit import Copy

from contract.errors import ContractError
from contract.source.revisions import Spec, parse

EDIT_1 = ("Kommunfullmäktige antog en energi", "Kommunfullmäktige beslutade om en energi")
EDIT_2 = ("Klimatrådet är en politisk beredning", "Klimatrådet är en politisk församling")


def run(root: Path, *args: str) -> Result:
    return run_cli("--root", root, "diff", *args)


def edits(document: dict) -> list[tuple]:
    """Return (id, kinds, deleted and inserted words) of every changed section in a JSON change set."""
    out = []
    for s in document["sections"]:
        if s["kinds"]:
            words = [(g["op"], g["text"]) for b in s["blocks"] for g in b["sv"]["segments"] if g["op"] != "equal"]
            out.append((s["id"], s["kinds"], words))
    return out


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A git repository with two commits of version 2023: as it is, then with EDIT_1."""
    root = tmp_path_factory.mktemp("repo") / "root"
    copy = Copy(root)
    repository = git.Repo.init(root, initial_branch="main")
    with repository.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.org")
    repository.index.add(["schema", "years"])
    repository.index.commit("version 2023 as signed")
    copy.replace("municipality.yaml", *EDIT_1)
    repository.index.add(["years"])
    repository.index.commit("edit 3.1")
    return root


def test_version_against_itself_at_an_earlier_revision(repo):
    result = run(repo, "HEAD~1:2023", "2023", "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["old"], document["new"]) == (
        {"label": "HEAD~1:2023", "version": "2023"},
        {"label": "2023", "version": "2023"},
    )
    assert edits(document) == [("kommunens-klimatmal", ["modified"], [("delete", "antog"), ("insert", "beslutade om")])]
    assert document["fields"] == []


def test_revisions_on_both_sides_and_a_branch_name(repo):
    both = json.loads(run(repo, "HEAD~1:2023", "main:2023", "--format", "json").stdout)
    assert edits(both) == [("kommunens-klimatmal", ["modified"], [("delete", "antog"), ("insert", "beslutade om")])]
    same = run(repo, "main:2023", "HEAD:2023", "--exit-code")
    head = "Ändringar från main:2023 till HEAD:2023"
    assert same.returncode == 0
    assert same.stdout == f"{head}\n{'=' * len(head)}\n\nInga ändringar.\n"


def test_uncommitted_edit_against_the_last_commit(repo, tmp_path):
    work = tmp_path / "clone"
    git.Repo(repo).clone(work)
    path = work / "years" / "2023" / "municipality.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*EDIT_2), encoding="utf-8")
    result = run(work, "HEAD:2023", "2023", "--format", "json", "--exit-code")
    assert result.returncode == 1  # --exit-code: there are changes
    assert edits(json.loads(result.stdout)) == [
        ("klimatrad", ["modified"], [("delete", "beredning"), ("insert", "församling")])
    ]


def test_markdown_written_to_a_file(repo, tmp_path):
    out = tmp_path / "out" / "redline.md"
    out.parent.mkdir()  # -o never makes a folder (a typo would hide the file): see test_redteam_cli
    result = run(repo, "HEAD~1:2023", "2023", "--format", "md", "--lang", "en", "-o", str(out))
    assert result.returncode == 0 and result.stdout == "" and f"wrote {out}" in result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!-- klimatkontrakt diff md en sha256:")  # the mark: an HTML comment, shown as nothing
    assert text.partition("\n")[2].startswith("## Changes from HEAD\\~1:2023 to 2023\n")
    assert "<del>antog</del><ins>beslutade om</ins>" in text
    assert sorted(p.name for p in out.parent.iterdir()) == ["redline.md"]


def test_project_in_a_subfolder_of_the_repository(tmp_path):
    outer = tmp_path / "outer"
    project = outer / "project"
    Copy(project)
    repository = git.Repo.init(outer, initial_branch="main")
    with repository.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.org")
    repository.index.add(["project/schema", "project/years"])
    repository.index.commit("first")
    path = project / "years" / "2023" / "municipality.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(*EDIT_2), encoding="utf-8")
    result = run(project, "HEAD:2023", "2023", "--format", "json")
    assert edits(json.loads(result.stdout)) == [
        ("klimatrad", ["modified"], [("delete", "beredning"), ("insert", "församling")])
    ]


@pytest.mark.parametrize(
    "old, message",
    [
        (
            "nope:2023",
            "klimatkontrakt: error: unknown git revision 'nope' (use a branch, tag or commit, e.g. main:2024 or HEAD~1:2024)\n",
        ),
        ("HEAD:2099", "HEAD:years/2099: error: there is no version '2099' at HEAD (versions at HEAD: 2023)\n"),
        ("2099", "years/2099: error: there is no version '2099' (versions in years/: 2023)\n"),
        (
            ":2023",
            'klimatkontrakt: error: cannot read \':2023\' as a version (write a version ("2023") or REVISION:VERSION ("main:2024", "HEAD~3:2024"))\n',
        ),
    ],
)
def test_bad_inputs_give_one_clear_error(repo, old, message):
    result = run(repo, old, "2023")
    if message.startswith("klimatkontrakt:"):  # a wrong argument, no file behind it: exit 2 on standard error
        assert (result.returncode, result.stdout, result.stderr) == (2, "", message)
    else:
        assert (result.returncode, result.stdout, result.stderr) == (1, message, "")


def test_errors_in_a_version_at_a_revision_name_the_revision_and_position(tmp_path):
    root = tmp_path / "root"
    copy = Copy(root)
    copy.replace(
        "clause.yaml", "    title:\n      sv: Kontraktet", "    title:\n      sv: Kontraktet\n      sv: Kontraktet igen"
    )
    repository = git.Repo.init(root, initial_branch="main")
    with repository.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.org")
    repository.index.add(["schema", "years"])
    repository.index.commit("broken")
    result = run(root, "HEAD:2023", "2023")
    assert result.returncode == 1
    assert result.stdout.startswith("HEAD:years/2023/clause.yaml:8:7: error: ")
    assert "duplicate" in result.stdout


def test_parse_names_a_revision_only_when_given():
    assert parse("2023") == Spec("2023") and parse("HEAD~3:2024") == Spec("2024", "HEAD~3")
    assert parse("origin/main:2024").label == "origin/main:2024"
    with pytest.raises(ContractError):
        parse("main:")


def test_a_revision_read_from_a_bare_repository(repo, tmp_path):
    # A bare repository has no working tree: --root names the repository, the project is at the top of its tree.
    from contract.diff import compare
    from contract.source.revisions import load_spec

    bare = tmp_path / "mirror.git"
    git.Repo(repo).clone(bare, bare=True)
    old, new = load_spec(bare, "HEAD~1:2023"), load_spec(bare, "main:2023")
    assert (old.folder, new.folder) == ("HEAD~1:years/2023", "main:years/2023")
    changed = compare(old, new).changed()
    assert [(s.id, s.kinds) for s in changed] == [("kommunens-klimatmal", ("modified",))]
