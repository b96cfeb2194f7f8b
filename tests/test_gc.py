"""Pausing the cyclic garbage collector during bulk loads: nested, shared, restored."""

from __future__ import annotations

import gc
import threading

import pytest

from regtimeline import dump, load
from regtimeline._gc import paused_gc
from regtimeline.examples import twitter_russia


@pytest.fixture
def collector_enabled():
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_nested_pauses_enable_it_again_at_the_last_end(collector_enabled):
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_program_that_disabled_it_keeps_it_disabled(collector_enabled):
    gc.disable()
    with paused_gc():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_it_is_enabled_again_after_an_error(collector_enabled):
    with pytest.raises(ValueError, match="inside"), paused_gc():
        raise ValueError("inside")
    assert gc.isenabled()


def test_threads_share_one_pause(collector_enabled):
    """A pause that ends in one thread does not end another thread's pause."""
    inside, release = threading.Event(), threading.Event()

    def other():
        with paused_gc():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with paused_gc():
        thread.start()
        inside.wait(10)
    assert not gc.isenabled()  # the other thread's pause is still on
    release.set()
    thread.join(10)
    assert gc.isenabled()


def test_load_and_dump_leave_it_as_they_found_it(collector_enabled, tmp_path):
    path = tmp_path / "case.jsonl"
    dump(twitter_russia(), path)
    assert load(path) == twitter_russia()
    assert gc.isenabled()
    gc.disable()
    load(path)
    assert not gc.isenabled()


def test_a_program_s_frozen_objects_stay_frozen(collector_enabled):
    """The promotion at the end of a pause never thaws what the program froze."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_what_a_pause_made_is_in_the_oldest_generation_and_still_collected(collector_enabled):
    """Objects made during a pause skip the young generations; cycles are still freed."""

    class Node:
        pass

    with paused_gc():
        cycle = Node()
        cycle.me = cycle
        kept = [Node() for _ in range(1000)]
    young = {id(o) for o in gc.get_objects(generation=0) + gc.get_objects(generation=1)}
    assert not young & {id(cycle), *map(id, kept)}
    assert any(o is cycle for o in gc.get_objects(generation=2))
    del cycle
    assert gc.collect() >= 1
    assert not any(isinstance(o, Node) and o not in kept for o in gc.get_objects())
