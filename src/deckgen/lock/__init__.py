"""The lock file: what was last shipped, read and validated, and the next one planned from it.

- ``model``: The lock file: what was last shipped, so that re-imports update exactly the edited notes.
- ``plan``: The next lock file, decided from the last one: which cards are new, changed or removed, each one's
  ``mod``, and the identity guards — what must never change under learners' feet.
- ``read``: Reading the lock file, validated like input: it is committed by hand, merged, and may come from a pull
  request.
"""
