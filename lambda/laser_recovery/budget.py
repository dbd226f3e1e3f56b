"""A turn's time, shared by every call the turn makes.

Alexa waits 8 s for an answer and the function is stopped at 7 s. Each outbound call has its
own deadline, but a turn may make several (the time zone, the session's read, a correction's
read and conditional write, re-reads after lost races, the bookkeeping write), so bounding
each call does not bound the turn. Here the boundary starts a budget for the whole turn, and
a call that could not finish inside what is left is not started: the patient hears at once
that the record could not be reached, instead of Alexa's own error seconds later.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# What a turn may spend waiting on calls, leaving the rest of the function's 7 s to answer.
TURN_SECONDS = 6.0
# What a call to the store may take at worst (DynamoDB: two attempts of connect and read,
# with backoff; store/dynamodb.py): calls made before a write leave it this much.
STORE_RESERVE_SECONDS = 3.5
# On Lambda, the function's own clock may be shorter (a smaller timeout): keep this margin.
LAMBDA_MARGIN_SECONDS = 0.5

_deadline: ContextVar[float | None] = ContextVar("turn_deadline", default=None)


@contextmanager
def turn(lambda_remaining_ms: int | None = None) -> Iterator[None]:
    """Run one turn inside its budget; calls made outside any turn are not limited."""
    now = time.monotonic()
    deadline = now + TURN_SECONDS
    if lambda_remaining_ms is not None:
        deadline = min(deadline, now + lambda_remaining_ms / 1000 - LAMBDA_MARGIN_SECONDS)
    token = _deadline.set(deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def left() -> float:
    """Seconds left in this turn's budget (infinite outside a turn)."""
    deadline = _deadline.get()
    return float("inf") if deadline is None else deadline - time.monotonic()


def affords(seconds: float) -> bool:
    """Whether a call that may take `seconds` would still end inside the turn."""
    return left() >= seconds
