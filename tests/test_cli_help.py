"""``partifinans --help``: every argument described with its default, an example per command,
``--version``; nonsense numbers refused by argparse in one line."""

from __future__ import annotations

import argparse

import pytest

from partifinans import __version__, cli


def _subparsers(parser: argparse.ArgumentParser, prefix: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix}{name}", sub
                yield from _subparsers(sub, f"{prefix}{name} ")


COMMANDS = dict(_subparsers(cli.build_parser()))


def test_every_command_is_covered():
    assert {"parse", "ingest", "link", "graph", "flags", "report", "fetch", "fetch opendata", "fetch urls"} <= set(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_argument_described_with_default_and_an_example(name):
    sub = COMMANDS[name]
    text = sub.format_help()
    assert "example" in text and f"partifinans {name.split()[0]}" in text.split("example", 1)[1]
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        assert action.help, f"{name}: {action.dest} has no description"
        if not action.required and action.option_strings:  # an option says what happens without it
            assert "default" in action.help or action.dest in ("json", "csv", "xlsx"), f"{name}: {action.dest}"


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"partifinans {__version__}\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ingest", "--jobs", "-3"], "argument --jobs: -3 is not a number of processes (give 1 or more)"),
        (["ingest", "--jobs", "0"], "argument --jobs: 0 is not a number of processes (give 1 or more)"),
        (["ingest", "--jobs", "two"], "argument --jobs: 'two' is not a whole number"),
        (["flags", "--year", "tjugo"], "argument --year: 'tjugo' is not a year (e.g. 2023)"),
    ],
)
def test_bad_numbers_are_refused_in_one_line(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(message)
