"""Red team 40: the translation exchange against files as real CAT tools and translators write them back."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from test_translation_attacks import run, snapshot

from contract.source.load import load

ROOT = Path(__file__).resolve().parents[1]
PH_FN = '<ph id="m1" equiv="{fn:viable-cities-ar}" disp="{fn:viable-cities-ar}"/>'
PARTER_SV = f"<source>Strategiska innovationsprogrammet Viable Cities{PH_FN}.</source>"
PARTER_EN = f"<target>The strategic innovation programme Viable Cities{PH_FN}.</target>"


@pytest.fixture
def repo(repo_copy) -> Path:
    """Version 2023 as a draft (no signed.lock) with the real glossary, as test_translation_attacks has it."""
    shutil.copy(ROOT / "glossary.yaml", repo_copy / "glossary.yaml")
    (repo_copy / "years/2023/signed.lock").unlink()
    return repo_copy


def export(root: Path, name: str) -> Path:
    file = root.parent / name
    result = run(root, "translations", "2023", "--export", file, "--all")
    assert result.returncode == 0, result.stdout + result.stderr
    return file


def edited(root: Path, name: str, old: str, new: str) -> Path:
    """The --all export with one replacement."""
    file = export(root, name)
    text = file.read_text(encoding="utf-8")
    assert old in text, old
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return file


def english(root: Path, key: str) -> str:
    return next(t.get("en") for t in load(root, "2023").texts() if t.key == key)


def imported(root: Path, file: Path):
    result = run(root, "translations", "2023", "--import", file)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result


# 1. <sm/> and <em/> are the XLIFF 2.0 core form of <mrk> (an annotation a tool splits or overlaps), which is accepted.
def test_an_annotation_written_as_sm_and_em_markers_is_read_like_mrk(repo):
    new = '<target><sm id="c1" type="comment" value="check the name"/>Climate City <em startRef="c1"/>Contract 2030!</target>'
    file = edited(repo, "sm.xlf", "<target>Climate City Contract 2030</target>", new)
    result = imported(repo, file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert english(repo, "meta/title") == "Climate City Contract 2030!"


# 2. XLIFF 2.0 core: a placeholder's original code may live in <originalData> and be pointed at by dataRef.
def test_a_placeholder_whose_code_is_in_original_data_is_read(repo):
    file = export(repo, "data.xlf")
    text = file.read_text(encoding="utf-8")
    assert PARTER_SV in text and PARTER_EN in text
    text = text.replace(PH_FN, '<ph id="m1" dataRef="d1"/>').replace(
        '<unit id="parter_2.3" name="parter/2.3">',
        '<unit id="parter_2.3" name="parter/2.3">\n'
        '      <originalData><data id="d1">{fn:viable-cities-ar}</data></originalData>',
    )
    text = text.replace("programme Viable Cities<ph", "programme Viable Cities (new)<ph", 1)
    assert "(new)" in text and '<data id="d1">' in text
    file.write_text(text, encoding="utf-8")
    result = imported(repo, file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert english(repo, "parter/2.3") == "The strategic innovation programme Viable Cities (new){fn:viable-cities-ar}."


# 3. A tool that strips a placeholder's equiv and disp: the Swedish did not change, the placeholder did.
def test_a_placeholder_stripped_of_its_code_is_named_not_reported_as_changed_swedish(repo):
    file = export(repo, "bare.xlf")
    text = file.read_text(encoding="utf-8")
    bare = '<ph id="m1"/>'
    file.write_text(text.replace(PARTER_SV, PARTER_SV.replace(PH_FN, bare)), encoding="utf-8")
    before = snapshot(repo)
    result = imported(repo, file)
    assert result.returncode == 1
    assert snapshot(repo) == before
    assert "changed since this file was exported" not in result.stdout, result.stdout
    assert "placeholder" in result.stdout and "'m1'" in result.stdout, result.stdout


# 4. XLIFF 2.0 core: <target order="N"> moves a segment's translation to position N (a translator reordering
# sentences); ignored, the English is written in the Swedish order.
def test_targets_reordered_with_the_order_attribute_are_joined_in_that_order(repo):
    file = export(repo, "order.xlf")
    text = file.read_text(encoding="utf-8")
    start = text.index('<unit id="preamble_1"')
    seg = text.index("<segment", start)
    end = text.index("</segment>", seg) + len("</segment>")
    source = re.search(r"<source>(.*?)</source>", text[seg:end], re.S).group(1)
    first = "Klimatfrågan är vår tids största utmaning."
    assert source.startswith(first + " ")
    split = (
        f'<segment state="translated"><source>{first}</source><target order="3">One.</target></segment>\n'
        "      <ignorable><source> </source></ignorable>\n"
        f'      <segment state="translated"><source>{source[len(first) + 1 :]}</source>'
        '<target order="1">Two.</target></segment>'
    )
    file.write_text(text[:seg] + split + text[end:], encoding="utf-8")
    result = imported(repo, file)
    assert result.returncode == 0, result.stdout + result.stderr
    assert english(repo, "preamble/1") == "Two. One."


# 5. A PO file saved with a UTF-8 byte order mark (Notepad, some Windows tools) is read, but every problem
# loses its line: the first line '\ufeffmsgid ""' is not counted as an entry.
def test_problems_of_a_po_file_with_a_byte_order_mark_keep_their_line(repo):
    old = 'msgstr "The strategic innovation programme Viable Cities{fn:viable-cities-ar}."'
    file = edited(repo, "bom.po", old, 'msgstr "The strategic innovation programme Viable Cities."')
    plain = imported(repo, file)
    assert plain.returncode == 1
    located = re.search(r"bom\.po:(\d+):1: error: the English of 'parter/2\.3'", plain.stdout)
    assert located, plain.stdout
    file.write_bytes(b"\xef\xbb\xbf" + file.read_bytes())
    before = snapshot(repo)
    result = imported(repo, file)
    assert result.returncode == 1 and snapshot(repo) == before
    assert f"bom.po:{located.group(1)}:1: error: the English of 'parter/2.3'" in result.stdout, result.stdout


# 6. README: "the YAML files change all together or not at all". A SIGKILL between the renames of write_all
# (strace injects it at the second rename: no mock, no sleep) leaves one file new and the other old.
@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace to deliver SIGKILL at the second rename")
def test_an_import_killed_between_its_renames_leaves_the_yaml_all_old_or_all_new(repo, tmp_path):
    items = json.loads(export(repo, "all.json").read_text(encoding="utf-8"))
    chosen = [dict(i, en="New " + i["en"]) for i in items if i["key"] in ("meta/title", "preamble/1")]
    assert [i["file"] for i in chosen] == ["years/2023/contract.yaml", "years/2023/preamble.yaml"]
    file = tmp_path / "two.json"
    file.write_text(json.dumps(chosen), encoding="utf-8")
    before = snapshot(repo)
    syscalls = "rename,renameat,renameat2"
    command = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", f"trace={syscalls}"]
    command += ["-e", f"inject={syscalls}:signal=KILL:when=2"]
    command += [sys.executable, "-m", "contract", "--root", str(repo), "translations", "2023", "--import", str(file)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # a .pyc written (a rename) would take the kill instead
    killed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    assert killed.returncode in (-9, 137), (killed.returncode, killed.stderr)  # killed at the second rename
    after = snapshot(repo)
    yaml_before = {k: v for k, v in before.items() if k.endswith(".yaml")}
    yaml_after = {k: v for k, v in after.items() if k.endswith(".yaml")}
    changed = sorted(k for k in yaml_before if yaml_before[k] != yaml_after.get(k))
    assert changed in ([], ["years/2023/contract.yaml", "years/2023/preamble.yaml"]), changed


@pytest.mark.skipif(shutil.which("strace") is None, reason="needs strace to deliver SIGKILL at a rename")
@pytest.mark.parametrize("when", [1, 2, 3, 4])
def test_an_import_killed_at_any_rename_is_completed_or_undone_by_the_next_command(repo, tmp_path, when):
    items = json.loads(export(repo, "all.json").read_text(encoding="utf-8"))
    chosen = [dict(i, en="New " + i["en"]) for i in items if i["key"] in ("meta/title", "preamble/1")]
    file = tmp_path / "two.json"
    file.write_text(json.dumps(chosen), encoding="utf-8")
    before = snapshot(repo)
    syscalls = "rename,renameat,renameat2"
    command = ["strace", "-f", "-qq", "-o", "/dev/null", "-e", f"trace={syscalls}"]
    command += ["-e", f"inject={syscalls}:signal=KILL:when={when}"]
    command += [sys.executable, "-m", "contract", "--root", str(repo), "translations", "2023", "--import", str(file)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # no .pyc rename counted before the import's own
    killed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    assert killed.returncode in (-9, 137, 0), (killed.returncode, killed.stderr)
    run(repo, "validate", "2023")  # any command reading the version finishes or drops what the kill left
    after = snapshot(repo)
    changed = sorted(k for k in before if before[k] != after.get(k))
    new = ["years/2023/contract.yaml", "years/2023/preamble.yaml"]
    assert changed in ([], new) and set(after) == set(before), (when, changed, sorted(set(after) ^ set(before)))
    assert changed == (new if when > 1 else []), (when, changed)
    assert english(repo, "meta/title") == (
        "New Climate City Contract 2030" if when > 1 else "Climate City Contract 2030"
    )


# 7. memoQ and Trados write an empty <target/> for a segment not yet translated. In a unit the tool split,
# the translated first sentence was written as the whole English and the other five sentences were lost
# (a segment without any <target> is refused, an empty one was not).
def test_a_split_unit_with_an_empty_target_segment_is_refused_not_truncated(repo):
    file = export(repo, "empty.xlf")
    text = file.read_text(encoding="utf-8")
    start = text.index('<unit id="preamble_1"')
    seg = text.index("<segment", start)
    end = text.index("</segment>", seg) + len("</segment>")
    source = re.search(r"<source>(.*?)</source>", text[seg:end], re.S).group(1)
    first = "Klimatfrågan är vår tids största utmaning."
    split = (
        f'<segment state="translated"><source>{first}</source><target>The climate question is the biggest.</target>'
        "</segment>\n      <ignorable><source> </source></ignorable>\n"
        f'      <segment state="initial"><source>{source[len(first) + 1 :]}</source><target/></segment>'
    )
    file.write_text(text[:seg] + split + text[end:], encoding="utf-8")
    before = snapshot(repo)
    result = imported(repo, file)
    assert english(repo, "preamble/1").endswith("within planetary boundaries."), english(repo, "preamble/1")
    assert result.returncode == 1 and "segment 2" in result.stdout, result.stdout
    assert snapshot(repo) == before


# 8. A macOS tool (or a paste from a PDF) gives decomposed Unicode (NFD: a + U+030A for å). The import writes
# it as it is, and validate then says the English does not use the glossary's 'City of Borås', which it does.
def test_english_in_decomposed_unicode_is_imported_as_the_text_it_shows(repo, tmp_path):
    shown = "City of Borås (Borås Stad), Sweden"
    file = tmp_path / "nfd.json"
    item = {"key": "party/boras-stad/name", "sv": "Borås Stad", "en": unicodedata.normalize("NFD", shown)}
    file.write_text(json.dumps([item], ensure_ascii=False), encoding="utf-8")
    result = imported(repo, file)
    assert result.returncode == 0, result.stdout + result.stderr
    checked = run(repo, "validate", "2023")
    assert "glossary" not in checked.stdout + checked.stderr, checked.stdout
    assert english(repo, "party/boras-stad/name") == shown


# 9. Export every text for a review; meanwhile a colleague corrects an English text in the YAML; the translator
# sends the file back without touching that unit. The import writes the exported (old) English over the
# correction, without a word: a lost update. It should keep the correction or refuse naming the conflict.
@pytest.mark.parametrize("name", ["all.xlf", "all.po", "all.json"])
def test_english_corrected_in_the_yaml_after_the_export_is_not_reverted_by_an_untouched_unit(repo, name):
    from contract.source.yamlwrite import rewrite

    file = export(repo, name)

    def correct(data):
        data["title"]["en"] = "Climate City Contract 2030 (corrected)"

    rewrite(repo / "years/2023/contract.yaml", correct)
    assert english(repo, "meta/title") == "Climate City Contract 2030 (corrected)"
    result = imported(repo, file)
    assert english(repo, "meta/title") == "Climate City Contract 2030 (corrected)", result.stdout


# 10. XLIFF 2.0 requires the ids of inline elements to be unique within a <source> (and the unit): a Swedish
# text referring to the same section twice was exported with two <ph id="m1"/>, a file that strict tools
# (Okapi-based, Trados' validation) reject or renumber.
def test_a_mark_used_twice_is_exported_as_placeholders_with_unique_ids(repo):
    from lxml import etree

    yaml = repo / "years/2023/municipality.yaml"
    old = "sv: För fler uppdateringar, se avsnitt\n                    {ref:viktigaste-uppdateringar-for-kommunen}."
    new = (
        "sv: För fler uppdateringar, se avsnitt {ref:viktigaste-uppdateringar-for-kommunen}"
        " (och åter {ref:viktigaste-uppdateringar-for-kommunen})."
    )
    text = yaml.read_text(encoding="utf-8")
    assert old in text
    yaml.write_text(text.replace(old, new, 1), encoding="utf-8")
    file = repo.parent / "work.xlf"
    result = run(repo, "translations", "2023", "--export", file)
    assert result.returncode == 0, result.stdout + result.stderr
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
    tree = etree.parse(str(file))
    sources = [s for s in tree.iterfind(".//x:source", ns) if "och åter" in "".join(s.itertext())]
    assert len(sources) == 1
    ids = [ph.get("id") for ph in sources[0].iterfind("x:ph", ns)]
    assert len(ids) == 2 and len(set(ids)) == 2, ids


# 11. Poedit's catalogue properties let the translator edit "Project name and version": "Klimatkontrakt 2023 EN".
# The import then says the file was exported from version '2023 EN', located at the first entry instead of the
# header, and tells the user to run 'klimatkontrakt translations 2023 EN --import FILE', which cannot work.
@pytest.mark.parametrize(
    ("name", "old", "new", "line"),
    [
        (
            "proj.po",
            '"Project-Id-Version: Klimatkontrakt 2023\\n"',
            '"Project-Id-Version: Klimatkontrakt 2023 EN\\n"',
            3,
        ),
        ("orig.xlf", 'original="years/2023"', 'original="years/2023/"', 3),
    ],
)
def test_a_file_naming_its_version_oddly_is_located_and_suggests_no_impossible_command(repo, name, old, new, line):
    file = edited(repo, name, old, new)
    before = snapshot(repo)
    result = imported(repo, file)
    assert snapshot(repo) == before
    assert "translations 2023 EN --import" not in result.stdout and "translations 2023/ --import" not in result.stdout
    assert result.returncode == 0 or f"{name}:{line}:" in result.stdout, result.stdout


# 12. Word and Trados carry soft hyphens (U+00AD) from hyphenated source documents into the target. Invisible in
# the CAT tool and the YAML, like the zero-width characters the import refuses, it was written: validate then says
# the English uses none of the glossary's renderings of 'Borås Stad' while it shows 'City of Borås'.
def test_a_soft_hyphen_in_the_english_is_refused_or_harmless(repo, tmp_path):
    file = tmp_path / "shy.json"
    item = {"key": "party/boras-stad/name", "sv": "Borås Stad", "en": "City of Bo\u00adrås (Borås Stad)"}
    file.write_text(json.dumps([item], ensure_ascii=False), encoding="utf-8")
    before = snapshot(repo)
    result = imported(repo, file)
    if result.returncode == 1:
        assert "U+00AD" in result.stdout and snapshot(repo) == before, result.stdout
    else:
        checked = run(repo, "validate", "2023")
        assert "glossary" not in checked.stdout, checked.stdout


# 13. A text with no English is exported as state="initial" without a target. OmegaT and Trados ("copy source to
# target") give an untranslated segment back with the Swedish copied into its target, still state="initial".
# The import wrote that Swedish as the English. An XLIFF segment still "initial" is not translated: it should be
# left out and named, as a fuzzy PO entry is.
def test_an_untranslated_segment_with_the_source_copied_is_not_written_as_english(repo):
    from contract.source.yamlwrite import rewrite

    rewrite(repo / "years/2023/contract.yaml", lambda data: data["title"].pop("en"))
    file = repo.parent / "missing.xlf"
    result = run(repo, "translations", "2023", "--export", file)
    assert result.returncode == 0, result.stdout + result.stderr
    text = file.read_text(encoding="utf-8")
    old = '<segment state="initial">\n        <source>Klimatkontrakt 2030</source>\n'
    assert old in text
    file.write_text(text.replace(old, old + "        <target>Klimatkontrakt 2030</target>\n", 1), encoding="utf-8")
    imported(repo, file)
    assert english(repo, "meta/title") is None


# 14. JSON may spell a lone surrogate ("\ud800", a script's broken string). The import took it and wrote
# en: "Climate \uD800 City" into contract.yaml, which YAML cannot read: every command on 2023 (validate,
# translations, a second import to repair it) now fails with "invalid YAML".
def test_a_lone_surrogate_in_json_is_refused_and_the_yaml_stays_readable(repo, tmp_path):
    file = tmp_path / "surrogate.json"
    file.write_text('[{"key": "meta/title", "sv": "Klimatkontrakt 2030", "en": "Climate \\ud800 City"}]', "utf-8")
    before = snapshot(repo)
    result = imported(repo, file)
    checked = run(repo, "validate", "2023")
    assert "invalid YAML" not in checked.stdout, checked.stdout
    assert result.returncode == 1 and "surrogate.json:1:2: error:" in result.stdout, result.stdout
    assert snapshot(repo) == before


# 15. Private-use and unassigned code points, and characters the PDF font cannot show, are errors for validate
# ("a private-use character with no agreed meaning", "not a character Unicode defines", "has no glyph"), but the
# import writes them: the version then fails validate.
@pytest.mark.parametrize("char", ["\ue000", "\ufdd0", "\u4e2d"])  # private use, unassigned, no PDF glyph
def test_characters_validate_rejects_are_refused_by_the_import(repo, tmp_path, char):
    file = tmp_path / "chars.json"
    item = {"key": "meta/title", "sv": "Klimatkontrakt 2030", "en": f"Climate City Contract 2030 {char}"}
    file.write_text(json.dumps([item], ensure_ascii=False), encoding="utf-8")
    before = snapshot(repo)
    result = imported(repo, file)
    assert result.returncode == 1 and f"U+{ord(char):04X}" in result.stdout, result.stdout
    assert snapshot(repo) == before
