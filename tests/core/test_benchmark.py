import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiboard.core.benchmark import (
    QUARTILE_LABELS,
    PeerPosition,
    ordinal,
    peer_position,
    quartile_of,
    rank_many,
)
from kpiboard.core.rating import Polarity
from kpiboard.core.units import Unit, UnitKind

HIGHER, LOWER, CLOSE = Polarity.HIGHER, Polarity.LOWER, Polarity.CLOSE


def fmt(v):
    return f"{v:g}"


# --- a peer file: 152 councils, values to one decimal so that ties occur ------------------------


def council_values():
    rng = np.random.default_rng(152)
    values = np.round(rng.normal(75.0, 6.0, 152), 1)
    return {f"E{i:03d}": float(v) for i, v in enumerate(values)}


COUNCILS = council_values()


def expected_rank(own_code, polarity):
    """Competition rank by brute force: 1 + the number of others strictly better."""
    own = COUNCILS[own_code]
    others = [v for c, v in COUNCILS.items() if c != own_code]
    better = [v for v in others if (v > own if polarity is HIGHER else v < own)]
    worse = [v for v in others if (v < own if polarity is HIGHER else v > own)]
    ties = sum(v == own for v in others)
    return len(better) + 1, ties, 100 * len(worse) / len(others)


def test_peer_file_has_ties_and_152_councils():
    values = list(COUNCILS.values())
    assert len(values) == 152
    assert len(set(values)) < 140  # plenty of ties


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
def test_peer_file_ranks_every_council_with_competition_ranking(polarity):
    for code, value in COUNCILS.items():
        pos = peer_position(value, COUNCILS, polarity, own_code=code)
        rank, ties, percentile = expected_rank(code, polarity)
        assert (pos.rank, pos.of, pos.ties) == (rank, 152, ties), code
        assert pos.quartile == math.ceil(Fraction(4 * rank, 152))
        assert pos.percentile == pytest.approx(percentile)
        assert pos.joint == (ties > 0)


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
def test_peer_file_tied_councils_share_rank_and_quartile(polarity):
    by_value = {}
    for code, value in COUNCILS.items():
        by_value.setdefault(value, []).append(code)
    tied_groups = [codes for codes in by_value.values() if len(codes) > 1]
    assert tied_groups
    for codes in tied_groups:
        positions = [peer_position(COUNCILS[c], COUNCILS, polarity, own_code=c) for c in codes]
        assert len({(p.rank, p.quartile, p.ties) for p in positions}) == 1
        assert positions[0].ties == len(codes) - 1
        assert positions[0].position_text == f"joint {ordinal(positions[0].rank)} of 152"


def test_peer_file_best_and_worst_by_polarity():
    best = max(COUNCILS, key=COUNCILS.get)
    worst = min(COUNCILS, key=COUNCILS.get)
    assert peer_position(COUNCILS[best], COUNCILS, HIGHER, own_code=best).rank == 1
    assert peer_position(COUNCILS[worst], COUNCILS, LOWER, own_code=worst).rank == 1
    last = peer_position(COUNCILS[worst], COUNCILS, HIGHER, own_code=worst)
    assert (last.quartile, last.quartile_label, last.percentile) == (4, "bottom quartile", 0.0)


def test_peer_file_own_left_out_of_mapping_gives_the_same_position():
    code = "E017"
    rest = {c: v for c, v in COUNCILS.items() if c != code}
    with_own = peer_position(COUNCILS[code], COUNCILS, HIGHER, own_code=code)
    assert peer_position(COUNCILS[code], rest, HIGHER) == with_own
    assert peer_position(COUNCILS[code], rest, HIGHER, own_code=code) == with_own
    assert peer_position(COUNCILS[code], list(rest.values()), HIGHER) == with_own


def test_peer_file_statistics_include_own():
    code = "E005"
    pos = peer_position(COUNCILS[code], COUNCILS, HIGHER, own_code=code)
    values = list(COUNCILS.values())
    assert pos.mean == pytest.approx(sum(values) / 152)
    ordered = sorted(values)
    assert pos.median == pytest.approx((ordered[75] + ordered[76]) / 2)
    assert pos.distance_from_mean == pytest.approx(COUNCILS[code] - pos.mean)


