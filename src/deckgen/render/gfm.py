"""GitHub-flavoured Markdown to HTML with cmark-gfm (the C library that cmarkgfm ships), without leaking memory.

cmarkgfm's Python functions never free what the C library returns: ``markdown_to_html`` leaks the rendered
string and ``markdown_to_html_with_extensions`` also the whole parsed document (measured: 180 MB over 20,000
small fields). This module calls the same functions through cmarkgfm's own cffi handle and frees both with the
library's own allocator (found through ctypes, so the C runtime always matches).

Extensions: ``table`` and ``strikethrough`` (``~~text~~`` only: a single ``~`` stays a tilde, as in "~5%").
Text with no ``|`` and no ``~~`` cannot use either, so it takes cmark's one-call path, which is twice as fast
(a property test holds both paths to the same output). Not ``autolink`` (a bare "www.x.org" stays text), not
``tagfilter`` (deckgen reports HTML it does not allow instead of escaping it), not ``tasklist``.
"""

from __future__ import annotations

import ctypes
from typing import Any

from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_STRIKETHROUGH_DOUBLE_TILDE
EXTENSIONS = (b"table", b"strikethrough")

_lib: Any = _cmark.lib
_ffi: Any = _cmark.ffi


class _Mem(ctypes.Structure):
    _fields_ = [
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
    ]


def _load() -> tuple[Any, Any, list[Any]]:
    so = ctypes.CDLL(_cmark.__file__)
    so.cmark_get_default_mem_allocator.restype = ctypes.POINTER(_Mem)
    so.cmark_get_default_mem_allocator.argtypes = []
    so.cmark_node_free.restype = None
    so.cmark_node_free.argtypes = [ctypes.c_void_p]
    _lib.cmark_gfm_core_extensions_ensure_registered()
    extensions = [_lib.cmark_find_syntax_extension(name) for name in EXTENSIONS]
    if any(e == _ffi.NULL for e in extensions):
        raise RuntimeError(f"cmark-gfm lacks one of the extensions {EXTENSIONS}")
    return so.cmark_get_default_mem_allocator().contents.free, so.cmark_node_free, extensions


_free, _node_free, _extensions = _load()


def _address(pointer: Any) -> int:
    return int(_ffi.cast("uintptr_t", pointer))


def _take_string(raw: Any) -> str:
    try:
        return str(_ffi.string(raw).decode("utf-8"))
    finally:
        _free(_address(raw))


def to_html(text: str) -> str:
    """Render ``text`` (CommonMark + tables + ``~~strikethrough~~``; raw HTML kept for the sanitizer)."""
    data = text.encode("utf-8")
    if "|" not in text and "~~" not in text:
        return _take_string(_lib.cmark_markdown_to_html(data, len(data), OPTIONS))
    return to_html_with_extensions(text)


def to_html_with_extensions(text: str) -> str:
    """Always through the parser with the extensions attached (``to_html`` skips it when it cannot matter)."""
    data = text.encode("utf-8")
    parser = _lib.cmark_parser_new(OPTIONS)
    try:
        for extension in _extensions:
            _lib.cmark_parser_attach_syntax_extension(parser, extension)
        _lib.cmark_parser_feed(parser, data, len(data))
        root = _lib.cmark_parser_finish(parser)
        try:
            return _take_string(_lib.cmark_render_html(root, OPTIONS, _lib.cmark_parser_get_syntax_extensions(parser)))
        finally:
            _node_free(_address(root))
    finally:
        _lib.cmark_parser_free(parser)
