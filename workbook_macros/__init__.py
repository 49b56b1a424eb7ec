"""Sources of the Excel add-in (VBA modules, ribbon XML): data only, read by ``xlreports.addin.build``.

Installed as ``xlreports.workbook_macros`` so that ``xlreports addin build`` works from a wheel too.
"""
