"""Migration steps for what only PostgreSQL has (search vectors, arrays, triggers)."""


def run_on_postgresql(statements):
    """A migration step that runs the given SQL on PostgreSQL and does nothing elsewhere."""

    def step(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return step
