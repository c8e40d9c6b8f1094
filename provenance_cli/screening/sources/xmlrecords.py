"""Reading an official XML list one record at a time, without trusting the file.

The EU, UK and UN lists are published as XML files of a few to tens of
megabytes: a root element, a few header values, then thousands of records
(``sanctionEntity``, ``Designation``, ``INDIVIDUAL``/``ENTITY``). This
reader streams the file through expat in chunks and hands back each record
as a small :class:`xml.etree.ElementTree.Element` tree as soon as it is
complete, so the whole document is never held in memory.

A list file is data from the network, so the reader refuses what a list
never needs: a document type declaration (and with it every entity
declaration, internal or external, which is how "billion laughs" and
external-entity attacks start). Namespaces are dropped: ``{uri}tag`` and
``prefix:tag`` both become ``tag``, because each list uses one vocabulary.
Malformed XML is a :class:`ListFormatError` with its line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provenance_cli.screening.source import ListFormatError

if TYPE_CHECKING:  # the XML machinery loads only when an XML list is parsed, never when a cached one is screened
    import xml.etree.ElementTree as ET

CHUNK = 256 * 1024


def _local(name: str) -> str:
    """A tag or attribute name without its namespace (``uri tag`` or ``prefix:tag`` -> ``tag``)."""
    return name.rsplit(" ", 1)[-1].rsplit(":", 1)[-1]


class XmlRecords:
    """One pass over an XML list: the root's name and attributes, header values, then records.

    ``roots`` are the root element names this list may have (anything else
    is another document, refused at its first element); ``records`` the
    element names that are one record each (found at any depth, never
    nested in one another).
    """

    def __init__(self, path: Path, url: str, *, roots: tuple[str, ...], records: frozenset[str], title: str) -> None:
        from xml.etree.ElementTree import Element, SubElement

        self._element = Element
        self._sub_element = SubElement
        self.path = path
        self.url = url
        self.roots = roots
        self.records = records
        self.title = title
        self.root: str | None = None
        self.root_attributes: dict[str, str] = {}
        self.header: dict[str, str] = {}
        """Text of the simple elements directly under the root (e.g. ``DateGenerated``)."""
        self._depth = 0
        self._stack: list[ET.Element] = []
        self._texts: list[list[str]] = []
        self._header_text: list[str] | None = None
        self._done: list[ET.Element] = []

    # -- expat handlers --------------------------------------------------------------------------

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        tag = _local(name)
        self._depth += 1
        if self._depth == 1:
            if tag not in self.roots:
                raise ListFormatError(
                    f"{self.url} is XML but not the {self.title} (its root element is <{tag}>, expected <{self.roots[0]}>)"
                )
            self.root = tag
            self.root_attributes = {_local(k): v for k, v in attributes.items()}
            return
        if self._stack:
            element = self._sub_element(self._stack[-1], tag, {_local(k): v for k, v in attributes.items()})
        elif tag in self.records:
            element = self._element(tag, {_local(k): v for k, v in attributes.items()})
        else:
            if self._depth == 2:
                self._header_text = []
            return
        self._stack.append(element)
        self._texts.append([])

    def _end(self, name: str) -> None:
        self._depth -= 1
        if self._stack:
            element = self._stack.pop()
            text = "".join(self._texts.pop())
            element.text = text or None
            if not self._stack:
                self._done.append(element)
            return
        if self._header_text is not None and self._depth == 1:
            self.header[_local(name)] = "".join(self._header_text).strip()
            self._header_text = None

    def _text(self, data: str) -> None:
        if self._texts:
            self._texts[-1].append(data)
        elif self._header_text is not None:
            self._header_text.append(data)

    def _refuse_doctype(self, *_args: Any) -> None:
        raise ListFormatError(f"{self.url}: the file declares a document type; official lists never do, so it is refused")

    def _refuse_entity(self, *_args: Any) -> None:
        raise ListFormatError(f"{self.url}: the file declares XML entities; official lists never do, so it is refused")

    # -- reading ---------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[ET.Element]:
        """Every record element, in document order, as soon as it is complete."""
        from xml.parsers import expat

        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        parser.StartDoctypeDeclHandler = self._refuse_doctype
        parser.EntityDeclHandler = self._refuse_entity
        parser.UnparsedEntityDeclHandler = self._refuse_entity
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.buffer_text = True
        try:
            with open(self.path, "rb") as stream:
                while chunk := stream.read(CHUNK):
                    parser.Parse(chunk, False)
                    yield from self._drain()
                parser.Parse(b"", True)
                yield from self._drain()
        except expat.ExpatError as exc:
            message = expat.ErrorString(exc.code) if exc.code else str(exc)
            raise ListFormatError(f"{self.url}: not well-formed XML at line {exc.lineno}, column {exc.offset + 1}: {message}") from None
        if self.root is None:
            raise ListFormatError(f"{self.url}: the file holds no XML element")

    def _drain(self) -> Iterator[ET.Element]:
        done, self._done = self._done, []
        yield from done


def text(element: ET.Element | None, path: str) -> str:
    """The stripped text at ``path`` under ``element`` ('' when absent or empty)."""
    if element is None:
        return ""
    found = element.findtext(path)
    return found.strip() if found else ""


def texts(element: ET.Element, path: str) -> list[str]:
    """Every non-empty stripped text at ``path`` under ``element``."""
    return [found.text.strip() for found in element.iterfind(path) if found.text and found.text.strip()]


def iso_day(value: str) -> str | None:
    """A list's date as ``YYYY-MM-DD``, or a bare year when only the year is known; None when unreadable.

    The lists write dates several ways: ``2026-06-08``, ``2015-03-27-04:00``
    (a time-zone suffix), ``2026-06-08T14:03:27.1+02:00``, ``08/06/2026``
    (UK and EU CSV, day first) and ``dd/mm/1957`` (day and month unknown).
    """
    import re

    value = value.strip()
    if not value:
        return None
    iso = re.match(r"^(\d{4})-(\d{2})-(\d{2})", value)
    if iso:
        return _checked(*iso.groups())
    day_first = re.match(r"^(\d{1,2}|dd)/(\d{1,2}|mm)/(\d{4})$", value, re.IGNORECASE)
    if day_first:
        day, month, year = day_first.groups()
        if not (day.isdigit() and month.isdigit()):
            return year
        return _checked(year, month.zfill(2), day.zfill(2))
    if re.match(r"^\d{4}$", value):
        return value
    return None


def _checked(year: str, month: str, day: str) -> str | None:
    from datetime import date

    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return year if 1 <= int(year) <= 9999 else None
