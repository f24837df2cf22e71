"""The ``waakhond`` command: ``main.run`` is the entry point; each command group lives in its own
module with ``register(app)`` (``main.COMMAND_MODULES``). Nothing outside the CLI imports it.
"""

__all__: list[str] = []
