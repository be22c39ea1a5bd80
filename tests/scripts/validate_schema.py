"""Validates playbook files against `recover schema` with an independent validator.

Usage: validate_schema.py SCHEMA.json FILE.yaml...
Prints one line per file: `ok FILE` or `invalid FILE: reason`; exits 0 if every file is valid.
"""
import json
import sys

import jsonschema
import yaml

schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.Draft7Validator.check_schema(schema)
validator = jsonschema.Draft7Validator(schema)
bad = 0
for path in sys.argv[2:]:
    doc = yaml.safe_load(open(path, encoding="utf-8"))
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    if errors:
        bad += 1
        print(f"invalid {path}: {errors[0].message}")
    else:
        print(f"ok {path}")
sys.exit(1 if bad else 0)
