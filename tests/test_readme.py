"""The README's command table and the command-line parser describe the same commands and options."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
from pathlib import Path

import contract.cli
from contract.cli.main import _commands, _parser

README = Path(__file__).resolve().parents[1] / "README.md"
# Options every command has, documented once above the table rather than in every row.
COMMON = {"--root", "-h", "--help"}


def _readme_commands() -> dict[str, set[str]]:
    """Return each command of the README's table with the options its row names."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Commands") :]
    table = table[: table.index("\n## ", 3)]
    commands: dict[str, set[str]] = {}
    for row in re.findall(r"^\| (`(?:[^|\\]|\\.)*)\|", table, flags=re.MULTILINE):
        words = row.strip("`").split()
        name = "build" if words[:2] == ["python", "build.py"] else words[1]
        commands.setdefault(name, set()).update(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", row))
    # An alias is named in its command's row: "`import-text` is the same command".
    for row in re.findall(r"^\| `klimatkontrakt ([\w-]+).*`([\w-]+)` is the same command", table, flags=re.MULTILINE):
        commands[row[1]] = commands.get(row[0], set())
    return commands


def _parser_commands() -> dict[str, list[set[str]]]:
    """Return each subcommand of the parser with its options (each the set of its spellings, -o and --output)."""
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: [set(a.option_strings) for a in p._actions if a.option_strings and not set(a.option_strings) & COMMON]
        for name, p in sub.choices.items()
    }


def test_every_command_in_the_readme_exists_with_its_options():
    parsed = _parser_commands()
    for name, options in _readme_commands().items():
        assert name in parsed, f"README names `klimatkontrakt {name}`, which the parser does not have"
        known = set().union(*parsed[name])
        assert options - COMMON <= known, f"{name}: README names options the parser lacks: {options - COMMON - known}"


def test_every_command_and_option_of_the_parser_is_in_the_readme():
    documented = _readme_commands()
    for name, options in _parser_commands().items():
        assert name in documented, f"`klimatkontrakt {name}` is missing from the README's command table"
        missing = [sorted(spellings) for spellings in options if not spellings & documented[name]]
        assert not missing, f"{name}: options missing from the README's row: {missing}"


def _readme_choices() -> dict[tuple[str, str], set[str]]:
    """Return the values the README's table lists for an option, e.g. ("validate", "--format"): text, github, json."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("## Commands") :]
    table = table[: table.index("\n## ", 3)]
    choices: dict[tuple[str, str], set[str]] = {}
    for row in re.findall(r"^\| `klimatkontrakt ([\w-]+)(.*?)` \|", table, flags=re.MULTILINE):
        for option, values in re.findall(r"(--[\w-]+) ([\w]+(?:\\\|[\w]+)+)", row[1]):
            choices.setdefault((row[0], option), set()).update(values.split("\\|"))
    return choices


def test_the_values_the_readme_lists_for_an_option_are_its_choices():
    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    listed = _readme_choices()
    assert ("validate", "--format") in listed and ("diff", "--format") in listed  # the pattern finds the table's lists
    for (name, option), values in listed.items():
        action = next(a for a in sub.choices[name]._actions if option in a.option_strings)
        assert action.choices is not None, f"README lists values for {name} {option}, which takes any value"
        assert values == set(action.choices), f"{name} {option}: README lists {values}, the parser {action.choices}"
    for name, command in sub.choices.items():
        for action in command._actions:
            long = [o for o in action.option_strings if o.startswith("--")]
            if action.choices and long and long[0] != "--lang":  # --lang follows the configured languages
                assert (name, long[0]) in listed, f"{name} {long[0]}: README does not list its values"


def test_every_command_module_is_in_the_command_list():
    """A command module left out of main._commands() would silently lose its commands from the parser."""
    listed = set(_commands())
    for info in pkgutil.iter_modules(contract.cli.__path__):
        module = importlib.import_module(f"contract.cli.{info.name}")
        missing = [add.__name__ for add in getattr(module, "COMMANDS", []) if add not in listed]
        assert not missing, f"contract/cli/{info.name}.py: {missing} not in main._commands()"
