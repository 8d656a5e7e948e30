"""The key bar: one line at the foot of every screen naming the keys that work there."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widget import Widget


class KeyBar(Widget):
    """The screen's shown bindings as one line of text; clicking a key presses it.

    Textual's ``Footer`` mounts a widget per key and restyles each one as it appears, which cost a
    third of the game's start-up; one widget rendering one line does the same job for a game's
    handful of keys. Like ``Footer``, it follows focus changes and shows the command palette key
    on the right.
    """

    COMPONENT_CLASSES = {"keybar--key", "keybar--description", "keybar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .keybar--disabled { text-style: dim; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._keys: list[tuple[int, int, str, bool]] = []
        """(first column, end column, key, enabled) of each key shown, for clicks."""

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh())

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def shown(self) -> tuple[list[tuple[Binding, bool]], list[tuple[Binding, bool]]]:
        """The screen's shown bindings (one per action) and the command palette's, each with whether it is enabled."""
        bindings = self.screen.active_bindings
        palette_key = self.app.COMMAND_PALETTE_BINDING
        seen: dict[str, tuple[Binding, bool]] = {}
        for key, (_node, binding, enabled, _tooltip) in bindings.items():
            if binding.show and key != palette_key and binding.action not in seen:
                seen[binding.action] = (binding, enabled)
        palette = bindings.get(palette_key) if self.app.ENABLE_COMMAND_PALETTE else None
        return list(seen.values()), [(palette.binding, palette.enabled)] if palette else []

    def render(self) -> Text:
        left, right = self.shown()
        line = Text(no_wrap=True, overflow="crop")
        self._keys = []
        for binding, enabled in left:
            self._append(line, binding, enabled)
        if right:
            width = sum(len("".join(self._labels(binding))) for binding, _ in right)
            line.append(" " * max(1, self.size.width - len(line) - width))
            for binding, enabled in right:
                self._append(line, binding, enabled)
        return line

    def _labels(self, binding: Binding) -> tuple[str, str]:
        return f" {self.app.get_key_display(binding)} ", f"{binding.description} "

    def _append(self, line: Text, binding: Binding, enabled: bool) -> None:
        key, description = self._labels(binding)
        key_style = self.get_component_rich_style("keybar--key")
        description_style = self.get_component_rich_style("keybar--description")
        if not enabled:
            dim = self.get_component_rich_style("keybar--disabled")
            key_style, description_style = key_style + dim, description_style + dim
        start = len(line)
        line.append(key, key_style)
        line.append(description, description_style)
        self._keys.append((start, len(line), binding.key, enabled))

    def on_click(self, event: events.Click) -> None:
        for start, end, key, enabled in self._keys:
            if start <= event.x < end:
                event.stop()
                if enabled:
                    self.app.simulate_key(key)
                else:
                    self.app.bell()
                return
