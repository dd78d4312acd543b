"""MinHash signatures: deterministic, unbiased Jaccard estimates, and band keys."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consult.comments import minhash

PERMUTATIONS, BANDS, ROWS, SEED = 128, 16, 8, 20261122


def _sig(members, *, permutations=PERMUTATIONS, seed=SEED):
    return minhash.signature(members, permutations=permutations, seed=seed)


def _pair(rng: random.Random, size: int, jaccard: float) -> tuple[set[bytes], set[bytes]]:
    """Two sets of ``size`` members sharing ``shared`` of them: J = shared / (2·size − shared)."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    pool = [f"{rng.getrandbits(64):016x}".encode() for _ in range(2 * size - shared)]
    return set(pool[:size]), set(pool[size - shared :])


def _true_jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def test_the_same_members_give_the_same_signature_whatever_the_order_or_repeats():
    members = [f"shingle {n}".encode() for n in range(50)]
    first = _sig(members)
    assert len(first) == PERMUTATIONS
    assert _sig(reversed(members)) == first
    assert _sig(iter(members + members[:10])) == first
    assert _sig(set(members)) == first


def test_values_are_fixed_across_processes_and_versions():
    # campaign_bands stores these keys: if this test must change, so must the stored bands
    # (a migration recomputing them, as d45f7e846e1e does).
    sig = _sig([b"we ask for transparency", b"ask for transparency reports"], permutations=16)
    assert sig[:2] == (7695115464642924635, 1294505300125543958)
    assert minhash.band_keys(sig, bands=2, rows=8) == [
        "00:2552407d4adc3a4bd9f626b8a09e3a6c",
        "01:dafbd2655a8d6ae62b481b2f2006dff4",
    ]


def test_the_seed_chooses_the_hash_functions():
    members = [f"shingle {n}".encode() for n in range(50)]
    assert _sig(members, seed=1) != _sig(members, seed=2)


def test_each_position_is_a_different_hash_function():
    sig = _sig([f"shingle {n}".encode() for n in range(200)])
    assert len(set(sig)) > PERMUTATIONS - 2


@given(
    st.sets(st.binary(max_size=12), min_size=1, max_size=30),
    st.sets(st.binary(max_size=12), min_size=1, max_size=30),
)
def test_the_signature_of_a_union_is_the_least_of_the_two(a, b):
    union = _sig(a | b, permutations=16)
    assert union == tuple(map(min, _sig(a, permutations=16), _sig(b, permutations=16)))


@pytest.mark.parametrize("jaccard", [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0])
def test_the_estimate_is_close_to_the_true_jaccard_similarity(jaccard):
    rng = random.Random(jaccard)
    errors = []
    for _ in range(20):
        a, b = _pair(rng, 150, jaccard)
        estimate = minhash.similarity(_sig(a), _sig(b))
        errors.append(estimate - _true_jaccard(a, b))
    # One estimate from 128 values has a standard deviation of at most 0.045 (at J = 0.5):
    # each stays within about four of them, and their mean shows no bias.
    assert max(abs(e) for e in errors) <= 0.18
    assert abs(sum(errors) / len(errors)) <= 0.03


def test_the_estimate_is_exact_for_identical_and_disjoint_sets():
    a, b = _pair(random.Random(1), 100, 0.0)
    assert minhash.similarity(_sig(a), _sig(a)) == 1.0
    assert minhash.similarity(_sig(a), _sig(b)) == 0.0


def test_band_keys_cut_the_signature_into_numbered_bands():
    sig = _sig([f"shingle {n}".encode() for n in range(40)])
    keys = minhash.band_keys(sig, bands=BANDS, rows=ROWS)
    assert [k[:3] for k in keys] == [f"{band:02d}:" for band in range(BANDS)]
    assert all(len(k) == 35 for k in keys)  # fits campaign_bands.band, String(40)
    assert len(set(keys)) == BANDS


def test_changing_one_value_changes_only_its_band():
    sig = list(_sig([f"shingle {n}".encode() for n in range(40)]))
    before = minhash.band_keys(sig, bands=BANDS, rows=ROWS)
    sig[3 * ROWS + 5] += 1
    after = minhash.band_keys(sig, bands=BANDS, rows=ROWS)
    assert [band for band in range(BANDS) if before[band] != after[band]] == [3]


def test_equal_values_in_different_bands_give_different_keys():
    keys = minhash.band_keys([7] * 16, bands=2, rows=8)
    assert keys[0][3:] == keys[1][3:] and keys[0] != keys[1]


def test_only_the_first_bands_times_rows_values_count():
    sig = _sig([b"a", b"b", b"c"])
    assert minhash.band_keys(sig, bands=4, rows=8) == minhash.band_keys(sig[:32], bands=4, rows=8)


@pytest.mark.parametrize(("bands", "rows"), [(17, 8), (0, 8), (16, 0)])
def test_a_signature_too_short_for_the_bands_is_refused(bands, rows):
    with pytest.raises(ValueError, match="cannot cut"):
        minhash.band_keys(_sig([b"a"]), bands=bands, rows=rows)


def test_an_empty_set_has_no_signature():
    with pytest.raises(ValueError, match="at least one member"):
        _sig([])


@pytest.mark.parametrize(
    ("jaccard", "shared_at_least", "shared_at_most"), [(0.9, 50, 50), (0.3, 0, 1)]
)
def test_near_duplicates_share_a_band_and_distant_texts_do_not(
    jaccard, shared_at_least, shared_at_most
):
    # 16 bands of 8 rows: P(share) is 0.9998 at J = 0.9 and 0.001 at J = 0.3.
    rng = random.Random(jaccard)
    shared = 0
    for _ in range(50):
        a, b = _pair(rng, 120, jaccard)
        keys_a = minhash.band_keys(_sig(a), bands=BANDS, rows=ROWS)
        keys_b = minhash.band_keys(_sig(b), bands=BANDS, rows=ROWS)
        shared += bool(set(keys_a) & set(keys_b))
    assert shared_at_least <= shared <= shared_at_most


def test_candidate_probability_follows_the_banding_formula():
    assert minhash.candidate_probability(0.9, bands=BANDS, rows=ROWS) > 0.9998
    assert minhash.candidate_probability(0.3, bands=BANDS, rows=ROWS) < 0.002
    assert minhash.candidate_probability(1.0, bands=BANDS, rows=ROWS) == 1.0
