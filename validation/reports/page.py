"""Building blocks of the HTML and Markdown reports: one standalone page, one table.

A page is a list of sections (heading, body). Bodies are trusted HTML fragments that the
report modules build themselves (inline SVG charts, tables from `html_table`), so they are
inserted as given; the title and headings are text and are escaped here. The page has its
styling inline and references no external asset, so it opens offline and can be mailed.
"""
from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["html_page", "html_table", "markdown_table", "markdown_page"]

_STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
       margin: 0; background: #fafafa; line-height: 1.45; }
main { max-width: 1200px; margin: 0 auto; padding: 24px 32px 48px; background: #fff;
       min-height: 100vh; box-shadow: 0 0 6px rgba(0,0,0,.06); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #e3e3e3; }
p.meta { color: #666; margin: 0 0 16px; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 16px; }
th, td { border: 1px solid #ddd; padding: 4px 10px; vertical-align: top; }
th { background: #f0f3f7; text-align: left; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) td { background: #fbfbfb; }
svg { max-width: 100%; height: auto; display: block; margin: 8px 0; }
code { font-size: 12px; background: #f3f3f3; padding: 1px 4px; border-radius: 3px; }
.note { color: #555; font-size: 13px; }
"""


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def html_page(title: str, sections: Sequence[tuple[str, str]], subtitle: str = "") -> str:
    """A complete, self-contained HTML document: the title, then each (heading, html body).

    The title, subtitle and headings are escaped; bodies are HTML fragments inserted as given
    (build them with `html_table`, the chart functions, or escape text yourself).
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_esc(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body><main>",
        f"<h1>{_esc(title)}</h1>",
    ]
    if subtitle:
        parts.append(f'<p class="meta">{_esc(subtitle)}</p>')
    for heading, body in sections:
        parts.append("<section>")
        if heading:
            parts.append(f"<h2>{_esc(heading)}</h2>")
        parts.append(body)
        parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts) + "\n"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def html_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table with every cell escaped; numeric cells are right-aligned."""
    out = ["<table>", "<thead><tr>"]
    out += [f"<th>{_esc(h)}</th>" for h in headers]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for value in row:
            css = ' class="num"' if _is_number(value) else ""
            cells.append(f"<td{css}>{_esc('' if value is None else value)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _md_cell(value: object) -> str:
    """A value made safe for one Markdown table cell (pipes, newlines, HTML brackets)."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return text.replace("<", "&lt;").replace(">", "&gt;")


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table; cells escaped, numeric columns right-aligned."""
    n = len(headers)
    for row in rows:
        if len(row) != n:
            raise ValueError("every row must have one value per header")
    numeric = [bool(rows) and all(_is_number(r[i]) or r[i] is None for r in rows) for i in range(n)]
    lines = ["| " + " | ".join(_md_cell(h) for h in headers) + " |",
             "| " + " | ".join("---:" if numeric[i] else "---" for i in range(n)) + " |"]
    lines += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def markdown_page(title: str, sections: Sequence[tuple[str, str]], subtitle: str = "") -> str:
    """A Markdown document: '# title', then '## heading' and the Markdown body of each section."""
    parts = [f"# {_md_cell(title)}", ""]
    if subtitle:
        parts += [_md_cell(subtitle), ""]
    for heading, body in sections:
        if heading:
            parts += [f"## {_md_cell(heading)}", ""]
        parts += [body.rstrip("\n"), ""]
    return "\n".join(parts)
