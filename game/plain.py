"""Plain mode: the story line by line on standard streams, for pipes and screen readers.

Everything is plain text with no colour or cursor movement; each prompt reads one line. The
rules come from the engine; this module only prints states and reads commands.
"""

from __future__ import annotations

import textwrap
from typing import TextIO

from game import engine
from game.engine import State
from game.story.model import Story

WIDTH = 78
HELP = """\
Commands:
  1, 2, 3 ...   take that choice
  look          show the scene again
  inventory, i  list what you carry
  undo, u       take back your last choice
  help, ?       show this help
  quit, q       leave the game (end of input also leaves)"""


def wrap(text: str, width: int = WIDTH) -> str:
    """Reflow prose paragraph by paragraph, keeping the blank lines between them."""
    paragraphs = [" ".join(p.split()) for p in text.strip().split("\n\n")]
    return "\n\n".join(textwrap.fill(p, width) for p in paragraphs if p)


def render_scene(story: Story, state: State) -> str:
    """The scene title, prose and choices (locked ones with their reason) as plain text."""
    scene = engine.scene_of(story, state)
    act = story.act(scene.act).title if scene.act else ""
    heading = f"{act} — {scene.title}" if act and act != scene.title else scene.title
    lines = [f"== {heading} ==", "", wrap(scene.text), ""]
    ending = scene.ending
    if ending is not None:
        lines.append(f"*** THE END: {ending.title} ({ending.kind} ending, {state.moves} moves) ***")
        return "\n".join(lines)
    for view in engine.choice_views(story, state):
        if view.is_open:
            lines.append(f"  {view.number}. {view.choice.text}")
        else:
            lines.append(f"  -  {view.choice.text} [locked: {view.locked_reason}]")
    return "\n".join(lines)


def render_inventory(story: Story, state: State) -> str:
    if not state.inventory:
        return "You carry nothing of note."
    lines = ["You carry:"]
    for item_id in sorted(state.inventory, key=lambda i: story.items[i].name):
        item = story.items[item_id]
        lines.append(f"  {item.name}" + (f" — {item.description}" if item.description else ""))
    return "\n".join(lines)


def play(story: Story, stdin: TextIO, stdout: TextIO, state: State | None = None) -> int:
    """Play until an ending, ``quit`` or the end of input. Returns the process exit code."""
    history = [state or engine.new_game(story)]

    def say(text: str) -> None:
        stdout.write(text + "\n")
        stdout.flush()

    say(render_scene(story, history[-1]))
    while engine.ending_of(story, history[-1]) is None:
        stdout.write("> ")
        stdout.flush()
        line = stdin.readline()
        if not line:
            say("\n(end of input: leaving the game)")
            return 0
        command = line.strip().lower()
        current = history[-1]
        if command in ("q", "quit", "exit"):
            say("You leave the story here.")
            return 0
        if command in ("?", "h", "help"):
            say(HELP)
        elif command in ("i", "inv", "inventory"):
            say(render_inventory(story, current))
        elif command in ("l", "look"):
            say(render_scene(story, current))
        elif command in ("u", "undo"):
            if len(history) == 1:
                say("There is nothing to undo yet.")
            else:
                history.pop()
                say("(undone)\n")
                say(render_scene(story, history[-1]))
        elif command.isdigit():
            open_choices = engine.open_choices(story, current)
            number = int(command)
            if 1 <= number <= len(open_choices):
                history.append(engine.choose(story, current, open_choices[number - 1].id))
                say("")
                say(render_scene(story, history[-1]))
            else:
                say(f"There is no choice {number}; pick 1 to {len(open_choices)}.")
        elif command:
            say(f"Unknown command '{command[:40]}'. Type a choice number, or 'help'.")
    return 0
