"""Text preparation shared by the demo-model recipe and its evaluation scripts.

The evaluation text follows SPEC section 3 (and invx's joinRowsForPerplexity): each line of a raw
WikiText file is a row, whitespace-only lines become empty rows, other rows keep their line break,
rows are joined with "\\n\\n".
"""
import glob
import os
import re


def join_rows(text):
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines = lines[:-1]
    rows = ["" if line.strip() == "" else line + "\n" for line in lines]
    return "\n\n".join(rows)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


START = re.compile(r"^\*\*\* ?START OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M | re.I)
END = re.compile(r"^\*\*\* ?END OF (THE|THIS) PROJECT GUTENBERG EBOOK.*$", re.M | re.I)


def strip_gutenberg(text):
    """The book without Project Gutenberg's header and footer (licence boilerplate)."""
    text = text.replace("\r\n", "\n")
    start, end = START.search(text), END.search(text)
    if not start or not end:
        raise ValueError("no Project Gutenberg START/END markers")
    return text[start.end():end.start()].strip("\n") + "\n"


def books(data_dir):
    out = []
    for path in sorted(glob.glob(os.path.join(data_dir, "gutenberg", "*.txt"))):
        out.append((os.path.basename(path), strip_gutenberg(read(path))))
    return out
