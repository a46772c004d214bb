"""The page-part cache: kept while the data stands still, gone when it moves on."""

from __future__ import annotations

import sys
import threading

from django.utils.safestring import mark_safe

from kpiboard.web.fragments import FragmentCache


class Generation:
    """Stands for a built pack: each is a generation of the data, whatever its version."""


def renderer(text: str, calls: list[str]):
    def render() -> str:
        calls.append(text)
        return text

    return render


def cost(text: str) -> int:
    return sys.getsizeof(mark_safe(text))  # as kept: safe strings


def test_fragments_second_read_in_same_generation_is_not_rendered_again():
    cache, calls, g = FragmentCache(1000), [], Generation()
    assert cache.get_or_render(g, "a", renderer("<p>A</p>", calls)) == "<p>A</p>"
    assert cache.get_or_render(g, "a", renderer("<p>other</p>", calls)) == "<p>A</p>"
    assert calls == ["<p>A</p>"]
    assert (cache.hits, cache.misses) == (1, 1)


def test_fragments_another_generation_empties_the_cache():
    cache, calls = FragmentCache(1000), []
    old, new = Generation(), Generation()
    cache.get_or_render(old, "a", renderer("old", calls))
    cache.get_or_render(old, "b", renderer("old b", calls))
    assert cache.get_or_render(new, "a", renderer("new", calls)) == "new"
    assert len(cache) == 1 and calls == ["old", "old b", "new"]


def test_fragments_going_back_to_an_earlier_generation_never_serves_its_old_parts():
    # A restored backup brings a version number back with other data: a new pack object, so
    # a new generation, even though the number is one seen before.
    cache, calls = FragmentCache(1000), []
    first, second, restored = Generation(), Generation(), Generation()
    cache.get_or_render(first, "a", renderer("before the restore", calls))
    cache.get_or_render(second, "a", renderer("later", calls))
    assert cache.get_or_render(restored, "a", renderer("restored", calls)) == "restored"
    assert cache.get_or_render(restored, "a", renderer("again", calls)) == "restored"


def test_fragments_least_recently_used_go_first_when_full():
    cache, calls, g = FragmentCache(2 * cost("aaaa") + 4), [], Generation()
    cache.get_or_render(g, "a", renderer("aaaa", calls))
    cache.get_or_render(g, "b", renderer("bbbb", calls))
    cache.get_or_render(g, "a", renderer("x", calls))  # a is now the most recently used
    cache.get_or_render(g, "c", renderer("cccc", calls))  # three do not fit: b goes
    assert len(cache) == 2 and cache.size == 2 * cost("aaaa")
    cache.get_or_render(g, "a", renderer("x", calls))
    cache.get_or_render(g, "b", renderer("bbbb", calls))
    assert calls == ["aaaa", "bbbb", "cccc", "bbbb"]


def test_fragments_size_counts_memory_not_characters():
    # One arrow makes Python store the whole string at two bytes a character.
    cache, g = FragmentCache(10_000), Generation()
    plain, arrows = "a" * 1000, "→" + "a" * 999
    cache.get_or_render(g, "plain", lambda: plain)
    cache.get_or_render(g, "arrows", lambda: arrows)
    assert cache.size == cost(plain) + cost(arrows)
    assert cost(arrows) > 1.9 * cost(plain)


def test_fragments_part_larger_than_the_cache_is_served_not_kept():
    cache, calls, g = FragmentCache(cost("abc")), [], Generation()
    assert cache.get_or_render(g, "a", renderer("too long", calls)) == "too long"
    assert len(cache) == 0 and cache.size == 0


def test_fragments_size_zero_keeps_nothing():
    cache, calls, g = FragmentCache(0), [], Generation()
    cache.get_or_render(g, "a", renderer("x", calls))
    cache.get_or_render(g, "a", renderer("x", calls))
    assert calls == ["x", "x"] and len(cache) == 0


def test_fragments_result_is_safe_html():
    cache = FragmentCache(1000)
    assert hasattr(cache.get_or_render(Generation(), "a", lambda: "<b>x</b>"), "__html__")


def test_fragments_clear_forgets_everything():
    cache, calls, g = FragmentCache(1000), [], Generation()
    cache.get_or_render(g, "a", renderer("first", calls))
    cache.clear()
    assert len(cache) == 0 and cache.size == 0
    assert cache.get_or_render(g, "a", renderer("second", calls)) == "second"


def test_fragments_threads_reading_at_once_all_get_the_part():
    # A smoke test: many threads on one key see the one part and keep one copy.
    cache, g = FragmentCache(10_000), Generation()
    results, start = [], threading.Barrier(8)

    def read():
        start.wait()
        for _ in range(200):
            results.append(str(cache.get_or_render(g, "k", lambda: "part")))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["part"] * 1600
    assert len(cache) == 1 and cache.size == cost("part")
