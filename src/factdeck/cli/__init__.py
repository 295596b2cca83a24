"""The command line: every click command, the option bundles they share, terminal output,
and the front ends (the browser, the live preview server). No logic lives here."""
