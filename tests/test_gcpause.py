"""The collector pauses: around story building, and for the start-up of the game."""

from __future__ import annotations

import gc

from game.gcpause import paused_gc, start_up, start_up_done


def test_paused_gc_restores_the_collector_even_after_an_error() -> None:
    assert gc.isenabled()
    try:
        with paused_gc():
            assert not gc.isenabled()
            raise ValueError
    except ValueError:
        pass
    assert gc.isenabled()


def test_start_up_pauses_until_done_then_freezes_what_start_up_built() -> None:
    try:
        with start_up():
            assert not gc.isenabled()
            start_up_done()
            assert gc.isenabled() and gc.get_freeze_count() > 0
            start_up_done()
            assert gc.isenabled()
        assert gc.isenabled()
    finally:
        gc.unfreeze()


def test_start_up_resumes_collection_when_the_program_ends_early() -> None:
    with start_up():
        assert not gc.isenabled()
    assert gc.isenabled() and gc.get_freeze_count() == 0
    start_up_done()
    assert gc.get_freeze_count() == 0
