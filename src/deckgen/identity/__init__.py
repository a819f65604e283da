"""What learners' Anki matches on: every id and hash that must never change, and how renames are found.

- ``renames``: Probable renames: a card id that disappeared while a new one appeared asking (nearly) the same
  question.
"""
