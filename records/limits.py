"""Token buckets in the records database: one client's request rate counted across every server
process and machine that shares the database (the web middleware uses it on PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from records.models import RateBucketRow

# Every this many takes, buckets idle long enough to have filled up again are deleted (a full
# bucket and no bucket are the same thing).
SWEEP_EVERY = 500


class SharedRateLimits:
    def __init__(self, engine: Engine, *, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._takes = 0

    def take(self, key: str, per_minute: int) -> float:
        """Take one token from ``key``'s bucket (``per_minute`` tokens, refilled evenly): 0 when the
        request may pass, else the seconds until it would. Concurrent takes of one key queue on its
        row lock, so two machines never both spend the last token."""
        rate = per_minute / 60.0
        insert = (postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert)(
            RateBucketRow
        )
        with self.engine.begin() as db:
            now = self.clock()
            db.execute(
                insert.values(key=key, tokens=float(per_minute), at=now).on_conflict_do_nothing(
                    index_elements=["key"]
                )
            )
            row = db.execute(
                select(RateBucketRow.tokens, RateBucketRow.at)
                .where(RateBucketRow.key == key)
                .with_for_update()
            ).one()
            tokens = min(float(per_minute), row.tokens + max(0.0, now - row.at) * rate)
            wait = 0.0
            if tokens < 1.0:
                wait = (1.0 - tokens) / rate
            else:
                tokens -= 1.0
            db.execute(update(RateBucketRow).where(RateBucketRow.key == key).values(tokens=tokens, at=now))
        self._takes += 1
        if self._takes % SWEEP_EVERY == 0:
            self.sweep()
        return wait

    def sweep(self) -> int:
        """Delete the buckets that have filled up again; returns how many."""
        full_after = 60.0  # an empty bucket is full again after a minute
        with self.engine.begin() as db:
            result = db.execute(delete(RateBucketRow).where(RateBucketRow.at < self.clock() - full_after))
        return int(result.rowcount or 0)
