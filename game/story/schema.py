"""JSON Schema of the scene format, for editors with the YAML language server.

Built from the loader's own key lists, so the schema and the loader cannot drift apart: a key the
loader accepts without a description here fails loudly when the schema is built. It reads values
the way ``check`` does: a text field takes any scalar as text (``title: 1984``, ``text: No``),
names follow the loader's rule for ids, and variables keep the type of their default.

``story_schema`` is the same schema for one story: every place that names a scene, item,
variable, act or beat lists that story's names, so an editor completes them and marks a typo, and
``set``/``add`` know which variables are flags and which are counters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from game.story import loader
from game.story.model import MAX_VALUE, Story, Variable

Schema = dict[str, Any]

STORY_SCHEMA = "schema.json"
"""The file ``daylights schema --story DIR`` (and ``daylights new``) writes into a story folder."""

IDENT: Schema = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}
TEXT: Schema = {"anyOf": [{"type": "string", "pattern": r"\S"}, {"type": "integer"},
                          {"type": "number", "not": {"type": "integer"}}, {"type": "boolean"}]}
"""Any scalar but an empty one: YAML reads ``1984`` as a number and ``No`` as false, but a writer
means the words, and so does the loader."""
CONDITION: Schema = {"type": "string"}

DESCRIPTIONS = {
    "id": "Stable name: a letter or _, then letters, digits and _.",
    "title": "Shown to players.",
    "subtitle": "A line under the title on the title screen.",
    "author": "Who wrote the story, shown on the title screen.",
    "blurb": "A few sentences that present the story on the title screen and in --help.",
    "version": "Your version of the story, kept in saves.",
    "start": "Id of the first scene.",
    "acts": "Ordered mapping of act id to act title.",
    "items": "Mapping of item id to {name, description}.",
    "variables": "Mapping of variable id to its default (true/false: a flag; a whole number: a counter), "
                 "or to {default, description, show, range}.",
    "beats": "Mapping of plot beat id to its title, or to {title, canonical}.",
    "description": "A line or two about it, for writers.",
    "act": "The act these scenes belong to, declared in story.yaml.",
    "scenes": "Mapping of scene id to scene.",
    "text": "The prose: a text (use | and blank lines between paragraphs), or a list of paragraphs and "
            "{if, text, else} / {elif, text, else} / {else} entries.",
    "on_enter": "Effects applied every time the scene is entered.",
    "choices": "The choices; a scene without choices must be an ending.",
    "ending": "Makes the scene an ending.",
    "goto": "Id of the scene the choice leads to.",
    "if": "A condition such as 'has keys and trust >= 2'; while false the choice is locked.",
    "locked": "Show the choice while locked: a text gives the reason, true lets the game write one.",
    "do": "Effects applied when the choice is taken.",
    "once": "The choice disappears once taken.",
    "fallback": "Shown only when no other choice is open.",
    "risky": "You assert that the danger is visible to the player (silences check's 'doomed' warning).",
    "give": "Items to add to the inventory.",
    "take": "Items to remove.",
    "set": "Flags to set to true, or a mapping of variable to value.",
    "clear": "Flags to set to false.",
    "add": "Mapping of counter to the whole number added to it.",
    "kind": "canonical, alternate, death or failure.",
    "name": "The item's name as players see it.",
    "default": "The starting value, whose type is the variable's type.",
    "show": "Show the variable to players in the dossier, under this label.",
    "range": "[lowest, highest]: a counter the engine keeps inside this range.",
    "canonical": "The story's canonical path must show this beat.",
}


class _Names:
    """What a reference may name: any well-formed id, or (for one story) the names it declares."""

    def __init__(self, story: Story | None) -> None:
        self.story = story

    def _one_of(self, names: Iterable[str], what: str) -> Schema:
        if self.story is None:
            return IDENT
        known = sorted(names)
        if not known:
            return {"not": {}, "description": f"this story declares no {what}"}
        return {"enum": known}

    def scene(self) -> Schema:
        return self._one_of(self.story.scenes if self.story else (), "scenes")

    def item(self) -> Schema:
        return self._one_of(self.story.items if self.story else (), "items")

    def act(self) -> Schema:
        return self._one_of((a.id for a in self.story.acts) if self.story else (), "acts")

    def beat(self) -> Schema:
        return self._one_of((b.id for b in self.story.beats) if self.story else (), "beats")

    def flag(self) -> Schema:
        return self._one_of(self._variables(bool), "flags")

    def counter(self) -> Schema:
        return self._one_of(self._variables(int), "counters")

    def _variables(self, kind: type) -> list[str]:
        if self.story is None:
            return []
        return [v.id for v in self.story.variables.values() if isinstance(v.default, bool) == (kind is bool)]

    def settings(self) -> Schema:
        """``set: {name: value}``: each variable with a value of its own type, inside its range."""
        if self.story is None:
            return _mapping_of({"type": ["boolean", "integer"]})
        return {"type": "object", "properties": {v.id: _value_of(v) for v in self.story.variables.values()},
                "additionalProperties": False}

    def declared(self, section: str, generic: Schema) -> Schema:
        """A section of story.yaml: the names this story's files use must stay declared (removing
        one breaks every file that names it), and a variable keeps its type; new names may be added."""
        if self.story is None:
            return _mapping_of(generic)
        names: list[str] = {"acts": [a.id for a in self.story.acts], "items": list(self.story.items),
                            "variables": list(self.story.variables), "beats": [b.id for b in self.story.beats]}[section]
        pinned: dict[str, Schema] = {}
        for variable in self.story.variables.values() if section == "variables" else ():
            value = {"type": "boolean" if isinstance(variable.default, bool) else "integer"}
            pinned[variable.id] = {"anyOf": [value, {**generic["anyOf"][1], "properties": {
                **generic["anyOf"][1]["properties"], "default": {**value, "description": DESCRIPTIONS["default"]}}}]}
        return {**_mapping_of(generic), "required": names, "properties": pinned}

    def additions(self) -> Schema:
        if self.story is None:
            return _mapping_of({"type": "integer"})
        return {"type": "object", "propertyNames": self.counter(), "additionalProperties": {"type": "integer"}}


def _object(keys: tuple[str, ...], properties: Schema, required: tuple[str, ...] = ()) -> Schema:
    missing = set(keys) - set(properties)
    if missing:
        raise KeyError(f"schema has no entry for {sorted(missing)}")
    return {
        "type": "object",
        "properties": {k: {**properties[k], "description": DESCRIPTIONS[k]} for k in keys},
        "required": list(required),
        "additionalProperties": False,
    }


def _value_of(variable: Variable) -> Schema:
    """The values ``set`` may give a variable: its type, and a counter's declared range."""
    if isinstance(variable.default, bool):
        return {"type": "boolean"}
    bounds = {"minimum": variable.low} if variable.low is not None else {}
    if variable.high is not None:
        bounds["maximum"] = variable.high
    return {"type": "integer", **bounds}


