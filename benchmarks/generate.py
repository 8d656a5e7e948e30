"""Write a large synthetic story for the benchmarks: many files, realistic prose, real conditions.

The story is a long run of chapters of ten scenes. Each chapter hands the player an item and
resets a counter and a flag as it begins, offers branches that raise the counter or set the flag,
and locks some choices behind the item, the counter, the flag or a visit count, the way a real
story does. Every chapter ends in a scene that leads on to the next one, and one chapter in ten
has a death ending on a side branch, so the analysis has real endings and real locks to check.

    python -m benchmarks.generate OUT_DIR --scenes 10000
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

CHAPTER = 10
CHAPTERS_PER_FILE = 100
WORDS = ("rain", "station", "platform", "coat", "letter", "cipher", "border", "guard", "tram", "cello",
         "window", "shadow", "street", "river", "bridge", "engine", "signal", "paper", "stamp", "lamp",
         "corridor", "doorway", "ticket", "carriage", "whistle", "snow", "embassy", "courier", "dossier", "key")


def prose(rng: random.Random, words: int) -> str:
    sentences = []
    count = 0
    while count < words:
        length = rng.randint(6, 14)
        sentence = " ".join(rng.choice(WORDS) for _ in range(length))
        sentences.append(sentence.capitalize() + ".")
        count += length
    lines, line = [], ""
    for word in " ".join(sentences).split():
        if len(line) + len(word) > 78:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join("      " + line for line in lines)


def chapter(rng: random.Random, n: int, last: bool) -> str:
    """The YAML of chapter ``n`` (scenes c{n}_0 … c{n}_9)."""
    item, flag, counter = f"item_{n % 50}", f"flag_{n % 20}", f"count_{n % 20}"
    nxt = f"c{n + 1}_0" if not last else "the_end"
    out: list[str] = []

    def s(i: int) -> str:
        return f"c{n}_{i}"


    def scene(i: int, choices: list[str], extra: str = "") -> None:
        out.append(f"  {s(i)}:\n    title: Chapter {n}, scene {i}\n{extra}    text: |\n{prose(rng, 70)}\n"
                   "    choices:\n" + "".join(choices))

    def choice(cid: str, text: str, goto: str, cond: str = "", do: str = "") -> str:
        body = f"      - id: {cid}\n        text: {text}\n        goto: {goto}\n"
        if cond:
            body += f"        if: {cond}\n        locked: true\n"
        if do:
            body += f"        do: {do}\n"
        return body

    enter = f"    on_enter: {{give: {item}, set: {{{flag}: false, {counter}: 0}}}}\n"
    scene(0, [choice("left", "Take the left stair", s(1)), choice("right", "Take the right stair", s(2),
                                                                      do=f"{{add: {{{counter}: 1}}}}")], enter)
    scene(1, [choice("on", "Go on", s(3), do=f"{{set: {flag}}}"), choice("wait", "Wait", s(3))])
    scene(2, [choice("on", "Go on", s(3)), choice("hurry", "Hurry", s(4), do=f"{{add: {{{counter}: 1}}}}")])
    scene(3, [choice("open", "Open the case", s(4), cond=f"has {item}"), choice("leave", "Leave it", s(5))])
    scene(4, [choice("signal", "Signal", s(5), cond=f"{counter} >= 1 or {flag}", do=f"{{clear: {flag}}}"),
              choice("walk", "Walk on", s(5))])
    side = choice("risk", "Take the risk", f"x{n}") if n % 10 == 0 else ""
    scene(5, [choice("on", "Go on", s(6)), choice("back", "Look back", s(6), cond=f"visited {s(1)}",
                                                   do=f"{{add: {{{counter}: 2}}}}"), side])
    scene(6, [choice("on", "Go on", s(7)), choice("count", "Count the coins", s(7), cond=f"{counter} >= 2",
                                                  do=f"{{set: {{{counter}: 0}}}}")])
    scene(7, [choice("on", "Go on", s(8)), choice("flag", "Raise the flag", s(8), cond=f"{flag} or has {item}",
                                                   do=f"{{clear: {flag}}}")])
    scene(8, [choice("on", "Go on", s(9))])
    scene(9, [choice("next", "Go on to the next chapter", nxt, do=f"{{take: {item}}}")])
    if n % 10 == 0:
        out.append(f"  x{n}:\n    title: A wrong turn\n    text: |\n{prose(rng, 70)}\n"
                   "    ending: {kind: death, title: A wrong turn}\n")
    return "".join(out)


def generate(folder: Path, scenes: int, seed: int = 1) -> int:
    """Write a story of about ``scenes`` scenes into ``folder``; returns the number of scenes."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.yaml"):
        old.unlink()
    chapters = max(1, scenes // CHAPTER)
    items = "".join(f"  item_{i}:\n    name: Item {i}\n    description: Something small.\n" for i in range(50))
    variables = "".join(f"  flag_{i}: false\n  count_{i}: 0\n" for i in range(20))
    (folder / "story.yaml").write_text(
        f"id: generated\ntitle: Generated\nversion: \"{scenes}\"\nstart: c0_0\nacts:\n"
        + "".join(f"  part_{p}: Part {p}\n" for p in range((chapters + CHAPTERS_PER_FILE - 1) // CHAPTERS_PER_FILE))
        + f"items:\n{items}variables:\n{variables}", encoding="utf-8")
    total = 0
    for part, first in enumerate(range(0, chapters, CHAPTERS_PER_FILE)):
        body = [f"act: part_{part}\nscenes:\n"]
        for n in range(first, min(first + CHAPTERS_PER_FILE, chapters)):
            body.append(chapter(rng, n, n == chapters - 1))
            total += CHAPTER + (1 if n % 10 == 0 else 0)
        if first + CHAPTERS_PER_FILE >= chapters:
            body.append(f"  the_end:\n    title: The end\n    text: |\n{prose(rng, 70)}\n"
                        "    ending: {kind: canonical, title: The end}\n")
            total += 1
        (folder / f"part_{part:04d}.yaml").write_text("".join(body), encoding="utf-8")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--scenes", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.folder, args.scenes, args.seed), "scenes written to", args.folder)


if __name__ == "__main__":
    main()
