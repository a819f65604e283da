"""What learners' Anki matches on: every id and hash that must never change, and how renames are found.

- ``ids``: Every id and hash learners' Anki matches on (note GUIDs, note type and deck ids, schema hashes), pinned
  to literals by ``tests/identity/test_ids.py``.
- ``renames``: Probable renames: a card id that disappeared while a new one appeared asking (nearly) the same
  question.
"""
