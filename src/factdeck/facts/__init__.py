"""YAML to facts: load (with file:line for every mapping), validate into typed frozen
records, the claims inventory, and the text-safety rules for what facts may contain."""
