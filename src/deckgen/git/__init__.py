"""Reading a cards folder at a git revision: running git, listing trees one folder at a time, blobs and media.

- ``command``: Running the ``git`` command: every call with deckgen's environment (safe.bareRepository=explicit
  among it).
- ``media``: Media files in ``deckgen diff``: which files of ``cards/media/`` were added, replaced or removed.
- ``repo``: A thin wrapper around the ``git`` command: find the repository, resolve revisions, read a cards folder
  at a revision.
- ``tree``: The cards folder at a revision, read from git's object store one folder at a time, and blobs read
  through one ``git cat-file --batch``.
"""
