"""One generation of the data holds what is built from it: kept while the data stands still,
gone with it when it moves on."""

from __future__ import annotations

import sys
import threading

from django.utils.safestring import mark_safe

from kpiboard.web import store
from kpiboard.web.generation import Generation, PageCache
from kpiboard.web.plan_tasks import KRI_ANALYSES, kri_analyses
from kpiboard.web.reporting_month import months_to_view
from kpiboard.web.writes import save_period_entry


def renderer(text: str, calls: list[str]):
    def render() -> str:
        calls.append(text)
        return text

    return render


def cost(text: str) -> int:
    return sys.getsizeof(mark_safe(text))  # as kept: safe strings


def test_pages_second_read_is_not_rendered_again():
    cache, calls = PageCache(1000), []
    assert cache.get_or_render("a", renderer("<p>A</p>", calls)) == "<p>A</p>"
    assert cache.get_or_render("a", renderer("<p>other</p>", calls)) == "<p>A</p>"
    assert calls == ["<p>A</p>"]
    assert (cache.hits, cache.misses) == (1, 1)


def test_pages_least_recently_used_go_first_when_full():
    cache, calls = PageCache(2 * cost("aaaa") + 4), []
    cache.get_or_render("a", renderer("aaaa", calls))
    cache.get_or_render("b", renderer("bbbb", calls))
    cache.get_or_render("a", renderer("x", calls))  # a is now the most recently used
    cache.get_or_render("c", renderer("cccc", calls))  # three do not fit: b goes
    assert len(cache) == 2 and cache.size == 2 * cost("aaaa")
    cache.get_or_render("a", renderer("x", calls))
    cache.get_or_render("b", renderer("bbbb", calls))
    assert calls == ["aaaa", "bbbb", "cccc", "bbbb"]


def test_pages_size_counts_memory_not_characters():
    # One arrow makes Python store the whole string at two bytes a character.
    cache = PageCache(10_000)
    plain, arrows = "a" * 1000, "→" + "a" * 999
    cache.get_or_render("plain", lambda: plain)
    cache.get_or_render("arrows", lambda: arrows)
    assert cache.size == cost(plain) + cost(arrows)
    assert cost(arrows) > 1.9 * cost(plain)


def test_pages_part_larger_than_the_cache_is_served_not_kept():
    cache, calls = PageCache(cost("abc")), []
    assert cache.get_or_render("a", renderer("too long", calls)) == "too long"
    assert len(cache) == 0 and cache.size == 0


def test_pages_size_zero_keeps_nothing():
    cache, calls = PageCache(0), []
    cache.get_or_render("a", renderer("x", calls))
    cache.get_or_render("a", renderer("x", calls))
    assert calls == ["x", "x"] and len(cache) == 0


def test_pages_result_is_safe_html():
    assert hasattr(PageCache(1000).get_or_render("a", lambda: "<b>x</b>"), "__html__")


def test_pages_clear_forgets_everything():
    cache, calls = PageCache(1000), []
    cache.get_or_render("a", renderer("first", calls))
    cache.clear()
    assert len(cache) == 0 and cache.size == 0
    assert cache.get_or_render("a", renderer("second", calls)) == "second"


def test_pages_threads_reading_at_once_all_get_the_part():
    # A smoke test: many threads on one key see the one part and keep one copy.
    cache = PageCache(10_000)
    results, start = [], threading.Barrier(8)

    def read():
        start.wait()
        for _ in range(200):
            results.append(str(cache.get_or_render("k", lambda: "part")))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["part"] * 1600
    assert len(cache) == 1 and cache.size == cost("part")


def test_generation_pages_are_sized_from_the_setting(settings, demo_site):
    settings.PAGE_CACHE_MB = 3
    store.clear_cache()
    assert store.generation().pages.max_bytes == 3 * 1024 * 1024


def test_generation_a_fact_is_worked_out_once(demo_site):
    made, calls = store.generation(), []
    assert made.fact("x", lambda g: calls.append(g) or len(calls)) == 1
    assert made.fact("x", lambda g: calls.append(g) or len(calls)) == 1
    assert calls == [made]


def test_generation_a_write_starts_a_new_one_without_the_old_pages_or_facts(demo_site):
    before = store.generation()
    before.page("a", lambda: "old")
    before.fact("x", lambda g: "old")
    _save(demo_site, 71.5)
    after = store.generation()
    assert after is not before and after.version == before.version + 1
    assert len(after.pages) == 0 and "x" not in after.facts
    assert after.page("a", lambda: "new") == "new"
    assert after.inherited is before.facts and after.earlier is before.boards


def test_generation_going_back_to_an_earlier_version_number_never_serves_its_old_parts(
    demo_site,
):
    # A restored backup brings a version number back with other data: a new generation, even
    # though the number is one seen before.
    first = store.generation()
    first.page("a", lambda: "before the restore")
    store.clear_cache()
    restored = store.generation()
    assert restored.version == first.version and restored is not first
    assert restored.page("a", lambda: "restored") == "restored"


def test_generation_months_to_view_after_a_write_equal_a_fresh_count(demo_site):
    before = months_to_view(store.generation())
    _save(demo_site, 71.5)
    made = store.generation()
    assert made.touched == frozenset({"ASC01"})
    assert months_to_view(made) == before
    kept = made.facts["months with an actual, by indicator"]
    assert all(kept[code][0] is made.pack.data[code] for code in made.pack.data)
    assert months_to_view(Generation(made.version, made.pack)) == before  # worked out afresh


def test_generation_keeps_the_key_risk_indicators_analyses_until_the_data_moves_on(demo_site):
    made = store.generation()
    october = made.pack.calendar.parse("2013-10")
    kris = {k.indicator for r in made.pack.plan.risks for k in r.kris}
    found = kri_analyses(made, october)
    assert kris and set(found) == kris  # theirs only
    assert kri_analyses(made, october) is found
    assert made.facts[KRI_ANALYSES] == {"2013-10": found}
    _save(demo_site, 71.5)
    after = store.generation()
    assert KRI_ANALYSES not in after.facts  # the old generation's go with it
    assert kri_analyses(after, october) is not found


def _save(demo_site, value: float) -> None:
    save_period_entry(
        demo_site["owner"], "ASC01", "2013-09", {"actual": value}, {"actual": 1}, None, 0,
        "Revised",
    )  # fmt: skip