@pytest.mark.parametrize("polarity", [HIGHER, LOWER])
def test_peer_file_rank_many_agrees(polarity):
    # One row per council: everyone's values, with the council itself blanked out of its row.
    codes = list(COUNCILS)
    own = np.array([COUNCILS[c] for c in codes])
    peers = np.tile(own, (len(codes), 1))
    np.fill_diagonal(peers, np.nan)
    rank, of, quartile = rank_many(own, peers, np.full(len(codes), polarity.code))
    for i, code in enumerate(codes):
        pos = peer_position(own[i], COUNCILS, polarity, own_code=code)
        assert (rank[i], of[i], quartile[i]) == (pos.rank, pos.of, pos.quartile)


# --- hand-built groups ----------------------------------------------------------------------


def test_hand_built_higher_is_better():
    pos = peer_position(20.0, [10.0, 20.0, 30.0, 40.0], HIGHER)
    assert (pos.rank, pos.of, pos.ties, pos.quartile) == (3, 5, 1, 3)  # ceil(12 / 5) = 3
    assert (pos.mean, pos.median, pos.distance_from_mean) == (24.0, 20.0, -4.0)
    assert pos.better_than_mean is False
    assert pos.percentile == 25.0  # better than 10 only, of four others


def test_hand_built_lower_is_better():
    pos = peer_position(20.0, [10.0, 20.0, 30.0, 40.0], LOWER)
    assert (pos.rank, pos.of, pos.ties, pos.quartile) == (2, 5, 1, 2)  # ceil(8 / 5) = 2
    assert pos.better_than_mean is True
    assert pos.percentile == 50.0  # better than 30 and 40


@pytest.mark.parametrize(
    ("own_code", "rank", "ties"),
    [("A", 1, 2), ("B", 1, 2), ("C", 1, 2), ("D", 4, 1), ("E", 4, 1), ("F", 6, 0)],
)
def test_competition_ranking_1_1_1_4_4_6(own_code, rank, ties):
    group = {"A": 5.0, "B": 5.0, "C": 5.0, "D": 3.0, "E": 3.0, "F": 1.0}
    pos = peer_position(group[own_code], group, HIGHER, own_code=own_code)
    assert (pos.rank, pos.ties, pos.of) == (rank, ties, 6)


def test_competition_ranking_lower_is_better_reverses():
    group = {"A": 5.0, "B": 5.0, "C": 5.0, "D": 3.0, "E": 3.0, "F": 1.0}
    ranks = {c: peer_position(v, group, LOWER, own_code=c).rank for c, v in group.items()}
    assert ranks == {"F": 1, "D": 2, "E": 2, "A": 4, "B": 4, "C": 4}


def test_values_equal_within_floating_point_noise_tie():
    pos = peer_position(0.1 + 0.2, [0.3, 0.5], HIGHER)
    assert (pos.rank, pos.ties) == (2, 1)
    assert (pos.rank_text, pos.position_text) == ("joint 2nd", "joint 2nd of 3")


def test_own_code_in_mapping_is_not_double_counted_and_own_value_wins():
    group = {"A": 1.0, "B": 2.0, "C": 3.0}
    assert peer_position(2.0, group, HIGHER, own_code="B").of == 3
    assert peer_position(2.0, group, HIGHER, own_code="Z").of == 4
    assert peer_position(2.0, group, HIGHER).of == 4
    # The mapping's own entry is replaced by own_value, not compared with it.
    pos = peer_position(3.5, {**group, "B": 99.0}, HIGHER, own_code="B")
    assert (pos.rank, pos.of, pos.mean) == (1, 3, pytest.approx(7.5 / 3))


def test_missing_peer_values_are_left_out():
    pos = peer_position(2.0, [1.0, math.nan, None, 3.0], HIGHER)
    assert (pos.rank, pos.of) == (2, 3)
    pos = peer_position(2.0, {"A": 1.0, "B": None, "C": math.nan, "D": 3.0}, HIGHER)
    assert (pos.rank, pos.of, pos.mean) == (2, 3, 2.0)


