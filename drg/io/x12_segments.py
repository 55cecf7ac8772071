"""X12 segments from a byte stream: the separators each interchange's ISA declares, streamed.

An X12 file is one or more interchanges (ISA ... IEA). The ISA segment has a fixed width of
106 characters, so its 4th byte is the element separator, ISA11 (byte 83) the repetition
separator, ISA16 (byte 105) the component separator and the byte after ISA16 the segment
terminator; every interchange may declare its own. Line breaks (and blanks) between segments
are tolerated. Segments are read a block at a time, so memory does not grow with the file.

A file that cannot be split into segments raises MalformedFileError naming the file, the
segment number (1-based, counted through the whole file) and the byte offset (0-based, in the
uncompressed content) where the segment starts; segment contents are never quoted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from drg.io.records import MalformedFileError

ISA_LENGTH = 106              # "ISA" + 16 fixed-width elements + separators + the terminator
ISA_ELEMENTS = 17             # the tag and ISA01..ISA16
_BLOCK = 1 << 20
_BETWEEN_SEGMENTS = b" \t\r\n"
_TAG = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")
_UNDECODED = re.compile("[\udc80-\udcff]")


@dataclass(frozen=True)
class Separators:
    """The delimiters an ISA segment declares."""

    element: str
    component: str
    repetition: str
    segment: str


@dataclass(frozen=True, slots=True)
class Segment:
    """One segment: its tag (ISA, CLM, HI ...) and elements; elements[0] is the tag."""

    number: int                # 1-based, counted through the whole file
    offset: int                # byte offset of its first character in the (uncompressed) file
    elements: list[str]
    separators: Separators

    @property
    def tag(self) -> str:
        return self.elements[0]

    def element(self, position: int) -> str:
        """Element `position` (1-based: CLM01 is element(1)); "" when absent."""
        return self.elements[position] if position < len(self.elements) else ""

    def components(self, position: int) -> list[str]:
        """The components of a composite element (HI01 -> ["ABK", "I5021", ...])."""
        return self.element(position).split(self.separators.component)


def place(number: int, offset: int) -> str:
    """Where a segment is, in the words of a MalformedFileError."""
    return f"segment {number} (byte offset {offset})"


class SegmentStream:
    """Iterate for the segments of an X12 byte stream; `where()` says how far it has read."""

    def __init__(self, raw: BinaryIO, path: str) -> None:
        self.raw, self.path = raw, path
        self.buffer = b""
        self.base = 0              # file offset of buffer[0]
        self.pos = 0               # read position in buffer
        self.eof = False
        self.number = 0

    def _more(self) -> bool:
        """Read another block; False at the end of the file."""
        if self.eof:
            return False
        block = self.raw.read(_BLOCK)
        if not block:
            self.eof = True
            return False
        if self.pos > _BLOCK:
            self.base += self.pos
            self.buffer = self.buffer[self.pos:]
            self.pos = 0
        self.buffer += block
        return True

    def _error(self, offset: int, problem: str, element: str | None = None) -> MalformedFileError:
        return MalformedFileError(self.path, place(self.number, offset), element, problem)

    def _skip_blanks(self) -> bool:
        """Move past blanks and line breaks; False when nothing but blanks is left."""
        while True:
            while self.pos < len(self.buffer) and self.buffer[self.pos] in _BETWEEN_SEGMENTS:
                self.pos += 1
            if self.pos < len(self.buffer):
                return True
            if not self._more():
                return False

    def _isa(self, first: bool) -> Segment:
        """The ISA segment at the read position, and the separators it declares."""
        while len(self.buffer) - self.pos < ISA_LENGTH and self._more():
            pass
        offset = self.base + self.pos
        self.number += 1
        head = self.buffer[self.pos:self.pos + ISA_LENGTH]
        if not head.startswith(b"ISA"):
            raise self._error(offset, "not an X12 file: it does not begin with an ISA segment" if first else
                              "after the IEA of an interchange only another ISA segment may follow")
        if len(head) < ISA_LENGTH:
            raise self._error(offset, "the ISA segment is cut off: it must be 106 characters long")
        try:
            text = head.decode("ascii")
        except UnicodeDecodeError:
            raise self._error(offset, "the ISA segment holds bytes that are not ASCII text") from None
        element, repetition, component, terminator = text[3], text[82], text[104], text[105]
        parts = text[:105].split(element)
        if len(parts) != ISA_ELEMENTS or element.isalnum():
            raise self._error(offset, f"the ISA segment does not have its 16 fixed-width elements "
                                      f"({len(parts) - 1} found): the separators cannot be read")
        if len({element, component, terminator}) < 3 or component.isalnum() or terminator.isalnum():
            raise self._error(offset, "the ISA segment's element separator, component separator (ISA16) and "
                                      "segment terminator must be three different non-alphanumeric characters",
                              "ISA16")
        if not parts[13].isdigit():
            raise self._error(offset, "the interchange control number is not 9 digits", "ISA13")
        self.pos += ISA_LENGTH
        return Segment(self.number, offset, parts, Separators(element, component, repetition, terminator))

    def __iter__(self) -> Iterator[Segment]:
        first = True
        while self._skip_blanks():
            isa = self._isa(first)
            first = False
            yield isa
            yield from self._interchange(isa.separators)

    def _interchange(self, separators: Separators) -> Iterator[Segment]:
        """The segments after an ISA, up to and including its IEA (or the end of the file).

        Whole blocks are decoded and split at once; a block ends at its last terminator, so
        every piece is a complete segment."""
        terminator, element = separators.segment, separators.element
        encoded = terminator.encode("latin-1")
        while True:
            end = self.buffer.rfind(encoded, self.pos)
            while end < 0:
                if not self._more():
                    rest = self.buffer[self.pos:]
                    if rest.strip(_BETWEEN_SEGMENTS):
                        self.number += 1
                        blanks = len(rest) - len(rest.lstrip(_BETWEEN_SEGMENTS))
                        raise self._error(self.base + self.pos + blanks, "the file ends inside a segment (no "
                                                                         "segment terminator): is it cut off?")
                    self.pos = len(self.buffer)
                    return
                end = self.buffer.rfind(encoded, self.pos)
            text = self.buffer[self.pos:end].decode("utf-8", "surrogateescape")
            ascii_only = text.isascii()
            offset = self.base + self.pos
            for piece in text.split(terminator):
                size = len(piece) if ascii_only else len(piece.encode("utf-8", "surrogateescape"))
                segment_text = piece.lstrip(" \t\r\n")
                start = offset + size - (len(segment_text) if ascii_only else
                                         len(segment_text.encode("utf-8", "surrogateescape")))
                offset += size + 1
                segment_text = segment_text.rstrip("\r\n")
                if not segment_text:
                    continue
                self.number += 1
                if not ascii_only and _UNDECODED.search(segment_text):
                    raise self._error(start, "unreadable segment: it holds bytes that are not UTF-8 text")
                parts = segment_text.split(element)
                if not _TAG.match(parts[0]):
                    raise self._error(start, "unreadable segment: its identifier is not 2 or 3 capital letters "
                                             "and digits (wrong separators, or damaged data?)")
                yield Segment(self.number, start, parts, separators)
                if parts[0] == "IEA":
                    self.pos = offset - self.base
                    return
            self.pos = end + 1

    def offset(self) -> int:
        """Bytes of the (uncompressed) stream read so far."""
        return self.base + self.pos
