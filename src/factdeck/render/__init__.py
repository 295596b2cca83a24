"""Facts to notes: the templates (kinds and note types), their expansion with Jinja2,
and the HTML helpers that make fact text safe and read card HTML back as plain text."""
