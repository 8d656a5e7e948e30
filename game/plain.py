"""Plain mode: the story line by line on standard streams, for pipes and screen readers.

Everything is plain text with no colour or cursor movement; each prompt reads one line. The
rules come from the engine and saving from the saves module; this module only prints states,
reads commands; the Session keeps the undo history, the clock and the saves.
"""

from __future__ import annotations

import io
import textwrap
import time
from collections.abc import Callable
from typing import TextIO

from game import engine, render
from game.display import count, play_time, saved_at
from game.engine import State
from game.saves import SaveError, SaveStore
from game.session import Session, journal
from game.story.model import Story
from game.story.problems import one_line

WIDTH = 78
HELP = """\
Commands:
  1, 2, 3 ...   take that choice
  look          show the scene again
  inventory, i  list what you carry
  dossier, d    what the people around you make of you
  journal, j    every scene so far and what you chose there
  journal N     read scene N of the journal again, as it was then
  undo, u       take back your last choice
  restart       start the story again from the beginning ('undo' takes you back)
  save NAME     save into a named slot (overwrites it)
  load NAME     load a named slot, 'quicksave' or an autosave
  saves         list the saves
  help, ?       show this help
  quit, q       leave the game (end of input also leaves)"""


AT_THE_END = textwrap.fill("The story is over here. Type 'undo' to take back your last choice, 'restart' to "
                           "play it again from the start, 'journal' to look back over the way you came, or "
                           "'quit' to leave.", WIDTH)


def wrap(paragraphs: list[str], width: int = WIDTH) -> str:
    """Reflow prose paragraph by paragraph, keeping the blank lines between them."""
    return "\n\n".join(textwrap.fill(p, width) for p in paragraphs)


def render_page(story: Story, state: State) -> list[str]:
    """The scene's heading and prose as plain text, a blank line after each."""
    scene = engine.scene_of(story, state)
    act = story.act(scene.act).title if scene.act else ""
    heading = f"{act} — {scene.title}" if act and act != scene.title else scene.title
    return [f"== {heading} ==", "", wrap(render.scene_paragraphs(story, state)), ""]


def render_scene(story: Story, state: State) -> str:
    """The scene title, prose and choices (locked ones with their reason) as plain text."""
    scene = engine.scene_of(story, state)
    lines = render_page(story, state)
    ending = scene.ending
    if ending is not None:
        lines.append(f"*** THE END: {ending.title} ({ending.kind} ending, {count(state.moves, 'move')}) ***")
        return "\n".join(lines)
    for view in engine.choice_views(story, state):
        if view.is_open:
            lines.append(f"  {view.number}. {view.text}")
        else:
            lines.append(f"  -  {view.text} [locked: {view.locked_reason}]")
    return "\n".join(lines)


def render_dossier(story: Story, state: State) -> str:
    """The shown variables, one per line; a story that shows none says so."""
    lines = render.dossier(story, state)
    if not lines:
        keeps = any(variable.label is not None for variable in story.variables.values())
        return "Nothing in your dossier yet." if keeps else "This story keeps no dossier."
    width = max(len(line.label) for line in lines)
    return "\n".join(["Dossier:", *(f"  {line.label:<{width}}  {line.text}" for line in lines)])


def render_journal(story: Story, state: State, asked: str = "") -> str:
    """The journal: each scene so far with the choice taken there; with ``asked`` (a number), that
    scene again as it read then, and what was chosen."""
    steps = journal(story, state)
    if not asked:
        lines = ["Journal:"]
        for number, step in enumerate(steps, 1):
            taken = step.choice_text()
            lines.append(f"  {number}. {story.scenes[step.state.scene].title}"
                         + (f" → {taken}" if taken is not None else "  (you are here)"))
        return "\n".join([*lines, "Type 'journal N' to read scene N again."])
    number = int(asked) if is_choice_number(asked) and len(asked) <= 6 else 0
    if not 1 <= number <= len(steps):
        return f"The journal has scenes 1 to {len(steps)}; type 'journal N' with one of those."
    step = steps[number - 1]
    taken = step.choice_text()
    chosen = f"You chose: {taken}" if taken is not None else "(You are here.)"
    return "\n".join([*render_page(story, step.state), chosen])


def render_inventory(story: Story, state: State) -> str:
    if not state.inventory:
        return "You carry nothing of note."
    lines = ["You carry:"]
    for item_id in sorted(state.inventory, key=lambda i: story.items[i].name):
        item = story.items[item_id]
        lines.append(f"  {item.name}" + (f" — {item.description}" if item.description else ""))
    return "\n".join(lines)


def render_saves(store: SaveStore, story: Story) -> str:
    infos = store.list(story)
    if not infos:
        return "There are no saves yet."
    lines = ["Saves:"]
    for info in infos:
        if info.error:
            lines.append(f"  {info.slot:<20} (cannot be loaded: {info.error})")
        else:
            lines.append(f"  {info.slot:<20} {info.act_title} — {info.scene_title}, {count(info.moves, 'move')}, "
                         f"{play_time(info.elapsed)}, saved {saved_at(info.saved_at)}")
    return "\n".join(lines)



def _interactive(stream: TextIO) -> bool:
    """Whether ``stream`` is a terminal (a closed one is not)."""
    try:
        return stream.isatty()
    except (ValueError, OSError):
        return False


