"""Red team 48: the last changes (each PDF names its original's language; superscript footnote marks after a
number; new-year's message).

Each test says what a user expects. Tests that fail on the current code are defects; the others are attacks that
held and are kept for coverage. Every repository is made in a temporary folder (see test_redteam_session47).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_runner import run_cli
from test_redteam_session47 import EXAMPLETON, SJOBY, _empty_repo, _import, _sign_ready, sign_as_first

SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _imported(tmp_path: Path, text: str):
    root = _empty_repo(tmp_path / "sjoby")
    result = _import(root, tmp_path, text, "2024", "Sjöby kommun")
    folder = root / "years" / "2024"
    yaml = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.yaml"))}
    # one line per text: the YAML folds long texts
    flat = {name: re.sub(r"\n\s+(?![-\w]+:)", " ", body) for name, body in yaml.items()}
    return root, result, flat


# ---------------------------------------------------------------- import: superscripts that are no footnote marks


# A contract with footnote ² ("Boverkets byggregler") marked after "ton.²", and a unit "m²" earlier in the same
# paragraph. A user expects "50 kWh per m²" to stay as written and footnote 2 to be placed where its mark is
# ("10³ ton.{fn:…}"). Instead the unit's ² is taken for the mark: the contract reads "per m{fn:boverkets-
# byggregler} och år" (the square metre is gone) and the real mark becomes a digit "ton.2" in the text — while the
# report says "footnotes: 3" and "words of the input not in the output: 0", as if all were well.
def test_a_unit_superscript_m2_is_no_footnote_mark_when_a_note_2_exists(tmp_path):
    text = SJOBY.replace(
        "Kommunen bygger energieffektivt.",
        "Kommunen bygger energieffektivt, högst 50 kWh per m² och år. Utsläppen ska minska med 10³ ton.²",
    ).replace(
        "¹ Beslut i kommunfullmäktige 2021-03-15.\n",
        "¹ Beslut i kommunfullmäktige 2021-03-15.\n² Boverkets byggregler.\n",
    )
    _, result, yaml = _imported(tmp_path, text)
    assert result.returncode == 0, result.stdout + result.stderr
    body = yaml["municipality.yaml"]
    assert "per m² och år" in body, body
    assert "ton.2" not in body, body
    assert "ton.{fn:boverkets-byggregler}" in body, body


# Footnote ³ ("Enligt SCB") is marked after a year in chapter 3 ("till 2030.³"); chapter 6 later speaks of
# "minst 10³ ton per år" (a power of ten). A user expects the footnote at "2030.³" and "10³ ton" left alone.
# Instead the power of ten is taken for the mark: the contract says "minst 10{fn:enligt-scb} ton per år" (a
# thousand tonnes became ten), the real mark stays a stray "2030.³", and the report says all words are there.
def test_a_power_of_ten_superscript_after_a_number_is_no_footnote_mark(tmp_path):
    text = (
        SJOBY.replace("Kommunen bygger energieffektivt.", "Kommunen bygger energieffektivt till 2030.³")
        .replace("Parterna följer upp kontraktet årligen.", "Parterna följer upp utsläppen, minst 10³ ton per år.")
        .replace("Kommunen åtar sig följande.", "Kommunen åtar sig följande enligt planen.²")
        .replace(
            "¹ Beslut i kommunfullmäktige 2021-03-15.\n",
            "¹ Beslut i kommunfullmäktige 2021-03-15.\n² Planen.\n³ Enligt SCB.\n",
        )
    )
    _, result, yaml = _imported(tmp_path, text)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "minst 10³ ton per år" in yaml["updates.yaml"], yaml["updates.yaml"]
    assert "till 2030.{fn:enligt-scb}" in yaml["municipality.yaml"], yaml["municipality.yaml"]


# Twelve endnotes, marked with superscripts after years ("år 2031.¹¹"). A user expects footnote 11 to be placed at
# "2031.¹¹" and footnote 1 at its own mark in "Inledning" ("år 2030.¹"). Instead the second digit of "¹¹" is read
# as the mark of footnote 1: the text keeps "2031.¹" followed by footnote 1 (moved out of Inledning into chapter 3),
# footnote 11 is "kept in section 1" with no mark, "2030.¹" stays a stray superscript, and the imported folder does
# not validate ("footnote 'kalla-kk' is defined but never referenced") though import exits 0.
def test_a_two_digit_superscript_mark_is_not_the_mark_of_footnote_1(tmp_path):
    sentences = " ".join(f"Mål {chr(96 + n)} gäller år 20{20 + n}.{str(n).translate(SUP)}" for n in range(2, 13))
    notes = "".join(f"{str(n).translate(SUP)} Källa {chr(96 + n) * 2}.\n" for n in range(2, 13))
    text = SJOBY.replace("Kommunen bygger energieffektivt.", "Kommunen bygger energieffektivt. " + sentences).replace(
        "¹ Beslut i kommunfullmäktige 2021-03-15.\n", "¹ Beslut i kommunfullmäktige 2021-03-15.\n" + notes
    )
    _, result, yaml = _imported(tmp_path, text)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "år 2030.{fn:beslut-i-kommunfullmaktige}" in yaml["purpose.yaml"], yaml["purpose.yaml"]
    assert "år 2031.{fn:kalla-kk}" in yaml["municipality.yaml"], yaml["municipality.yaml"]
    assert "has no mark" not in result.stderr, result.stderr
    assert "validate: 0 errors" in result.stdout, result.stdout


# Held: superscript marks after a number in a list item ("2027,²") and after a percent sign ("3 %³") are placed.
def test_held_superscript_marks_in_a_list_item_and_after_a_percent_sign_are_footnotes(tmp_path):
    text = (
        SJOBY.replace("- halvera biltrafiken i centrum,", "- halvera biltrafiken i centrum till 2027,²")
        .replace(
            "Parterna följer upp kontraktet årligen.", "Parterna följer upp kontraktet årligen med 3 %³ i marginal."
        )
        .replace(
            "¹ Beslut i kommunfullmäktige 2021-03-15.\n",
            "¹ Beslut i kommunfullmäktige 2021-03-15.\n² Trafikplanen.\n³ Enligt SCB.\n",
        )
    )
    _, result, yaml = _imported(tmp_path, text)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "footnotes: 3 (1, 2, 3)" in result.stdout, result.stdout
    assert "centrum till 2027,{fn:trafikplanen}" in yaml["municipality.yaml"]
    assert "3 %{fn:enligt-scb} i marginal" in yaml["updates.yaml"]
    assert "validate: 0 errors" in result.stdout, result.stdout


# ---------------------------------------------------------------- an English original and its Swedish translation


def _english_original(tmp_path: Path):
    root = _empty_repo(tmp_path / "exampleton", source="en", translation="sv")
    result = _import(root, tmp_path, EXAMPLETON, "2023", "Exampleton Municipality", "--lang", "en")
    assert result.returncode == 0, result.stdout + result.stderr
    parties = _sign_ready(root, "en")
    pdfs = {}
    for lang in ("en", "sv"):
        pdfs[lang] = tmp_path / f"exampleton-2023-{lang}.pdf"
        made = run_cli("--root", root, "pdf", "2023", "--lang", lang, "-o", pdfs[lang])
        assert made.returncode == 0, made.stdout + made.stderr
    return root, parties, pdfs


# Exampleton keeps its contract in English (source: en); a party's signatory is handed the Swedish PDF
# ("Översättning") by mistake and runs sign on it. sign rightly refuses, but its advice is "sign the Swedish PDF made
# by 'klimatkontrakt pdf YEAR --lang sv'" — the very file it just refused. A user expects to be sent to the
# original: "klimatkontrakt pdf YEAR --lang en".
@pytest.mark.slow
def test_signing_the_swedish_translation_of_an_english_original_points_at_the_english_pdf(tmp_path):

    root, parties, pdfs = _english_original(tmp_path)
    result = sign_as_first(root, parties, pdfs["sv"], tmp_path / "signed.pdf", tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert not (tmp_path / "signed.pdf").exists()
    said = result.stdout + result.stderr
    assert "Traceback" not in said
    assert "--lang sv" not in said and "sign the Swedish PDF" not in said, said
    assert "--lang en" in said, said


# Held: every party signs the English original, verify --against says OK, lock --pdf records it; the English
# original with its keywords rewritten afterwards (source:sv, lang:sv, an incremental update) is refused by sign
# and flagged by verify.
@pytest.mark.slow
def test_held_an_english_original_is_signed_by_all_verified_locked_and_a_rewritten_keyword_is_caught(tmp_path):
    from attacks import rewrite_metadata
    from pki import make_pki
    from pypdf import PdfReader

    root, parties, pdfs = _english_original(tmp_path)
    pki = make_pki(tmp_path / "pki", parties)
    current = pdfs["en"]
    for i, p in enumerate(parties):
        out = tmp_path / f"signed-{i}.pdf"
        result = run_cli(
            "--root",
            root,
            "sign",
            current,
            "--party",
            p.id,
            "--p12",
            pki.parties[p.id].p12,
            "--passphrase-file",
            pki.passphrase_file,
            "-o",
            out,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        current = out
    verified = run_cli("--root", root, "verify", current, "--trust", pki.ca_pem, "--against", "2023")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{len(parties)} of {len(parties)} parties signed; OK" in verified.stdout
    locked = run_cli("--root", root, "lock", "2023", "--pdf", current, "--trust", pki.ca_pem)
    assert locked.returncode == 0, locked.stdout + locked.stderr

    for pdf in (pdfs["en"], current):
        info = PdfReader(pdf).metadata
        keywords = str(info["/Keywords"])
        assert "klimatkontrakt-source:en" in keywords
        forged = tmp_path / f"forged-{pdf.name}"
        swapped = keywords.replace("source:en", "source:sv").replace("lang:en", "lang:sv")
        forged.write_bytes(rewrite_metadata(pdf.read_bytes(), str(info["/Title"]), swapped))
        refused = run_cli(
            "--root",
            root,
            "sign",
            forged,
            "--party",
            parties[0].id,
            "--p12",
            pki.parties[parties[0].id].p12,
            "--passphrase-file",
            pki.passphrase_file,
            "-o",
            tmp_path / "forged-signed.pdf",
        )
        assert refused.returncode == 1 and "metadata" in refused.stdout + refused.stderr, (
            refused.stdout + refused.stderr
        )
        assert not (tmp_path / "forged-signed.pdf").exists()
        flagged = run_cli("--root", root, "verify", forged, "--trust", pki.ca_pem)
        assert flagged.returncode == 1 and "NOT OK" in flagged.stdout, flagged.stdout + flagged.stderr


# README: in a repository whose klimatkontrakt.yaml makes another language the source, that language's PDF is the
# one signed. `klimatkontrakt --help` still describes sign as "sign one party's field of the Swedish contract PDF":
# Exampleton's signatory, who reads the help, fetches the Swedish translation. A user expects the help to speak of
# the original (the source language's PDF), not of Swedish.
def test_sign_help_does_not_say_the_swedish_pdf_is_the_one_signed():
    result = run_cli("--help")
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("sign "))
    assert "Swedish" not in line, line


# ---------------------------------------------------------------- new-year


# Held: from Borås 2023 (a follow-up chapter new-year marks as still to be written), the message names the marked
# sections, and the new draft holds them.
def test_held_new_year_from_boras_names_the_sections_it_marked_to_be_written(repo_copy):
    result = run_cli("--root", repo_copy, "new-year", "2024")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "to_be_written" in (repo_copy / "years" / "2024" / "updates.yaml").read_text(encoding="utf-8")
    assert "write the follow-up sections marked to_be_written" in result.stdout + result.stderr
