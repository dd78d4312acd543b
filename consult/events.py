"""Lifecycle events: a layer announces what happened; the layers above react, without
the announcing code ever importing them.

Each event is a blinker signal sent by the service that made the change, after its
flush, with the changed object as sender and ``now`` (plus any detail) as keywords.
Receivers run inside the sender's transaction, so a rollback undoes them all; work that
must wait for the commit (email, jobs) is queued by them and released after it.

Receivers run in the order they were connected, and ``consult.register_subscribers``
connects them layer by layer, lowest first: a comment's campaign is recounted before its
response requests are put right, and notifications (later) see both done.
"""

from collections.abc import Iterable, Iterator, MutableSet
from typing import Any

import blinker


class _OrderedSet(MutableSet):
    """A set that remembers insertion order (blinker's ``set_class`` hook)."""

    def __init__(self, items: Iterable[Any] = ()):
        self._items: dict[Any, None] = dict.fromkeys(items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, value: Any) -> None:
        self._items[value] = None

    def discard(self, value: Any) -> None:
        self._items.pop(value, None)

    def copy(self) -> "_OrderedSet":
        return _OrderedSet(self._items)


class Event(blinker.NamedSignal):
    """A named signal whose receivers run in the order they were connected.

    Receivers are connected for any sender: blinker runs those connected for one sender
    after all those for any sender, which would break the order, so ``connect`` refuses a
    sender (a receiver that cares about one kind of sender checks it itself).
    """

    set_class = _OrderedSet  # type: ignore[assignment]

    def connect(self, receiver, sender: Any = blinker.ANY, weak: bool = True):
        if sender is not blinker.ANY:
            raise TypeError(f"{self.name}: connect receivers for any sender, in layer order")
        return super().connect(receiver, sender, weak)


def ask(question: Event, sender: Any, **kwargs: Any) -> bool:
    """True when any receiver answers yes: how a lower layer asks a question only a
    higher layer can answer (for example, has any company answered this comment?)."""
    return any(answer for _receiver, answer in question.send(sender, **kwargs))
