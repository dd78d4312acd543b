"""MinHash signatures and locality-sensitive-hashing bands, built on hashlib alone.

A MinHash signature of a set keeps, for each of ``permutations`` independent hash
functions, the smallest hash value of any member. Two sets agree at one position with
probability equal to their Jaccard similarity, so the share of equal positions estimates
it. Cutting the signature into ``bands`` of ``rows`` values and hashing each band gives
keys that two sets share with probability ``1 - (1 - J**rows)**bands``: a cheap test for
candidates that deserve an exact comparison.

The hash functions are one SHAKE-128 stream per member, prefixed with the seed and read as
64-bit words: word ``i`` is the member's value under hash function ``i``. The values
depend only on the seed and the member's bytes, never on the process (``hash()`` is salted)
or on a random generator's stream (which a library upgrade may change): signatures and
band keys may be stored. Changing how they are computed invalidates stored band keys,
which must then be recomputed by a migration.

Pure functions with no application imports; the callers decide what the members are.
"""

import hashlib
import struct
from collections.abc import Iterable, Sequence

Signature = tuple[int, ...]

_WORD_BYTES = 8  # each hash value is an unsigned 64-bit word


def signature(members: Iterable[bytes], *, permutations: int, seed: int) -> Signature:
    """The MinHash signature of a set of byte strings (duplicates count once).

    :param permutations: how many hash functions, so the signature's length.
    :param seed: picks the hash functions; ``0 <= seed < 2**64``.
    :raise ValueError: when there are no members or no permutations, since the similarity
        of empty sets is undefined.
    """
    if permutations < 1:
        raise ValueError("a MinHash signature needs at least one permutation")
    prefix = hashlib.shake_128(seed.to_bytes(8, "little"))
    unpack = struct.Struct(f"<{permutations}Q").unpack
    length = permutations * _WORD_BYTES
    rows = []
    for member in set(members):
        stream = prefix.copy()
        stream.update(member)
        rows.append(unpack(stream.digest(length)))
    if not rows:
        raise ValueError("a MinHash signature needs at least one member")
    return tuple(map(min, zip(*rows, strict=True)))


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """The Jaccard similarity estimated from two signatures made with the same
    permutations and seed: the share of positions where they agree."""
    if len(a) != len(b) or not a:
        raise ValueError("signatures must be non-empty and of the same length")
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def band_keys(sig: Sequence[int], *, bands: int, rows: int) -> list[str]:
    """Cut the first ``bands * rows`` values of a signature into bands and name each.

    A key is the band's number and a 128-bit digest of its values (``"07:3f…"``, 35
    characters), so equal values in different bands never give the same key.

    :raise ValueError: when the signature is shorter than ``bands * rows``.
    """
    if bands < 1 or rows < 1 or bands * rows > len(sig):
        raise ValueError(f"cannot cut {len(sig)} values into {bands} bands of {rows} rows")
    pack = struct.Struct(f"<{rows}Q").pack
    return [
        f"{band:02d}:"
        + hashlib.blake2b(pack(*sig[band * rows : (band + 1) * rows]), digest_size=16).hexdigest()
        for band in range(bands)
    ]


def candidate_probability(jaccard: float, *, bands: int, rows: int) -> float:
    """The chance that two sets with this Jaccard similarity share at least one band."""
    return 1 - (1 - jaccard**rows) ** bands
