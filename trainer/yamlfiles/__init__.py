"""YAML files a trainer writes: loading with the line of every field and bounded cost
(``source``), syntax errors in plain words (``syntax``), and validation errors as
file:line:field problems (``problems``)."""
