"""Read-only sequences whose items are made on first use.

The batch engine rates and charts thousands of indicators in a few array calls; building every
period's :class:`~.evaluate.PeriodResult` and every point's enum up front would cost more than the
arithmetic. These sequences hold the arrays and make an item only when someone reads it, so a
dashboard that shows each indicator's latest period builds one item per indicator, not sixty.
They compare equal to tuples with the same items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar, overload

T = TypeVar("T")
D = TypeVar("D")

_UNSET: Any = object()


class LazyRows(Sequence[T]):
    """``n`` items, item ``i`` made by ``make(i)`` the first time it is read, then kept."""

    __slots__ = ("_items", "_make")

    def __init__(self, n: int, make: Callable[[int], T]):
        self._items: list[Any] = [_UNSET] * n
        self._make = make

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[T, ...]: ...
    def __getitem__(self, i: int | slice) -> T | tuple[T, ...]:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self._items))))
        item = self._items[i]
        if item is _UNSET:
            item = self._items[i] = self._make(i % len(self._items))
        return item

    def __iter__(self) -> Iterator[T]:
        for i in range(len(self._items)):
            yield self[i]

    def __reversed__(self) -> Iterator[T]:
        for i in range(len(self._items) - 1, -1, -1):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, list, LazyRows, LazyTuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class LazyTuple(Sequence[T]):
    """A tuple made by ``make(*args)`` the first time any item (or the length) is read."""

    __slots__ = ("_args", "_make", "_value")

    def __init__(self, make: Callable[..., tuple[T, ...]], *args: Any):
        self._make = make
        self._args = args
        self._value: tuple[T, ...] | None = None

    def _tuple(self) -> tuple[T, ...]:
        if self._value is None:
            self._value = self._make(*self._args)
            self._args = ()
        return self._value

    def __len__(self) -> int:
        return len(self._tuple())

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[T, ...]: ...
    def __getitem__(self, i: int | slice) -> T | tuple[T, ...]:
        return self._tuple()[i]

    def __iter__(self) -> Iterator[T]:
        return iter(self._tuple())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (tuple, list, LazyRows, LazyTuple)):
            return self._tuple() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._tuple())

    def __repr__(self) -> str:
        return repr(self._tuple())


def view(cls: type[D], **fields: Any) -> D:
    """An instance of the frozen dataclass ``cls`` with every field given, without running its
    ``__init__``: a frozen dataclass sets each field through ``object.__setattr__``, which costs
    more than the arithmetic when the engine makes one result per indicator for 100,000 of them.
    Callers pass every field, so the instance is the same as ``cls(**fields)`` would make."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


K = TypeVar("K")
A = TypeVar("A")


class LazyMapping(Mapping[K, T]):
    """A read-only mapping whose value for ``key`` is made by ``make(key, index[key])`` the first
    time it is read, then kept (so every read gives the same object). Iterates in ``index``
    order. ``made`` holds values made already (they are returned as they are).

    The engine returns its 100,000 results this way: the arrays hold every rating, direction
    and icon, and a caller that reads a few indicators pays for a few objects, not 100,000."""

    __slots__ = ("_index", "_made", "_make")

    def __init__(
        self, index: Mapping[K, A], make: Callable[[K, A], T], made: dict[K, T] | None = None
    ):
        self._index = index
        self._make = make
        self._made: dict[K, T] = made if made is not None else {}

    def __getitem__(self, key: K) -> T:
        try:
            return self._made[key]
        except KeyError:
            value = self._made[key] = self._make(key, self._index[key])
            return value

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[K]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"
