"""Rasa's Redis lock store with atomic ticket updates, so two instances never serve one conversation at once.

Rasa 3.6's `RedisLockStore` reads a conversation's ticket lock, changes it in Python and writes it
back. Two instances receiving messages of the same conversation at the same moment can both read
the same lock, both issue ticket 0 and run the two turns together, or one can delete the lock the
other just joined. Here every read-change-write of a lock is one Redis transaction (WATCH/MULTI,
retried by redis-py when another instance changed the key in between); the ticket algorithm and
the stored format are Rasa's own.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Text

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig


class AtomicRedisLockStore(RedisLockStore):
    """`lock_store: type: rasa_ext.lock_store.AtomicRedisLockStore` with the `redis` type's settings."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        kwargs = {k: v for k, v in endpoint_config.kwargs.items() if v not in ("", None)}
        super().__init__(host=endpoint_config.url or "localhost", **kwargs)

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

    def update_lock(self, conversation_id: Text) -> None:
        """Drop expired tickets (a turn whose instance died), atomically."""
        self._change(conversation_id, lambda lock: lock.remove_expired_tickets())

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Give the lock to the next ticket, or delete it when nobody waits, atomically."""
        self._change(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))
