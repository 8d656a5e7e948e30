"""JSON Schema of the scene format, for editors with the YAML language server.

Built from the loader's own key lists, so the schema and the loader cannot drift apart: a key the
loader accepts without a description here fails loudly when the schema is built.
"""

from __future__ import annotations

import json

from game.story import loader

IDENT = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}
NAMES = {"anyOf": [IDENT, {"type": "array", "items": IDENT}]}
TEXT = {"type": "string", "minLength": 1}

DESCRIPTIONS = {
    "id": "Stable name: letters, digits and _.",
    "title": "Shown to players.",
    "version": "Your version of the story, kept in saves.",
    "start": "Id of the first scene.",
    "acts": "Ordered mapping of act id to act title.",
    "items": "Mapping of item id to {name, description}.",
    "variables": "Mapping of variable id to its default (true/false: a flag; a whole number: a counter).",
    "beats": "Mapping of plot beat id to its title, or to {title, canonical}.",
    "description": "A line or two about it.",
    "act": "The act these scenes belong to, declared in story.yaml.",
    "scenes": "Mapping of scene id to scene.",
    "text": "The prose. Use | and blank lines between paragraphs.",
    "on_enter": "Effects applied every time the scene is entered.",
    "choices": "The choices; a scene without choices must be an ending.",
    "ending": "Makes the scene an ending.",
    "goto": "Id of the scene the choice leads to.",
    "if": "A condition such as 'has keys and trust >= 2'; while false the choice is locked.",
    "locked": "Show the choice while locked: a text gives the reason, true lets the game write one.",
    "do": "Effects applied when the choice is taken.",
    "give": "Items to add to the inventory.",
    "take": "Items to remove.",
    "set": "Flags to set to true, or a mapping of variable to value.",
    "clear": "Flags to set to false.",
    "add": "Mapping of counter to the whole number added to it.",
    "kind": "canonical, alternate, death or failure.",
    "name": "The item's name as players see it.",
    "default": "The starting value, whose type is the variable's type.",
    "canonical": "The film's own path must show this beat.",
}


def _object(keys: tuple[str, ...], properties: dict, required: tuple[str, ...] = ()) -> dict:
    missing = set(keys) - set(properties)
    if missing:
        raise KeyError(f"schema has no entry for {sorted(missing)}")
    return {
        "type": "object",
        "properties": {k: {**properties[k], "description": DESCRIPTIONS[k]} for k in keys},
        "required": list(required),
        "additionalProperties": False,
    }


def _mapping_of(value: dict) -> dict:
    return {"type": "object", "propertyNames": IDENT, "additionalProperties": value}


def scene_schema() -> dict:
    """The whole schema: a story folder's files are either story.yaml or an act file."""
    effects = _object(loader.EFFECT_KEYS, {
        "give": NAMES, "take": NAMES, "clear": NAMES,
        "set": {"anyOf": [*NAMES["anyOf"], _mapping_of({"type": ["boolean", "integer"]})]},
        "add": _mapping_of({"type": "integer"}),
    })
    choice = _object(loader.CHOICE_KEYS, {
        "id": IDENT, "text": TEXT, "goto": IDENT, "if": {"type": "string"},
        "locked": {"type": ["string", "boolean"]}, "do": {"$ref": "#/$defs/effects"},
    }, ("id", "text", "goto"))
    ending = _object(loader.ENDING_KEYS, {"kind": {"enum": list(loader.ENDING_KINDS)}, "title": TEXT},
                     loader.ENDING_KEYS)
    scene = _object(loader.SCENE_KEYS, {
        "title": TEXT, "text": TEXT, "act": IDENT, "beats": NAMES, "on_enter": {"$ref": "#/$defs/effects"},
        "choices": {"type": "array", "items": {"$ref": "#/$defs/choice"}}, "ending": ending,
    }, ("title", "text"))
    act_file = _object(loader.ACT_FILE_KEYS, {"act": IDENT, "scenes": _mapping_of({"$ref": "#/$defs/scene"})},
                       loader.ACT_FILE_KEYS)
    item = _object(loader.ITEM_KEYS, {"name": TEXT, "description": {"type": "string"}}, ("name",))
    variable = {"anyOf": [{"type": ["boolean", "integer"]},
                          _object(loader.VARIABLE_KEYS, {"default": {"type": ["boolean", "integer"]},
                                                         "description": {"type": "string"}}, ("default",))]}
    beat = {"anyOf": [TEXT, _object(loader.BEAT_KEYS, {"title": TEXT, "canonical": {"type": "boolean"}},
                                    ("title",))]}
    story_file = _object(loader.STORY_KEYS, {
        "id": IDENT, "title": TEXT, "version": {"type": ["string", "number"]}, "start": IDENT,
        "acts": _mapping_of(TEXT), "items": _mapping_of(item), "variables": _mapping_of(variable),
        "beats": _mapping_of(beat), "description": {"type": "string"},
    }, ("id", "title", "version", "start", "acts"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Daylights scene file",
        "description": "A story folder's story.yaml, or one of its act files. See docs/AUTHORING.md.",
        "anyOf": [{"$ref": "#/$defs/storyFile"}, {"$ref": "#/$defs/actFile"}],
        "$defs": {"storyFile": story_file, "actFile": act_file, "scene": scene, "choice": choice,
                  "effects": effects},
    }


def schema_text() -> str:
    return json.dumps(scene_schema(), indent=2) + "\n"
