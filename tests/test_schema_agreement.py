"""The JSON Schema and ``check`` give the same verdict on the same documents.

A writer's editor judges scene files by the schema, ``daylights check`` by the loader; if they
disagree, one of them is lying to the writer. Starting from a valid story that uses every shape of
the format, each value in turn is replaced by a value of another type (a number, true, null, a
list, a mapping, a text) and each name by a name the story does not know; both judges must then
agree on whether the files are still valid. Names are judged by the story's own schema
(``daylights schema --story``), which knows its scenes, items, variables, acts and beats; types are
also judged by the shipped, general schema, which must accept everything ``check`` accepts.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from game.story.loader import check_story
from game.story.schema import scene_schema, story_schema
from tests.conftest import write_story

STORY: dict[str, Any] = {
    "id": "agree", "title": "Agreement", "subtitle": "A test", "author": "Us", "blurb": "Schema and check agree.",
    "description": "For the agreement test.", "version": "1", "start": "hall",
    "acts": {"one": "Act One"},
    "items": {"key": {"name": "Key", "description": "Brass."}},
    "variables": {"trust": {"default": 0, "description": "Trust.", "show": "Trust", "range": [0, 5]},
                  "brave": False},
    "beats": {"arrival": {"title": "Arrival", "canonical": True}, "found": "Found"},
}
ACT: dict[str, Any] = {"act": "one", "scenes": {
    "hall": {
        "title": "Hall", "beats": ["arrival"],
        "text": ["You stand in a hall.", {"if": "has key", "text": "The key is warm.", "else": "It is cold."},
                 {"if": "trust > 1", "text": "The butler nods."}, {"elif": "brave", "text": "He waits."},
                 {"else": "He ignores you."}, {"if": "visits here > 2", "text": "Again."},
                 {"elif": "brave", "text": "Bold.", "else": ["Shy.", {"if": "has key", "text": "Keyed."}]}],
        "on_enter": {"add": {"trust": 1}},
        "choices": [
            {"id": "take", "text": "Take the key", "goto": "hall", "do": {"give": "key", "set": "brave"},
             "once": True},
            {"id": "cellar", "text": "Open the cellar", "goto": "cellar", "if": "has key",
             "locked": "You need the key.", "risky": True},
            {"id": "secret", "text": "Ask for the secret", "goto": "win", "if": "trust >= 2 and brave",
             "do": {"take": ["key"], "set": {"trust": 0}, "clear": "brave"}},
            {"id": "wait", "text": "Wait", "goto": "hall", "fallback": True},
        ]},
    "cellar": {"title": "Cellar", "text": "It is dark.", "risky": True, "ending": {"kind": "death", "title": "Grue"}},
    "win": {"title": "Win", "beats": "found", "text": "He tells you.", "ending": {"kind": "canonical",
                                                                                 "title": "The Secret"}},
}}

OTHER_TYPES: tuple[Any, ...] = (7, 12_345_678_901, True, None, ["zzz"], {"zzz": 1}, "zzz text")
UNKNOWN_NAME = "zzz_unknown"
CONDITION_KEYS = ("if", "elif")
"""Conditions are a small language of their own: the schema only knows they are text."""


def positions(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path to every value in a document, outermost first."""
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from positions(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from positions(value, (*path, index))


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return changed


def value_at(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


def beyond_a_schema(document: Any, path: tuple[Any, ...], value: Any) -> bool:
    """Changes that break a relation between two values, which JSON Schema cannot state: a number
    against a counter's declared range (its default, the range's own ends), and a passage that an
    ``elif`` or ``else`` entry after it continues. ``check`` reports these; the schema cannot."""
    if isinstance(value, int) and not isinstance(value, bool) and ("range" in path or path[-1] == "default"):
        return True
    if len(path) > 1 and path[-2] == "text" and isinstance(path[-1], int):
        entries = value_at(document, path[:-1])
        following = entries[path[-1] + 1] if path[-1] + 1 < len(entries) else None
        return isinstance(following, dict) and ("elif" in following or set(following) == {"else"})
    return False


def mutations() -> Iterator[tuple[str, str, tuple[Any, ...], Any]]:
    """(file, readable id, path, new value) for every type-level and name-level change."""
    for name, document in (("story.yaml", STORY), ("one.yaml", ACT)):
        for path in positions(document):
            current = value_at(document, path)
            is_condition = path[-1] in CONDITION_KEYS
            for value in OTHER_TYPES:
                if value == current or (is_condition and isinstance(value, str)) \
                        or beyond_a_schema(document, path, value):
                    continue
                yield name, f"{name}:{'.'.join(map(str, path))}={value!r}", path, value
            if isinstance(current, str) and not is_condition and current.isidentifier() \
                    and not beyond_a_schema(document, path, UNKNOWN_NAME):
                yield name, f"{name}:{'.'.join(map(str, path))}={UNKNOWN_NAME}", path, UNKNOWN_NAME


def write(folder: Path, story: Any, act: Any) -> Path:
    return write_story(folder, story=yaml.safe_dump(story, sort_keys=False),
                       acts={"one.yaml": yaml.safe_dump(act, sort_keys=False)})


def check_accepts(folder: Path) -> bool:
    story, _ = check_story(folder)
    return story is not None


def schema_accepts(schema: dict[str, Any], *documents: Any) -> bool:
    validator = jsonschema.Draft202012Validator(schema)
    return all(validator.is_valid(document) for document in documents)


@pytest.fixture(scope="module")
def original(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = write(tmp_path_factory.mktemp("original"), STORY, ACT)
    story, problems = check_story(folder)
    assert story is not None, [str(p) for p in problems]
    return story_schema(story)


def test_the_original_story_is_valid_for_both(original: dict[str, Any]) -> None:
    assert schema_accepts(original, STORY, ACT) and schema_accepts(scene_schema(), STORY, ACT)


def test_schema_and_check_agree_on_every_mutation(tmp_path: Path, original: dict[str, Any]) -> None:
    general = scene_schema()
    disagreements = []
    for number, (name, label, path, value) in enumerate(mutations()):
        in_story = name == "story.yaml"
        story, act = (replaced(STORY, path, value), ACT) if in_story else (STORY, replaced(ACT, path, value))
        checked = check_accepts(write(tmp_path / str(number), story, act))
        if schema_accepts(original, story, act) != checked:
            disagreements.append(f"{label}: check {'accepts' if checked else 'rejects'}, the story schema does not")
        elif checked and not schema_accepts(general, story, act):
            disagreements.append(f"{label}: check accepts, the general schema rejects")
    assert disagreements == [], "\n".join(disagreements)


def test_the_mutations_cover_every_kind_of_value() -> None:
    labels = [label for _, label, _, _ in mutations()]
    assert len(labels) > 300
    for expected in ("one.yaml:scenes.hall.choices.0.goto=zzz_unknown", "story.yaml:title=7",
                     "one.yaml:scenes.hall.choices.1.locked=7", "story.yaml:variables.brave=7",
                     "one.yaml:scenes.hall.text.1.else=None"):
        assert expected in labels