def is_choice_number(word: str) -> bool:
    """Whether a typed word is a choice number: ASCII digits only ('²' is a digit to
    ``str.isdigit`` but no number to ``int``)."""
    return word.isascii() and word.isdigit()


class PlainGame:
    """One plain-mode session: reads commands and prints what the Session does with them."""

    def __init__(self, story: Story, stdin: TextIO, stdout: TextIO, store: SaveStore | None = None,
                 state: State | None = None, clock: Callable[[], float] = time.monotonic,
                 echo: bool = False) -> None:
        self.story = story
        self.stdin = stdin
        self.stdout = stdout
        self.session = Session(story, store, state, clock)
        self.echo = echo
        """Write each command after its prompt, so that output read alone is a transcript."""
        self.stays = _interactive(stdin)
        """Whether the game goes on taking commands at an ending (undo, restart): for a player at a
        keyboard, yes; a script's game ends there, as its input was written to reach it."""

    def say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def run(self) -> int:
        """Play until ``quit`` or the end of input, or (for a script, see ``stays``) an ending.
        Returns the process exit code."""
        self.say(render_scene(self.story, self.session.state))
        if self.session.ending is not None and self.stays:
            self.say(AT_THE_END)
        while self.session.ending is None or self.stays:
            self.stdout.write("> ")
            self.stdout.flush()
            line = self.stdin.readline()
            if self.echo:
                self.stdout.write(line if line.endswith("\n") else line + "\n")
            if not line:
                self.say("\n(end of input: leaving the game)")
                return 0
            if not self.command(line.strip()):
                return 0
        return 0

    def command(self, line: str) -> bool:
        """Carry out one command; False when the player quits."""
        verb, _, rest = line.partition(" ")
        verb = verb.lower()
        rest = rest.strip()
        state = self.session.state
        if verb in ("q", "quit", "exit"):
            self.say("You leave the story here.")
            return False
        if verb in ("?", "h", "help"):
            self.say(HELP)
        elif verb in ("d", "dossier"):
            self.say(render_dossier(self.story, state))
        elif verb in ("i", "inv", "inventory"):
            self.say(render_inventory(self.story, state))
        elif verb in ("l", "look"):
            self.say(render_scene(self.story, state))
        elif verb in ("j", "journal"):
            self.say(render_journal(self.story, state, rest))
        elif verb == "restart":
            self.session.restart()
            self.say("(started again from the beginning: 'undo' takes you back)\n")
            self.say(render_scene(self.story, self.session.state))
        elif verb in ("u", "undo"):
            if self.session.undo():
                self.say("(undone)\n")
                self.say(render_scene(self.story, self.session.state))
                if self.session.ending is not None and self.stays:  # undoing a restart
                    self.say(AT_THE_END)
            else:
                self.say("There is nothing to undo yet.")
        elif verb in ("save", "load", "saves"):
            self.saving(verb, rest)
        elif is_choice_number(verb):
            self.take(verb)
        elif verb:
            typed = one_line(line[:40])  # a typed escape is shown, not obeyed
            self.say(f"Unknown command '{typed}'. Type a choice number, or 'help'.")
        return True

    def take(self, typed: str) -> None:
        """Take the open choice numbered ``typed`` (ASCII digits, however many a player types)."""
        if self.session.ending is not None:
            self.say(AT_THE_END)
            return
        open_choices = engine.open_choices(self.story, self.session.state)
        number = int(typed) if len(typed) <= 6 else 0  # int() refuses 4,300 digits and more
        if not 1 <= number <= len(open_choices):
            shown = typed if len(typed) <= 6 else f"{typed[:6]}…"
            self.say(f"There is no choice {shown}; pick 1 to {len(open_choices)}.")
            return
        messages = self.session.choose(open_choices[number - 1].id)
        self.say("")
        self.say(render_scene(self.story, self.session.state))
        for message in messages:
            self.say(f"({message})")
        if self.session.ending is not None and self.stays:
            self.say(AT_THE_END)

    def saving(self, verb: str, name: str) -> None:
        store = self.session.store
        if store is None:
            self.say("Saving is switched off in this session.")
            return
        try:
            if verb == "saves":
                self.say(render_saves(store, self.story))
            elif not name:
                self.say(f"Usage: {verb} NAME")
            elif verb == "save":
                info = self.session.save(name)
                self.say(f"Saved '{info.slot}'.")
            else:
                loaded = self.session.load(name)
                for note in loaded.notes:
                    self.say(f"({note})")
                self.say(f"Loaded '{name}'.\n")
                self.say(render_scene(self.story, loaded.state))
        except SaveError as exc:
            self.say(f"Cannot {verb}: {exc}")


def transcript(story: Story, choice_ids: list[str]) -> str:
    """The plain-mode session of playing ``choice_ids``, with each typed number shown."""
    numbers = []
    state = engine.new_game(story)
    for choice_id in choice_ids:
        open_ids = [c.id for c in engine.open_choices(story, state)]
        numbers.append(str(open_ids.index(choice_id) + 1))
        state = engine.choose(story, state, choice_id)
    out = io.StringIO()
    PlainGame(story, io.StringIO("\n".join(numbers) + "\n"), out, echo=True).run()
    return out.getvalue()