def test_own_missing_value_in_mapping_still_counts_own_once():
    pos = peer_position(2.0, {"A": 1.0, "ME": math.nan}, HIGHER, own_code="ME")
    assert pos.of == 2


@pytest.mark.parametrize("own", [None, math.nan])
def test_missing_own_value_gives_none(own):
    assert peer_position(own, [1.0, 2.0], HIGHER) is None


def test_close_to_target_has_no_rank():
    assert peer_position(5.0, [1.0, 2.0], CLOSE) is None


def test_own_code_with_a_plain_sequence_is_refused():
    with pytest.raises(TypeError, match="mapping"):
        peer_position(1.0, [1.0, 2.0], HIGHER, own_code="A")


def test_alone_in_the_group():
    pos = peer_position(7.0, [], HIGHER)
    assert (pos.rank, pos.of, pos.ties, pos.quartile) == (1, 1, 0, 4)  # ceil(4 * 1 / 1)
    assert math.isnan(pos.percentile)
    assert pos.better_than_mean is None


# --- quartiles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rank", "of", "quartile"),
    [
        (1, 152, 1),
        (38, 152, 1),  # exactly 25%: still top quartile
        (39, 152, 2),
        (76, 152, 2),  # exactly 50%
        (77, 152, 3),
        (114, 152, 3),  # exactly 75%
        (115, 152, 4),
        (152, 152, 4),
        (2, 8, 1),
        (3, 8, 2),
        (4, 8, 2),
        (6, 8, 3),
        (7, 8, 4),
        (1, 2, 2),  # a group of two has no top quartile
        (1, 3, 2),
        (1, 4, 1),
    ],
)
def test_quartile_boundaries(rank, of, quartile):
    assert quartile_of(rank, of) == quartile
    assert quartile == math.ceil(Fraction(4 * rank, of))


@pytest.mark.parametrize(("own", "quartile"), [(8.0, 1), (7.0, 1), (6.0, 2), (5.0, 2), (2.0, 4)])
def test_quartile_boundaries_through_peer_position(own, quartile):
    others = [v for v in (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0) if v != own]
    assert peer_position(own, others, HIGHER).quartile == quartile


def test_tie_across_a_quartile_boundary_shares_the_better_quartile():
    # Eight organisations; the two 6s take places 3 and 4 but both rank joint 3rd, so both are in
    # the second quartile (ceil(4 * 3 / 8) = 2), never one in the second and one in the third.
    group = {"A": 8.0, "B": 7.0, "C": 6.0, "D": 6.0, "E": 4.0, "F": 3.0, "G": 2.0, "H": 1.0}
    c = peer_position(6.0, group, HIGHER, own_code="C")
    d = peer_position(6.0, group, HIGHER, own_code="D")
    assert (c.rank, c.quartile) == (d.rank, d.quartile) == (3, 2)
    assert peer_position(7.0, group, HIGHER, own_code="B").quartile == 1  # 2 of 8: exactly 25%
    assert peer_position(4.0, group, HIGHER, own_code="E").quartile == 3  # 5 of 8


def test_quartile_of_refuses_impossible_ranks():
    with pytest.raises(ValueError, match="rank"):
        quartile_of(0, 5)
    with pytest.raises(ValueError, match="rank"):
        quartile_of(6, 5)


@pytest.mark.parametrize(("quartile", "label"), list(enumerate(QUARTILE_LABELS, start=1)))
def test_quartile_labels(quartile, label):
    pos = PeerPosition(1.0, HIGHER, 1, 4, 0, quartile, 1.0, 1.0, 0.0, None, 0.0)
    assert pos.quartile_label == label


# --- words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (10, "10th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (14, "14th"),
        (21, "21st"),
        (22, "22nd"),
        (23, "23rd"),
        (100, "100th"),
        (101, "101st"),
        (102, "102nd"),
        (111, "111th"),
        (112, "112th"),
        (113, "113th"),
        (121, "121st"),
        (152, "152nd"),
    ],
)
def test_ordinal_suffixes(n, text):
    assert ordinal(n) == text


