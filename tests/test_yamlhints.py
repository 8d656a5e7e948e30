"""The YAML hints never make an error worse: whatever the text, a hint is a located line, not a crash."""

from __future__ import annotations

import yaml
from hypothesis import given
from hypothesis import strategies as st

from game.story.yamlhints import explain

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The loader the game uses: libyaml's when installed."""

YAML_ISH = st.lists(st.sampled_from([*"ab: -\t\n'\"[]{}#|>@`%&*!,?", "  ", "title", "text: ", "\n  "]),
                    max_size=60).map("".join)


@given(YAML_ISH)
def test_any_syntax_error_gets_a_hint_inside_the_file(text: str) -> None:
    try:
        yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        line, column, message = explain(text, error)
        assert 1 <= line <= text.count("\n") + 1
        assert column >= 1 and message and "\n" not in message
    except yaml.YAMLError:
        pass
