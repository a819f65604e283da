"""GitHub-flavoured Markdown to HTML with cmark-gfm (the C library that cmarkgfm ships), without leaking memory.

cmarkgfm's Python functions never free what the C library returns: ``markdown_to_html`` leaks the rendered
string and ``markdown_to_html_with_extensions`` also the whole parsed document (measured: 180 MB over 20,000
small fields). This module calls the same functions through cmarkgfm's own cffi handle and frees both with the
library's own allocator (found through ctypes, so the C runtime always matches).

Extensions: ``table`` and ``strikethrough`` (``~~text~~`` only: a single ``~`` stays a tilde, as in "~5%").
Text with no ``|``, no ``~~`` and no delimiter row with a colon (``:-``, ``-:``: a one-column table) cannot use
either, so it takes cmark's one-call path, which is twice as fast (a property test holds both paths to the same
output). Not ``autolink`` (a bare "www.x.org" stays text), not
``tagfilter`` (deckgen reports HTML it does not allow instead of escaping it), not ``tasklist``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

EXTENSIONS = (b"table", b"strikethrough")


@cache
def _load() -> tuple[Any, Any, int, Any, Any, list[Any]]:
    """(cffi lib, ffi, options, free, node_free, extensions), loaded on first use: plain-text fields never need it."""
    import ctypes

    from cmarkgfm import _cmark
    from cmarkgfm.cmark import Options

    class _Mem(ctypes.Structure):
        _fields_ = [
            ("calloc", ctypes.c_void_p),
            ("realloc", ctypes.c_void_p),
            ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
        ]

    _lib: Any = _cmark.lib
    _ffi: Any = _cmark.ffi
    so = ctypes.CDLL(_cmark.__file__)
    so.cmark_get_default_mem_allocator.restype = ctypes.POINTER(_Mem)
    so.cmark_get_default_mem_allocator.argtypes = []
    so.cmark_node_free.restype = None
    so.cmark_node_free.argtypes = [ctypes.c_void_p]
    _lib.cmark_gfm_core_extensions_ensure_registered()
    extensions = [_lib.cmark_find_syntax_extension(name) for name in EXTENSIONS]
    if any(e == _ffi.NULL for e in extensions):
        raise RuntimeError(f"cmark-gfm lacks one of the extensions {EXTENSIONS}")
    options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
    return _lib, _ffi, options, so.cmark_get_default_mem_allocator().contents.free, so.cmark_node_free, extensions


def _take_string(raw: Any) -> str:
    _, ffi, _, free, _, _ = _load()
    try:
        return str(ffi.string(raw).decode("utf-8"))
    finally:
        free(int(ffi.cast("uintptr_t", raw)))


# A table's delimiter row with a colon needs no '|': "Name\n:-" is a one-column table for cmark-gfm
_PIPELESS_DELIMITER_ROW = re.compile(r"(?:^|[\r\n])[ \t]*(?::-+:?|-+:)[ \t]*(?=[\r\n]|$)")


def to_html(text: str) -> str:
    """Render ``text`` (CommonMark + tables + ``~~strikethrough~~``; raw HTML kept for the sanitizer)."""
    if "|" in text or "~~" in text or _PIPELESS_DELIMITER_ROW.search(text):
        return to_html_with_extensions(text)
    lib, _, options, _, _, _ = _load()
    data = text.encode("utf-8")
    return _take_string(lib.cmark_markdown_to_html(data, len(data), options))


def to_html_with_extensions(text: str) -> str:
    """Always through the parser with the extensions attached (``to_html`` skips it when it cannot matter)."""
    lib, ffi, options, _, node_free, extensions = _load()
    data = text.encode("utf-8")
    parser = lib.cmark_parser_new(options)
    try:
        for extension in extensions:
            lib.cmark_parser_attach_syntax_extension(parser, extension)
        lib.cmark_parser_feed(parser, data, len(data))
        root = lib.cmark_parser_finish(parser)
        try:
            return _take_string(lib.cmark_render_html(root, options, lib.cmark_parser_get_syntax_extensions(parser)))
        finally:
            node_free(int(ffi.cast("uintptr_t", root)))
    finally:
        lib.cmark_parser_free(parser)
