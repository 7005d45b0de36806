"""Load a contract version from the working tree ("2023") or as it was at a git revision ("main:2024").

A version at a revision is materialised into a temporary folder (its years/<version>/ files and the
schemas of that revision) and loaded by contract.load, so every error keeps its file and position;
the positions then name the revision ("main:years/2024/clause.yaml:12:5").
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..errors import ContractError, Diagnostic, Report, UsageError, excerpt
from ..ids import is_version_name
from ..model import Contract, Pos
from ..output.scratch import scratch_folder
from .languages import CONFIG_NAME, REPO_CATALOGUES, read_languages
from .load import YEARS, load

if TYPE_CHECKING:
    from git import Commit, Repo, Tree

SCHEMA = "schema"
# The forms each kind of revision argument takes, for the hints when git does not know one: diff's REV:VERSION,
# and check-signed's --base, a commit alone (advising diff's form there named one it refuses).
VERSION_FORMS = "e.g. main:2024 or HEAD~1:2024"
COMMIT_FORMS = "e.g. main, origin/main or HEAD~1"


@dataclass(frozen=True)
class Spec:
    """A version, optionally at a git revision."""

    version: str
    revision: str | None = None

    @property
    def label(self) -> str:
        return f"{self.revision}:{self.version}" if self.revision else self.version


def parse(text: str) -> Spec:
    """Read "2023" (working tree) or "REV:2023" (at a git revision, e.g. main, HEAD~3, a tag)."""
    revision, sep, version = text.rpartition(":")
    if "/" in version or "\\" in version or version.startswith("."):
        raise UsageError(
            f"{excerpt(text)} is not a version: give the name of a folder under {YEARS}/ (2023) or REVISION:VERSION (main:2024)"
        )
    if not version or (sep and not revision):  # a wrong argument, not a file: no position (exit 2)
        raise UsageError(
            f"cannot read {text!r} as a version",
            'write a version ("2023") or REVISION:VERSION ("main:2024", "HEAD~3:2024")',
        )
    return Spec(version, revision or None)


def load_spec(root: Path, text: str) -> Contract:
    """Load the version a spec names."""
    spec = parse(text)
    return load(root, spec.version) if spec.revision is None else load_at(root, spec.revision, spec.version)


def load_at(root: Path, revision: str, version: str) -> Contract:
    """Load a version as it was at a git revision; errors name the revision and the file position."""
    if not is_version_name(version):
        raise UsageError(f"{excerpt(version)} is not a version: at a revision, give four digits such as main:2024")
    repo, commit = _commit(root, revision, versioned=True)
    prefix = _prefix(root, repo)
    with scratch_folder("klimatkontrakt-rev-") as folder:
        if not _copy_tree(commit.tree, prefix / YEARS / version, folder / YEARS / version):
            raise ContractError(
                [
                    _problem(
                        f"{revision}:{YEARS}/{version}",
                        f"there is no version {version!r} at {revision}",
                        _versions_hint(commit.tree, prefix, revision),
                    )
                ]
            )
        if not _copy_tree(commit.tree, prefix / SCHEMA, folder / SCHEMA):
            _copy_tree_from_disk(root / SCHEMA, folder / SCHEMA)  # a revision older than the schemas
        # The revision's languages: without them a repository whose source is not Swedish was read as Swedish.
        _copy_file(commit.tree, prefix / CONFIG_NAME, folder / CONFIG_NAME)
        _copy_tree(commit.tree, prefix / REPO_CATALOGUES, folder / REPO_CATALOGUES)
        try:
            contract = load(folder, version)
        except ContractError as exc:
            raise ContractError([_relocate(d, revision) for d in exc.diagnostics]) from None
        finally:
            read_languages(Path(root), Report())  # the labels are the repository's again, not the deleted copy's
    return replace(contract, folder=f"{revision}:{contract.folder}")


def _copy_file(tree: Tree, path: PurePosixPath, target: Path) -> None:
    """Write one file of a git tree to target, if the revision has it."""
    try:
        blob = tree / path.as_posix()
    except KeyError:
        return
    if blob.type == "blob":
        target.write_bytes(blob.data_stream.read())


def _commit(root: Path, revision: str, versioned: bool = False) -> tuple[Repo, Commit]:
    """Return the repository and the commit a revision names; versioned: it came as REVISION:VERSION (diff)."""
    import git  # imported here: plain versions need no git at all

    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):  # wrong arguments, not files: exit 2, no position
        raise UsageError(
            f"{root} is not in a git repository, so {revision!r} cannot be read",
            "name a version without a revision, e.g. 2023" if versioned else "run it in a git clone of the repository",
        ) from None
    return repo, repo.commit(_resolve(repo, revision, VERSION_FORMS if versioned else COMMIT_FORMS))


def _resolve(repo: Repo, revision: str, forms: str) -> str:
    """Return the commit a revision names, read as git reads it (HEAD@{yesterday}, main~2, v1^{commit}, a tag)."""
    # git itself, not GitPython's own parser, which fails on reflog dates and entries with internal errors;
    # --end-of-options: a revision that starts with "-" is never read as an option.
    status, sha, said = (1, "", "")
    if "\0" not in revision:  # a NUL cannot be passed to a program: no revision holds one
        status, sha, said = repo.git.rev_parse(
            "--verify", "--end-of-options", f"{revision}^{{commit}}", with_extended_output=True, with_exceptions=False
        )
    if status == 0 and sha:
        return str(sha)
    reason = (str(said).strip().splitlines() or [""])[-1].removeprefix("fatal: ")  # the last line: after warnings
    why = f": {reason}" if reason and "single revision" not in reason else ""
    raise UsageError(f"unknown git revision {revision!r}{why}", f"use a branch, tag or commit, {forms}")


def _prefix(root: Path, repo: Repo) -> PurePosixPath:
    """Return where the project lies inside the repository's tree (the top in a bare repository)."""
    if repo.working_tree_dir is None:  # a bare repository: --root names the repository itself
        return PurePosixPath()
    inside = Path(root).resolve().relative_to(Path(repo.working_tree_dir).resolve())
    return PurePosixPath(inside.as_posix()) if inside.parts else PurePosixPath()


def _subtree(tree: Tree, path: PurePosixPath) -> Tree | None:
    try:
        found = tree / path.as_posix() if path.parts else tree
    except KeyError:
        return None
    return found if found.type == "tree" else None


def _copy_tree(tree: Tree, path: PurePosixPath, target: Path) -> bool:
    """Write the files under path in a git tree to target; False when the revision lacks path."""
    from git import Blob

    sub = _subtree(tree, path)
    if sub is None:
        return False
    for blob in sub.traverse():
        if isinstance(blob, Blob):
            dest = target.joinpath(PurePosixPath(blob.path).relative_to(path))
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(blob.data_stream.read())
    return True


def _copy_tree_from_disk(source: Path, target: Path) -> None:
    for file in source.rglob("*"):
        if file.is_file():
            dest = target / file.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(file.read_bytes())


def _versions_hint(tree: Tree, prefix: PurePosixPath, revision: str) -> str:
    years = _subtree(tree, prefix / YEARS)
    names = sorted(t.name for t in years.trees) if years is not None else []
    return f"versions at {revision}: {', '.join(names) or 'none'}"


def _relocate(diagnostic: Diagnostic, revision: str) -> Diagnostic:
    pos = diagnostic.pos
    return replace(diagnostic, pos=replace(pos, file=f"{revision}:{pos.file}") if pos else None)


def _problem(where: str, message: str, hint: str) -> Diagnostic:
    return Diagnostic(Pos(where), "error", message, hint, "bad-revision")
