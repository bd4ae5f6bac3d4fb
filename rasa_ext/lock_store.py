"""Rasa's Redis lock store with atomic ticket updates, so two instances never serve one conversation at once.

Rasa 3.6's `RedisLockStore` reads a conversation's ticket lock, changes it in Python and writes it
back. Two instances receiving messages of the same conversation at the same moment can both read
the same lock, both issue ticket 0 and run the two turns together, or one can delete the lock the
other just joined. Here every read-change-write of a lock is one Redis transaction (WATCH/MULTI,
retried by redis-py when another instance changed the key in between); the ticket algorithm and
the stored format are Rasa's own.

Two more changes to waiting. Rasa lets a waiting ticket expire like a held one, so a turn that
waits for the lock of an instance that died (its ticket only frees when its lifetime is over)
often expires in the same second and fails with a LockError: here a waiting ticket is renewed on
every poll, because its instance is alive. And Rasa polls once a second; here every 50 ms, so a
person's second message does not wait a whole second after the first one's turn ends.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Callable, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

POLL_SECONDS = 0.05


class AtomicRedisLockStore(RedisLockStore):
    """`lock_store: type: rasa_ext.lock_store.AtomicRedisLockStore` with the `redis` type's settings."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs = {k: v for k, v in endpoint_config.kwargs.items() if v not in ("", None)}
        super().__init__(host=endpoint_config.url or "localhost", **kwargs)
        self.lock_lifetime = float(LOCK_LIFETIME)

    def _change(self, conversation_id: Text, change: Callable[[TicketLock], Any]) -> Any:
        """Apply `change` to the stored lock in one transaction; an emptied lock is deleted."""
        key = self.key_prefix + conversation_id

        def transaction(pipe: Any) -> Any:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else TicketLock(conversation_id)
            result = change(lock)
            pipe.multi()
            if lock.is_someone_waiting():
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue the next ticket of the conversation's lock, atomically."""
        try:
            return int(self._change(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime)))
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    async def _acquire_lock(self, conversation_id: Text, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        """Wait until `ticket` is served; expired tickets (dead instances) drop out, ours is renewed."""
        while True:
            lock = self._change(conversation_id, lambda held: self._renew(held, ticket))
            if lock is None:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            if not lock.is_locked(ticket):
                return lock
            await asyncio.sleep(min(wait_time_in_seconds, POLL_SECONDS))

    def _renew(self, lock: TicketLock, ticket: int) -> TicketLock | None:
        lock.remove_expired_tickets()
        mine = next((t for t in lock.tickets if t.number == ticket), None)
        if mine is None:
            return None
        mine.expires = max(mine.expires, time.time() + self.lock_lifetime)
        return lock

    def update_lock(self, conversation_id: Text) -> None:
        """Drop expired tickets (a turn whose instance died), atomically."""
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Give the lock to the next ticket, or delete it when nobody waits, atomically."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))
