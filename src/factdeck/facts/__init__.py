"""YAML to facts: the records (model.py), load (with file:line for every mapping), validate
into them, the claims inventory, the text-safety rules for what facts may contain, and what
deck.yaml's version (semver.py) and feedback URL template (feedback_url.py) must be."""