def test_describe_matches_the_report_wording():
    pos = PeerPosition(85.8, HIGHER, 13, 152, 0, 1, 75.5, 76.0, 10.3, True, 92.1)
    text = pos.describe(lambda v: f"{v:.1f}%", lambda d: f"{d:.1f} points")
    assert text == (
        "13th of 152 (top quartile); peer mean 75.5%, median 76.0%; 10.3 points above the mean"
    )


def test_describe_joint_and_below_the_mean():
    pos = peer_position(20.0, [10.0, 20.0, 30.0, 40.0], HIGHER)
    assert pos.describe(fmt) == (
        "joint 3rd of 5 (third quartile); peer mean 24, median 20; 4 below the mean"
    )


def test_describe_level_with_the_mean():
    pos = peer_position(2.0, [1.0, 3.0], LOWER)
    assert (
        pos.describe(fmt) == "2nd of 3 (third quartile); peer mean 2, median 2; level with the mean"
    )


def test_describe_with_units():
    unit = Unit(UnitKind.PERCENT)
    pos = peer_position(80.0, [70.0, 72.0, 62.0], HIGHER)
    assert pos.describe(unit.format, unit.format_difference) == (
        "1st of 4 (top quartile); peer mean 71%, median 71%; 9 percentage points above the mean"
    )


def test_describe_default_str():
    pos = peer_position(3.0, [1.0, 2.0, 4.0], LOWER)
    assert (
        pos.describe() == "3rd of 4 (third quartile); peer mean 2.5, median 2.5; 0.5 above the mean"
    )
    assert pos.better_than_mean is False


# --- rank_many ------------------------------------------------------------------------------


def test_rank_many_small_grid():
    own = np.array([20.0, 20.0, 5.0, np.nan])
    peers = np.array(
        [
            [10.0, 20.0, 30.0, 40.0],
            [10.0, 20.0, 30.0, 40.0],
            [1.0, np.nan, 9.0, np.nan],
            [1.0, 2.0, 3.0, 4.0],
        ]
    )
    rank, of, quartile = rank_many(own, peers, np.array([1, -1, 1, 1]))
    assert rank.tolist() == [3, 2, 2, 0]
    assert of.tolist() == [5, 5, 3, 0]
    assert quartile.tolist() == [3, 2, 3, 0]
    assert rank.dtype == np.int64


def test_rank_many_close_to_target_rows_are_zero():
    rank, of, quartile = rank_many(np.array([1.0]), np.array([[2.0, 3.0]]), np.array([0]))
    assert (rank[0], of[0], quartile[0]) == (0, 0, 0)


def test_rank_many_refuses_mismatched_shapes():
    with pytest.raises(ValueError, match="expected"):
        rank_many(np.zeros(2), np.zeros((3, 4)), np.ones(2))


values = st.one_of(st.integers(-5, 5).map(float), st.just(math.nan))


@settings(max_examples=200, deadline=None)
@given(
    data=st.integers(1, 6).flatmap(
        lambda k: st.integers(0, 9).flatmap(
            lambda p: st.tuples(
                st.lists(values, min_size=k, max_size=k),
                st.lists(st.lists(values, min_size=p, max_size=p), min_size=k, max_size=k),
                st.lists(st.sampled_from([1, -1, 0]), min_size=k, max_size=k),
                st.one_of(st.none(), st.integers(0, p - 1)) if p else st.none(),
            )
        )
    )
)
def test_rank_many_agrees_with_peer_position(data):
    own, peers, codes, own_column = data
    p = len(peers[0]) if peers else 0
    peers_arr = np.array(peers, float).reshape(len(own), p)
    rank, of, quartile = rank_many(np.array(own), peers_arr, np.array(codes), own_column=own_column)
    by_code = {1: HIGHER, -1: LOWER, 0: CLOSE}
    for i, value in enumerate(own):
        group = {f"org{j}": peers_arr[i, j] for j in range(p)}
        code = None if own_column is None else f"org{own_column}"
        pos = peer_position(value, group, by_code[codes[i]], own_code=code)
        if pos is None:
            assert (rank[i], of[i], quartile[i]) == (0, 0, 0)
        else:
            assert (rank[i], of[i], quartile[i]) == (pos.rank, pos.of, pos.quartile)
