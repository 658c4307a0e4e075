"""The ops page's server-rendered HTML: Jinja2 templates (packaged with Tracklog, autoescaped)
and hand-drawn SVG charts (decision 0811). No script, no stylesheet or font from elsewhere."""
