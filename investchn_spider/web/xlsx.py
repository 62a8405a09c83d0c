"""The web view's ``.xlsx`` download: a table, view or query as an Excel workbook.

Every row the page's filters select is written (following Datasette's pages), not only the rows
shown, up to :data:`MAX_ROWS`; past it, or when a cell is longer than Excel holds, a second sheet
says so. Cells stay text: no number or formula is guessed from a string (a value starting with
``=`` is text, not a formula), and URLs are not turned into Excel hyperlinks (Excel caps those).
"""

from __future__ import annotations

from io import BytesIO
from urllib.parse import parse_qsl, urlencode, urlsplit

MAX_ROWS = 100_000
EXCEL_CELL_CHARS = 32_767  # Excel's limit on the characters of one cell
EXCEL_SHEET_NAME = 31


def can_render(columns) -> bool:
    """Return True when there is anything to download (the page has columns)."""
    return bool(columns)


async def render(datasette, request, database, table, columns):
    """Return the response of a ``.xlsx`` URL: the rows the same ``.json`` URL selects, as a workbook."""
    import xlsxwriter
    from datasette.utils.asgi import Response

    rows, truncated = await _all_rows(datasette, request)
    output = BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "constant_memory": True,
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(_sheet_name(table or database))
    bold = workbook.add_format({"bold": True})
    names = list(rows[0].keys()) if rows else list(columns)
    for col, name in enumerate(names):
        sheet.write_string(0, col, str(name), bold)
    cut_cells = 0
    for row_no, row in enumerate(rows, start=1):
        for col, name in enumerate(names):
            value = row.get(name)
            if value is None:
                continue
            if isinstance(value, bool | int | float):
                sheet.write_number(row_no, col, value)
                continue
            text = str(value)
            if len(text) > EXCEL_CELL_CHARS:
                text, cut_cells = text[:EXCEL_CELL_CHARS], cut_cells + 1
            sheet.write_string(row_no, col, text)
    notes = []
    if truncated:
        notes.append(f"Only the first {MAX_ROWS:,} rows are here; `investchn export` writes every row.")
    if cut_cells:
        notes.append(f"{cut_cells} cells were longer than Excel's {EXCEL_CELL_CHARS:,} characters and are cut.")
    if notes:
        note = workbook.add_worksheet("note")
        for row_no, text in enumerate(notes):
            note.write_string(row_no, 0, text)
    workbook.close()
    name = _sheet_name(table or database) or "data"
    return Response(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="{name}.xlsx"'},
    )


async def _all_rows(datasette, request) -> tuple[list[dict], bool]:
    """Return the rows the request's JSON twin selects, page after page, and whether MAX_ROWS cut them."""
    args = [(key, value) for key, value in parse_qsl(request.query_string, keep_blank_values=True) if key != "_size"]
    args += [("_shape", "objects"), ("_size", "max"), ("_labels", "off")]
    path = f"{request.path[: -len('.xlsx')]}.json?{urlencode(args)}"
    rows: list[dict] = []
    while path:
        response = await datasette.client.get(path)
        data = response.json()
        if response.status_code != 200:
            raise ValueError(data.get("error") or f"HTTP {response.status_code}")
        rows.extend(data.get("rows", []))
        if len(rows) >= MAX_ROWS:
            return rows[:MAX_ROWS], True
        next_url = data.get("next_url")
        path = _local(next_url) if next_url else None
    return rows, False


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _sheet_name(name: str) -> str:
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in name or "")
    return cleaned[:EXCEL_SHEET_NAME].strip() or "data"
