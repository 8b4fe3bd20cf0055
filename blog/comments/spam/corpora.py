"""Read labelled comments for training and evaluating the spam filter.

Three formats, told apart by their first line (blank lines before it skipped):

- the YouTube Spam Collection: CSV with the header
  ``COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS`` (CLASS 1 is spam);
- the SMS Spam Collection: ``ham<TAB>text`` or ``spam<TAB>text`` a line (split on
  the first tab only: its texts hold quotes the csv module would join rows on),
  read as text messages rather than comments;
- a plain CSV with the header ``author,email,url,content,label`` where label is
  spam/ham or 1/0.

The CSV headers are read in any case and any order; the plain one needs only
``content`` and ``label``, the others being empty when left out. A column
without a name (a trailing comma) is ignored, and so is, in a YouTube file, a
column the collection does not have.

A file that is none of these, or has a bad row, raises CorpusError naming the
file and the line, so the command line can say what to fix.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..privacy import hash_email, mask_contacts

YOUTUBE_HEADER = ["comment_id", "author", "date", "content", "class"]
PLAIN_HEADER = ["author", "email", "url", "content", "label"]
PLAIN_NEEDS = {"content", "label"}
# Each format's columns, by the names the examples are made of.
YOUTUBE_COLUMNS = {"author": "author", "content": "content", "label": "class"}
PLAIN_COLUMNS = {name: name for name in PLAIN_HEADER}
LABELS = {"spam": True, "1": True, "ham": False, "0": False}


class CorpusError(ValueError):
    """A labelled file that cannot be read; str() gives file, line and reason."""

    def __init__(self, path, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")


# Keys a corpus example's email hash; no site's comments are matched against it.
CORPUS_KEY = "corpus"


@dataclass(frozen=True)
class Example:
    fields: dict  # author_name, author_email, author_url, body
    spam: bool
    where: str  # file:line, to point at one example
    medium: str = "comment"  # or "text message": the classifier weighs them apart

    def as_comment(self) -> dict:
        """The fields as the pipeline hands them to the spam checks: privacy applied."""
        return {
            **self.fields,
            "body": mask_contacts(self.fields["body"]),
            "email_hash": hash_email(self.fields["author_email"], CORPUS_KEY),
            "ip_hash": "",
        }


def read(path) -> list[Example]:
    """Every labelled example of a file in any of the three formats."""
    text = _text(Path(path))
    # Blank lines before the first (an editor's, a concatenation's) are skipped.
    number, first = next(
        (n, line.strip()) for n, line in enumerate(text.split("\n"), 1) if line.strip()
    )
    try:
        header = [name.strip().lower() for name in next(csv.reader([first]), [])]
    except csv.Error:  # a field past its limit: no header, perhaps a long message
        header = []
    columns = _columns(header)
    if columns:
        return _some(path, _read_csv(path, text, header, columns), number + 1)
    if _sms_label(first.split("\t", 1)[0]) in ("ham", "spam") and "\t" in first:
        return list(_read_sms(path, text))
    raise CorpusError(
        path,
        "unknown format: expected the header COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS "
        "or author,email,url,content,label, or lines of ham<TAB>text / "
        "spam<TAB>text",
        line=number,
    )


def _columns(header: list[str]) -> dict[str, str] | None:
    """The columns of the CSV format a header names, if it names one."""
    # A trailing comma makes a column without a name: it holds nothing.
    named = [name for name in header if name]
    if len(set(named)) != len(named):
        return None
    # All of the collection's columns: no other is taken for one, so a column
    # it does not have is left out.
    if set(YOUTUBE_HEADER) <= set(named):
        return YOUTUBE_COLUMNS
    # Every column optional: one misspelt would be left out unseen, so refused.
    if PLAIN_NEEDS <= set(named) <= set(PLAIN_HEADER):
        return PLAIN_COLUMNS
    return None


def _some(path, examples, line: int) -> list[Example]:
    # A header alone is a mistaken file, not a measurement of zero comments.
    found = list(examples)
    if not found:
        raise CorpusError(path, "no examples after the header", line)
    return found


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CorpusError(path, error.strerror or "cannot be read") from error
    if b"\0" in data:
        line = data[: data.index(b"\0")].count(b"\n") + 1
        raise CorpusError(path, "binary data, expected text", line=line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CorpusError(path, "not valid UTF-8 text", line=line) from error
    if not text.strip():
        raise CorpusError(path, "empty file")
    # Every line end as "\n", as text files are read and as the comment form
    # reads a body: a lone "\r" (old Mac files) too.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_csv(path, text, header: list[str], columns: dict[str, str]):
    where = {
        name: header.index(column)
        for name, column in columns.items()
        if column in header
    }
    reader = csv.reader(io.StringIO(text))
    next(row for row in reader if any(cell.strip() for cell in row))  # the header
    line = reader.line_num + 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                # Cells past the header are a trailing comma's only when empty.
                past = any(cell.strip() for cell in row[len(header) :])
                if past or len(row) <= max(where.values()):
                    message = f"expected {len(header)} columns, found {len(row)}"
                    raise CorpusError(path, message, line)
                cell = {name: row[index] for name, index in where.items()}
                fields = _fields(
                    cell.get("author", ""),
                    cell.get("email", ""),
                    cell.get("url", ""),
                    cell["content"],
                )
                yield Example(
                    fields, _label(path, cell["label"], line), f"{path}:{line}"
                )
            line = reader.line_num + 1
    except csv.Error as error:
        raise CorpusError(path, f"bad CSV: {error}", line) from error


def _fields(author, email, url, body) -> dict:
    return {
        "author_name": author.strip(),
        "author_email": email.strip(),
        "author_url": url.strip(),
        "body": body,
    }


def _label(path, label: str, line: int) -> bool:
    try:
        return LABELS[label.strip().lower()]
    except KeyError:
        raise CorpusError(
            path, f"label must be spam/ham or 1/0, found {label!r}", line
        ) from None


def _read_sms(path, text):
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        label, tab, body = line.partition("\t")
        if not tab:
            raise CorpusError(path, "expected ham<TAB>text or spam<TAB>text", number)
        if _sms_label(label) not in ("ham", "spam"):
            raise CorpusError(
                path, f"label must be ham or spam, found {label!r}", number
            )
        where = f"{path}:{number}"
        spam = _sms_label(label) == "spam"
        yield Example(_fields("", "", "", body), spam, where, "text message")


def _sms_label(label: str) -> str:
    # Any case and spacing, as the CSV formats' labels are read.
    return label.strip().lower()
