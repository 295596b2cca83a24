"""The file system, safely: bounded reading, atomic writes and the commit point that
publishes a build's outputs together, the build mutex, OS errors as messages, and the names
of the files factdeck keeps in a deck folder."""
