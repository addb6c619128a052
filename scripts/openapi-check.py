#!/usr/bin/env python3
"""docs/openapi.yaml must parse and document every route of
server/router.c with its method (and nothing the router does not serve)."""
import re
import sys

import yaml

root = sys.argv[1] if len(sys.argv) > 1 else "."
spec = yaml.safe_load(open(f"{root}/docs/openapi.yaml"))
router = open(f"{root}/server/router.c").read()
served = set(re.findall(r'\{"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)"', router))
documented = {
    (m.upper(), p)
    for p, ops in spec["paths"].items()
    for m in ops
    if m in ("get", "post", "put", "patch", "delete")
}
bad = False
for m, p in sorted(served - documented):
    print(f"openapi: {m} {p} is served but not in docs/openapi.yaml", file=sys.stderr)
    bad = True
for m, p in sorted(documented - served):
    print(f"openapi: {m} {p} is documented but not served", file=sys.stderr)
    bad = True
sys.exit(1 if bad else 0)
