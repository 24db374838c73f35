"""Reads from a PostgreSQL read replica, writes to the primary (DATABASE_REPLICA_URL).

Installed by the settings only when DATABASE_REPLICA_URL is set, as the "replica" alias.

- The archive's models (and their history) are read from the replica: the reader's pages.
- Everything else (staff sessions, users, login throttling, the admin's log) is read from the
  primary: a session written at login or a failed login counted must be seen at once, whatever
  the replica's lag.
- Reads inside a transaction on the primary (an admin save, a management command's atomic
  block) stay on the primary, so that a write is followed by reading what was written.
- Writes and migrations go to the primary only; relations between the two aliases are allowed,
  as they are the same database.
"""

from django.db import connections

PRIMARY = "default"
REPLICA = "replica"
REPLICATED_APPS = {"archive"}


def in_write_transaction():
    """Whether the primary's connection is inside an atomic block that a test did not open."""
    blocks = getattr(connections[PRIMARY], "atomic_blocks", [])
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if model._meta.app_label not in REPLICATED_APPS or in_write_transaction():
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
