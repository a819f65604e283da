"""A minimal reader of Protocol Buffers' wire format, for the few small messages of an Anki package
(``PackageMetadata``, ``MediaEntries``, the note type, field, template and deck configs of a schema-18 collection).

Only the wire format is decoded (varints, 64-bit, length-delimited, 32-bit); which field means what is the caller's
business. Malformed input raises :class:`ProtobufError`, never reads past the buffer and never recurses.
"""

from __future__ import annotations

from collections.abc import Iterator

VARINT, I64, LEN, I32 = 0, 1, 2, 5


class ProtobufError(ValueError):
    pass


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise ProtobufError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 70:
            raise ProtobufError("varint longer than 10 bytes")


def fields(buf: bytes) -> Iterator[tuple[int, int, int | bytes]]:
    """(field number, wire type, value) for every field of one message: ints for VARINT/I64/I32, bytes for LEN."""
    pos = 0
    end = len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise ProtobufError("field number 0")
        value: int | bytes
        if wire == VARINT:
            value, pos = _varint(buf, pos)
        elif wire == I64:
            if pos + 8 > end:
                raise ProtobufError("truncated 64-bit field")
            value = int.from_bytes(buf[pos : pos + 8], "little")
            pos += 8
        elif wire == I32:
            if pos + 4 > end:
                raise ProtobufError("truncated 32-bit field")
            value = int.from_bytes(buf[pos : pos + 4], "little")
            pos += 4
        elif wire == LEN:
            length, pos = _varint(buf, pos)
            if length > end - pos:
                raise ProtobufError("length-delimited field runs past the end")
            value = buf[pos : pos + length]
            pos += length
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        yield number, wire, value


def message(buf: bytes) -> dict[int, list[int | bytes]]:
    """Every field of one message by number (repeated fields keep their order)."""
    out: dict[int, list[int | bytes]] = {}
    for number, _, value in fields(buf):
        out.setdefault(number, []).append(value)
    return out


def get_int(msg: dict[int, list[int | bytes]], number: int, default: int = 0, *, signed: bool = False) -> int:
    values = msg.get(number)
    if not values:
        return default
    value = values[-1]  # proto3: the last one wins
    if not isinstance(value, int):
        raise ProtobufError(f"field {number} is not a number")
    if signed and value >= 1 << 63:
        value -= 1 << 64
    return value


def get_bytes(msg: dict[int, list[int | bytes]], number: int) -> bytes:
    values = msg.get(number)
    if not values:
        return b""
    value = values[-1]
    if not isinstance(value, bytes):
        raise ProtobufError(f"field {number} is not length-delimited")
    return value


def get_str(msg: dict[int, list[int | bytes]], number: int) -> str:
    try:
        return get_bytes(msg, number).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtobufError(f"field {number} is not valid UTF-8") from None


def get_messages(msg: dict[int, list[int | bytes]], number: int) -> list[dict[int, list[int | bytes]]]:
    out = []
    for value in msg.get(number, []):
        if not isinstance(value, bytes):
            raise ProtobufError(f"field {number} is not a message")
        out.append(message(value))
    return out