def _mapping_of(value: Schema) -> Schema:
    return {"type": "object", "propertyNames": IDENT, "additionalProperties": value}


def _names(one: Schema) -> Schema:
    """One name or a list of names."""
    return {"anyOf": [one, {"type": "array", "items": one}]}


def _prose() -> Schema:
    """Scene text: a text, or a list of paragraphs and if/elif/else entries (which nest)."""
    body = {"$ref": "#/$defs/prose"}
    entry = {"anyOf": [
        body,
        {"type": "object", "properties": {"if": CONDITION, "text": body, "else": body},
         "required": ["if", "text"], "additionalProperties": False},
        {"type": "object", "properties": {"elif": CONDITION, "text": body, "else": body},
         "required": ["elif", "text"], "additionalProperties": False},
        {"type": "object", "properties": {"else": body}, "required": ["else"], "additionalProperties": False},
    ]}
    return {"anyOf": [TEXT, {"type": "array", "items": entry, "minItems": 1}]}


def _build(names: _Names) -> Schema:
    flags = names.flag()
    effects = _object(loader.EFFECT_KEYS, {
        "give": _names(names.item()), "take": _names(names.item()), "clear": _names(flags),
        "set": {"anyOf": [*_names(flags)["anyOf"], names.settings()]},
        "add": names.additions(),
    })
    choice = _object(loader.CHOICE_KEYS, {
        "id": IDENT, "text": TEXT, "goto": names.scene(), "if": CONDITION,
        "locked": TEXT, "do": {"$ref": "#/$defs/effects"},
        "once": {"type": "boolean"}, "fallback": {"type": "boolean"}, "risky": {"type": "boolean"},
    }, ("id", "text", "goto"))
    ending = _object(loader.ENDING_KEYS, {"kind": {"enum": list(loader.ENDING_KINDS)}, "title": TEXT},
                     loader.ENDING_KEYS)
    scene = _object(loader.SCENE_KEYS, {
        "title": TEXT, "text": {"$ref": "#/$defs/prose"}, "act": names.act(), "beats": _names(names.beat()),
        "on_enter": {"$ref": "#/$defs/effects"}, "choices": {"type": "array", "items": {"$ref": "#/$defs/choice"},
                                                              "minItems": 1},
        "ending": ending, "risky": {"type": "boolean"},
    }, ("title", "text"))
    scene["anyOf"] = [{"required": ["choices"], "not": {"required": ["ending"]}},
                      {"required": ["ending"], "not": {"required": ["choices"]}}]
    act_file = _object(loader.ACT_FILE_KEYS, {"act": names.act(), "scenes": _mapping_of({"$ref": "#/$defs/scene"})},
                       loader.ACT_FILE_KEYS)
    item = _object(loader.ITEM_KEYS, {"name": TEXT, "description": TEXT}, ("name",))
    value = {"type": ["boolean", "integer"]}
    variable = {"anyOf": [value, _object(loader.VARIABLE_KEYS, {
        "default": value, "description": TEXT, "show": TEXT,
        "range": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
    }, ("default",))]}
    beat = {"anyOf": [TEXT, _object(loader.BEAT_KEYS, {"title": TEXT, "canonical": {"type": "boolean"}},
                                    ("title",))]}
    story_file = _object(loader.STORY_KEYS, {
        "id": IDENT, "title": TEXT, "subtitle": TEXT, "author": TEXT, "blurb": TEXT, "version": TEXT,
        "start": names.scene(), "acts": names.declared("acts", TEXT), "items": names.declared("items", item),
        "variables": names.declared("variables", variable), "beats": names.declared("beats", beat),
        "description": TEXT,
    }, ("id", "title", "version", "start", "acts"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Daylights scene file",
        "description": "A story folder's story.yaml, or one of its act files. See docs/AUTHORING.md.",
        "anyOf": [{"$ref": "#/$defs/storyFile"}, {"$ref": "#/$defs/actFile"}],
        "$defs": {"storyFile": story_file, "actFile": act_file, "scene": scene, "choice": choice,
                  "effects": effects, "prose": _prose()},
    }


def _bounded(schema: object) -> object:
    """Every whole number in the schema kept within the loader's bounds (a larger one is refused
    wherever it is written, even as a title), so that the schema and ``check`` agree."""
    if isinstance(schema, list):
        return [_bounded(part) for part in schema]
    if not isinstance(schema, dict):
        return schema
    bounded = {key: value if key == "not" else _bounded(value) for key, value in schema.items()}
    kinds = schema.get("type")
    if "integer" in ([kinds] if isinstance(kinds, str) else kinds or []):
        bounded.setdefault("minimum", -MAX_VALUE)
        bounded.setdefault("maximum", MAX_VALUE)
    return bounded


def scene_schema() -> Schema:
    """The whole schema: a story folder's files are either story.yaml or an act file."""
    return _bounded(_build(_Names(None)))  # type: ignore[return-value]


def story_schema(story: Story) -> Schema:
    """The schema for one story's files, with its names listed wherever a file refers to one."""
    schema: Schema = _bounded(_build(_Names(story)))  # type: ignore[assignment]
    schema["title"] = f"Daylights scene file of '{story.id}'"
    schema["$comment"] = ("Written by 'daylights schema --story'; write it again after declaring new names "
                          "or adding scenes.")
    return schema


def schema_text() -> str:
    return json.dumps(scene_schema(), indent=2) + "\n"


def story_schema_text(story: Story) -> str:
    return json.dumps(story_schema(story), indent=2, ensure_ascii=False) + "\n"
