"""YAML for generated card files: every string comes back from deckgen's loader exactly as it went in.

libyaml's emitter (PyYAML's C dumper) picks a style that keeps the value: plain when it would read back as the same
string, quoted when it would read as a number, a boolean or null or has special characters, a literal block
(``|``) for multi-line text when that keeps it exactly, double quotes with escapes otherwise (trailing spaces,
tabs, control characters). The import checks the result by loading it with deckgen's own loader.
"""

from __future__ import annotations

from typing import Any

import yaml

try:
    _Base: type = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Base = yaml.SafeDumper


class _Dumper(_Base):  # type: ignore[misc]
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


class Flow(list):  # type: ignore[type-arg]
    """A list written in flow style: ``[a, b]``."""


def _flow(dumper: yaml.SafeDumper, value: Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(Flow, _flow)


def dump(data: Any) -> str:
    """``data`` (dicts, lists, strings, ints, bools) as YAML text, keys in the order given."""
    text: str = yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100_000, indent=2, default_flow_style=False
    )
    return text
