"""A careless or hostile translator, CAT tool and reviewer against the translators' features: each is a reproducer."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from cli_runner import run_cli

from contract.source.load import load

ROOT = Path(__file__).resolve().parents[1]
TITLE_SV = "Klimatkontrakt 2030"  # the Swedish of meta/title (years/2023/contract.yaml)


@pytest.fixture
def repo(repo_copy) -> Path:
    """Version 2023 as a draft (no signed.lock) with the real glossary."""
    shutil.copy(ROOT / "glossary.yaml", repo_copy / "glossary.yaml")
    (repo_copy / "years/2023/signed.lock").unlink()
    return repo_copy


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "years").rglob("*")) if p.is_file()}


def run(root: Path, *argv: str | Path):
    return run_cli("--root", root, *argv)


_EXPORTS: dict[str, bytes] = {}  # the --all exports of the draft 2023, made once: every test starts from the same


def export(root: Path, name: str) -> Path:
    """Return a fresh copy of the --all export of 2023 in the format of name, beside the repository."""
    file = root.parent / name
    suffix = Path(name).suffix
    if suffix not in _EXPORTS:
        made = root.parent / f"made{suffix}"
        result = run(root, "translations", "2023", "--export", made, "--all")
        assert result.returncode == 0, result.stdout + result.stderr
        _EXPORTS[suffix] = made.read_bytes()
        made.unlink()
    file.write_bytes(_EXPORTS[suffix])
    return file


def two_texts(root: Path, tmp_path: Path) -> Path:
    """A JSON file changing the English of two texts in two YAML files (contract.yaml and preamble.yaml)."""
    items = json.loads(export(root, "all.json").read_text(encoding="utf-8"))
    chosen = [dict(i, en="New " + i["en"]) for i in items if i["key"] in ("meta/title", "preamble/1")]
    assert [i["file"] for i in chosen] == ["years/2023/contract.yaml", "years/2023/preamble.yaml"]
    file = tmp_path / "two.json"
    file.write_text(json.dumps(chosen), encoding="utf-8")
    return file


def assert_refused(root: Path, file: Path, message: str, code: int = 1) -> str:
    before = snapshot(root)
    result = run(root, "translations", "2023", "--import", file)
    assert result.returncode == code and message in result.stdout + result.stderr, (result.stdout, result.stderr)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(root) == before
    return result.stdout + result.stderr


def test_an_import_that_fails_writing_its_second_file_leaves_the_first_untouched(repo, tmp_path):
    file = two_texts(repo, tmp_path)
    (repo / f"years/2023/.preamble.yaml.{os.getpid()}.tmp").mkdir()  # writing preamble.yaml will fail
    out = assert_refused(repo, file, "cannot write preamble.yaml")
    assert "nothing was written" in out
    assert [p.name for p in (repo / "years/2023").iterdir() if p.name.startswith(".contract")] == []


def test_a_read_only_yaml_file_is_not_replaced_by_an_import(repo, tmp_path):
    file = two_texts(repo, tmp_path)
    (repo / "years/2023/preamble.yaml").chmod(0o444)
    out = assert_refused(repo, file, "preamble.yaml:1:1: error: the file is read-only, so nothing was written")
    assert "chmod u+w preamble.yaml" in out
    assert (repo / "years/2023/preamble.yaml").stat().st_mode & 0o777 == 0o444


def _xliff(repo: Path, old: str, new: str, head: str = "") -> Path:
    """The --all XLIFF export with one replacement, and optionally something put before the root element."""
    file = export(repo, "all.xlf")
    text = file.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1)
    if head:
        text = text.replace("<xliff ", head + "\n<xliff ", 1)
    file.write_text(text, encoding="utf-8")
    return file


@pytest.mark.parametrize(
    "entity",
    [
        '<!ENTITY co "the City of Borås">',  # an internal entity: its text was silently dropped
        '<!ENTITY co SYSTEM "file:///etc/passwd">',  # an external entity
    ],
)
def test_an_xliff_with_a_doctype_is_refused_not_read_with_its_entities_dropped(repo, entity):
    doctype = f"<!DOCTYPE xliff [{entity}]>"
    file = _xliff(repo, "<target>The climate issue is", "<target>The &co; climate issue is", doctype)
    out = assert_refused(repo, file, "all.xlf:2:1: error: the file holds a DOCTYPE")
    assert "root:" not in out  # nothing of /etc/passwd


def test_an_xliff_billion_laughs_is_refused_with_a_clear_message(repo):
    laughs = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    doctype = f"<!DOCTYPE xliff [{laughs}]>"
    file = _xliff(repo, "<target>The climate issue is", "<target>The &j; climate issue is", doctype)
    assert_refused(repo, file, "error: the file holds a DOCTYPE")


@pytest.mark.parametrize(
    "argv",
    [
        ("--export", "{tmp}/work.po", "--all-current"),  # the export was skipped and every text confirmed
        ("--import", "{tmp}/work.po", "--confirm", "meta/title"),  # the confirmation was skipped
        ("--import", "{tmp}/work.po", "--export", "{tmp}/out.po"),
        ("--suggest", "--all-current"),
        ("--confirm", "meta/title", "--all-current"),
        ("--all",),  # --all without --export printed the report as if nothing was asked
    ],
)
def test_two_actions_at_once_are_a_usage_error_and_nothing_is_done(repo, tmp_path, argv):
    (tmp_path / "work.po").write_bytes(b"")
    before = snapshot(repo)
    result = run(repo, "translations", "2023", *(a.format(tmp=tmp_path) for a in argv))
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "give one of" in result.stderr or "--all only goes with --export" in result.stderr
    assert snapshot(repo) == before and not (tmp_path / "out.po").exists()


def _other_version(repo: Path, kind: str) -> Path:
    """An export of 2023 edited as if it were made for version 2022 (same ids), with one English changed."""
    file = export(repo, f"all.{kind}")
    text = file.read_text(encoding="utf-8").replace("Climate City Contract 2030", "Climate Contract 2030 (2022)")
    text = {
        "xlf": lambda t: t.replace('original="years/2023"', 'original="years/2022"'),
        "po": lambda t: t.replace("Id-Version: Klimatkontrakt 2023", "Id-Version: Klimatkontrakt 2022"),
        "json": lambda t: t.replace('"file": "years/2023/', '"file": "years/2022/'),
    }[kind](text)
    file.write_text(text, encoding="utf-8")
    return file


@pytest.mark.parametrize("kind", ["xlf", "po", "json"])
def test_a_file_exported_for_another_version_is_refused(repo, kind):
    out = assert_refused(repo, _other_version(repo, kind), "this file was exported from version 2022, not 2023")
    assert "klimatkontrakt translations 2022 --import" in out and out.count("error:") == 1


def _po(repo: Path, entry: str) -> Path:
    """A PO file with the exported header and the given entries."""
    text = export(repo, "all.po").read_text(encoding="utf-8")
    file = repo.parent / "work.po"
    file.write_text(text[: text.index("\n\n") + 2] + entry, encoding="utf-8")
    return file


TITLE_PO = f'msgctxt "meta/title"\nmsgid "{TITLE_SV}"\nmsgstr "Climate City Contract 2030 (new)"\n'


def test_a_po_entry_with_plural_forms_is_refused_not_cut_to_its_first_form(repo):
    plural = TITLE_PO.replace('msgstr "', 'msgid_plural "Klimatkontrakten 2030"\nmsgstr[0] "').replace(
        '(new)"\n', '(new)"\nmsgstr[1] "Climate City Contracts 2030"\n'
    )
    assert_refused(repo, _po(repo, "\n" + plural), "work.po:17:1: error: the entry 'meta/title' has plural forms")


def test_po_entries_without_msgctxt_or_twice_are_located_at_their_own_line(repo):
    no_context = TITLE_PO.replace('msgctxt "meta/title"\n', "")
    out = assert_refused(repo, _po(repo, no_context), "work.po:16:1: error: an entry has no msgctxt")
    assert "work.po: error" not in out
    twice = _po(repo, TITLE_PO + "\n" + TITLE_PO)
    out = assert_refused(repo, twice, "work.po:20:1: error: text id 'meta/title' appears twice")
    assert "(first at line 16)" in out


def test_an_empty_po_file_is_an_error_not_a_successful_import_of_nothing(repo, tmp_path):
    (tmp_path / "empty.po").write_bytes(b"")
    assert_refused(repo, tmp_path / "empty.po", "empty.po:1:1: error: the file is empty")


@pytest.mark.parametrize("char", ["\u200f", "\u200e", "\u061c", "\u200b", "\u2060", "\ufeff"])
def test_invisible_bidi_marks_and_zero_width_characters_in_the_english_are_refused(repo, tmp_path, char):
    file = tmp_path / "work.json"
    file.write_text(json.dumps([{"key": "meta/title", "sv": TITLE_SV, "en": f"Climate{char} City Contract 2030"}]))
    assert_refused(repo, file, f"'meta/title' holds the invisible formatting character U+{ord(char):04X}")


@pytest.mark.parametrize(
    ("english", "message"),
    [
        ("The *climate issue is ours.", "has broken markup (a * outside *emphasis*)"),  # shown as a literal asterisk
        (
            "The climate issue is ours.\\",
            "has broken markup (a \\ that escapes nothing)",
        ),  # a lone backslash at the end
        ("The *climate issue* is ours.", "adds or drops emphasis"),  # the Swedish has none
        ("The climate {issue is ours.", "has broken markup (a { outside a {ref:…} or {fn:…} mark)"),
    ],
)
def test_broken_or_added_inline_markup_in_the_english_is_refused(repo, tmp_path, english, message):
    file = tmp_path / "work.json"
    file.write_text(json.dumps([{"key": "meta/title", "sv": TITLE_SV, "en": english}]))
    assert_refused(repo, file, f"the English of 'meta/title' {message}")


def test_escaped_markup_characters_in_the_english_are_accepted(repo, tmp_path):
    file = tmp_path / "work.json"
    english = "Climate City Contract 2030 \\*\\{\\}\\\\"
    file.write_text(json.dumps([{"key": "meta/title", "sv": TITLE_SV, "en": english}]))
    assert run(repo, "translations", "2023", "--import", file).returncode == 0
    assert load(repo, "2023").meta.title.get("en") == english


def test_a_json_file_saved_with_a_byte_order_mark_is_read(repo, tmp_path):
    file = tmp_path / "work.json"  # as Windows Notepad saves it
    content = json.dumps([{"key": "meta/title", "sv": TITLE_SV, "en": "The Contract"}])
    file.write_bytes(b"\xef\xbb\xbf" + content.encode())
    result = run(repo, "translations", "2023", "--import", file)
    assert result.returncode == 0, result.stdout
    assert load(repo, "2023").meta.title.get("en") == "The Contract"


def test_json_problems_are_located_at_the_line_and_column_of_their_item(repo, tmp_path):
    file = tmp_path / "work.json"
    file.write_text(
        '[\n  {"key": "meta/title", "sv": "Klimatkontrakt 2030", "en": "A"},\n'
        '  {"key": 5, "sv": "x", "en": "y"},\n    {"key": "meta/title", "sv": "Ändrad", "en": "B"}\n]\n'
    )
    out = assert_refused(repo, file, "work.json:3:3: error: item 2: key missing or not text")
    assert "work.json:4:5: error: text id 'meta/title' appears twice (first at line 2)" in out


@pytest.mark.slow
def test_english_that_would_make_a_yaml_file_too_large_to_load_is_refused(repo, tmp_path):
    file = tmp_path / "work.json"  # 1.1 MB of English: the YAML would pass the loader's 1 MiB limit
    file.write_text(json.dumps([{"key": "meta/title", "sv": TITLE_SV, "en": "Climate " * 140_000}]))
    assert_refused(repo, file, "years/2023/contract.yaml:1:1: error: with this English the file would be")
    assert load(repo, "2023").meta.title.get("en") == "Climate City Contract 2030"


def test_an_import_file_larger_than_any_export_is_refused_before_it_is_read(repo, tmp_path):
    file = tmp_path / "work.xlf"
    with file.open("wb") as out:
        out.truncate(17 * 1024 * 1024)
    assert_refused(repo, file, "work.xlf:1:1: error: the file is 17408 KiB")


def test_suggest_names_every_other_english_of_the_same_swedish_not_only_the_newest(repo):
    from contract.source.yamlwrite import rewrite
    from contract.translate.memory import Memory, suggest

    rewrite(repo / "years/2023/contract.yaml", lambda data: data["title"].pop("en"))
    entries = [
        Memory(TITLE_SV, "The newest English.", "2025", "meta/title"),
        Memory(TITLE_SV, "An older English.", "2024", "meta/title"),
        Memory(TITLE_SV, "The newest English.", "2024", "preamble/1"),
    ]
    found = [s for s in suggest(load(repo, "2023"), entries, "en") if s.text.key == "meta/title"]
    assert len(found) == 1 and found[0].match.target == "The newest English."
    assert [(m.version, m.key, m.target) for m in found[0].others] == [("2024", "meta/title", "An older English.")]


def test_an_export_into_a_missing_folder_is_a_usage_error_and_creates_no_folder(repo, tmp_path):
    result = run(repo, "translations", "2023", "--export", tmp_path / "typo" / "work.xlf")
    assert result.returncode == 2 and "the folder" in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_importing_a_folder_says_it_is_a_folder(repo, tmp_path):
    (tmp_path / "work.xlf").mkdir()
    assert_refused(repo, tmp_path / "work.xlf", "work.xlf: error: this is a folder, not a file")


@pytest.mark.parametrize(("charset", "codec", "bom"), [("ISO-8859-1", "latin-1", b""), ("UTF-8", "utf-16", b"")])
def test_a_po_file_in_its_declared_charset_or_utf16_is_read(repo, charset, codec, bom):
    file = _po(repo, TITLE_PO.replace("(new)", "(é)"))
    text = file.read_text(encoding="utf-8").replace("charset=UTF-8", f"charset={charset}")
    file.write_bytes(bom + text.encode(codec))
    result = run(repo, "translations", "2023", "--import", file)
    assert result.returncode == 0, result.stdout
    assert load(repo, "2023").meta.title.get("en") == "Climate City Contract 2030 (é)"


def test_a_po_file_not_in_its_declared_charset_is_located_at_the_bad_byte(repo):
    file = _po(repo, TITLE_PO.replace("(new)", "(é)"))
    file.write_bytes(file.read_text(encoding="utf-8").encode("latin-1"))
    assert_refused(repo, file, "work.po:18:1: error: the file is not in its declared charset UTF-8 (byte 0xe9)")


def test_a_po_syntax_error_is_located_at_its_line(repo):
    file = _po(repo, TITLE_PO.replace('(new)"', "(new)"))
    assert_refused(repo, file, "work.po:18:1: error: not a readable PO file: end-of-line within string")


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("See {ref:no-such}.", "error: reference to unknown section 'no-such'"),
        ("See {fn:ft1}.", "error: footnote mark {fn:ft1} in a translator's note"),
        ("See [this](javascript:alert(1)).", "error: link address 'javascript:alert(1)' is not allowed"),
        ("A note with \u202e reversed text.", "error: the character U+202E"),
    ],
)
def test_validate_checks_the_markup_of_a_translators_note(repo, note, message):
    # validate checks a note like the text it belongs to, at the note's own position, and once.
    def edit(data):
        data["body"][0]["p"]["note_en"] = note

    from contract.source.yamlwrite import rewrite

    rewrite(repo / "years/2023/preamble.yaml", edit)
    result = run(repo, "validate", "2023")
    assert result.returncode == 1, result.stdout
    prefix = "years/2023/preamble.yaml:"
    errors = [line for line in result.stdout.splitlines() if line.startswith(prefix) and ": error: " in line]
    assert len(errors) == 1 and message in errors[0], errors


def test_a_fuzzy_po_entry_is_left_out_as_gettext_does_and_the_user_is_told(repo):
    fuzzy = TITLE_PO.replace("msgctxt", "#, fuzzy\nmsgctxt")  # e.g. a CAT tool's unreviewed memory match
    file = _po(repo, fuzzy)
    before = snapshot(repo)
    result = run(repo, "translations", "2023", "--import", file)
    assert result.returncode == 0, result.stdout
    assert "left out 1 fuzzy entry not yet reviewed: meta/title" in result.stderr
    assert snapshot(repo) == before


SPLIT_SOURCE = (
    "<source>Klimatfrågan är vår tids största utmaning.</source>\n"
    "        <target>The climate issue is the greatest challenge of our time.</target>\n"
    "      </segment>\n      <ignorable><source> </source></ignorable>\n"
    '      <segment state="translated">\n        <source>'
)


def _resegmented(repo: Path, second_target: bool) -> Path:
    """The export with preamble/1 split after its first sentence, as a resegmenting CAT tool does (XLIFF 2 allows)."""
    file = _xliff(repo, "<source>Klimatfrågan är vår tids största utmaning. ", SPLIT_SOURCE)
    text = file.read_text(encoding="utf-8")
    old = "<target>The climate issue is the greatest challenge of our time. A societal"
    assert old in text
    file.write_text(text.replace(old, "<target>A new societal" if second_target else "<target>", 1), encoding="utf-8")
    return file


def test_an_xliff_unit_a_cat_tool_split_into_segments_is_joined_again(repo):
    result = run(repo, "translations", "2023", "--import", _resegmented(repo, True))
    assert result.returncode == 0, result.stdout
    english = next(t.get("en") for t in load(repo, "2023").texts() if t.key == "preamble/1")
    assert english.startswith("The climate issue is the greatest challenge of our time. A new societal challenge")


def test_a_split_xliff_unit_with_an_untranslated_segment_is_refused(repo):
    file = _resegmented(repo, False)
    text = file.read_text(encoding="utf-8")
    i = text.index('<segment state="translated">')
    j = text.index("</segment>", i)
    file.write_text(text[:i] + re.sub(r"<target>.*?</target>", "", text[i:j], flags=re.S) + text[j:], encoding="utf-8")
    assert_refused(repo, file, "unit 'preamble/1': segment 2 has no target while segment 1 has one")


@pytest.mark.parametrize("suffix", [".xlf", ".po", ".json"])
def test_exporting_a_text_with_a_control_character_is_a_located_error_not_a_crash(repo, tmp_path, suffix):
    from contract.source.yamlwrite import rewrite

    def edit(data):
        data["title"]["sv"] = "Klimatkontrakt\x01 2030"

    rewrite(repo / "years/2023/contract.yaml", edit)
    result = run(repo, "translations", "2023", "--export", tmp_path / f"work{suffix}")
    assert result.returncode == 1 and "internal error" not in result.stderr, result.stderr
    # Located at the title (the loader's character check names the column of the character itself).
    first = result.stdout.splitlines()[0]
    assert first.startswith("years/2023/contract.yaml:9:") and "error:" in first and "U+0001" in first, result.stdout
    assert not (tmp_path / f"work{suffix}").exists()


def test_non_breaking_spaces_in_imported_english_are_kept(repo, tmp_path):
    english = "Climate City Contract\u00a02030 for 30\u202f000 inhabitants"  # as the loader keeps them
    file = tmp_path / "work.json"
    file.write_text(json.dumps([{"key": "meta/title", "sv": TITLE_SV, "en": f" {english}\n"}]))
    result = run(repo, "translations", "2023", "--import", file)
    assert result.returncode == 0, result.stdout
    assert load(repo, "2023").meta.title.get("en") == english


@pytest.mark.parametrize(
    ("suffix", "old", "new"),
    [
        (".xlf", 'trgLang="en"', 'trgLang="de"'),
        (".po", '"Language: en\\n"', '"Language: de\\n"'),
    ],
)
def test_a_file_whose_target_language_is_not_english_is_refused(repo, suffix, old, new):
    file = export(repo, f"all{suffix}")
    text = file.read_text(encoding="utf-8")
    assert old in text
    german = text.replace(old, new, 1).replace("Climate City Contract 2030", "Klimastadtvertrag 2030")
    file.write_text(german, encoding="utf-8")
    assert_refused(repo, file, "error: the file's target language is 'de', not English")
